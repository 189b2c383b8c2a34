"""Checking a return against the validation rules (models.ValidationRule), which are data.

`return_validate(ret)` is what the form, the import, the API and the workflow services use; a finding
of severity "error" blocks a save, a "warning" is only shown.
"""

from __future__ import annotations

import decimal
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from .expressions import Expression, ExpressionError, Vocabulary, cached_expression
from .fields import FIELDS, FIELDS_BY_NAME, is_credit_organisation

if TYPE_CHECKING:
    from hoptac.registry.models import Organisation

    from .models import AnnualReturn, ValidationRule

logger = logging.getLogger(__name__)

RULES_FIXTURE = Path(__file__).parent / "fixtures" / "validation_rules.json"

ORG_FACTS = frozenset(
    {"kind", "law", "sector", "subsector", "status", "credit", "founded_year", "union_member", "supporter"}
)
VOCABULARY = Vocabulary(
    names=frozenset({*FIELDS_BY_NAME, "year", "value"}),
    attributes={"prev": frozenset({*FIELDS_BY_NAME, "year"}), "org": ORG_FACTS},
)
# `{label}` is a placeholder only (the field's name in a rule that checks each field in turn).
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_PLAIN = "|plain"


@dataclass(frozen=True)
class Finding:
    field: str  # the figure the finding is shown at
    severity: str  # ValidationRule.Severity
    code: str  # the rule's code
    message: str  # in the active language
    fields: tuple[str, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


@dataclass(frozen=True)
class RuleContext:
    """What a rule can read: the figures, last year's figures and the organisation's facts."""

    values: Mapping[str, Any]
    prev: Mapping[str, Any]
    org: Mapping[str, Any]
    kind: str


def org_facts(org: Organisation) -> dict[str, Any]:
    sector = org.sector if org.sector_id else None
    subsector = org.subsector if org.subsector_id else None
    return {
        "kind": org.kind,
        "law": org.law or None,
        "sector": sector.code if sector else None,
        "subsector": subsector.code if subsector else None,
        "status": org.status,
        "credit": is_credit_organisation(org),
        "founded_year": org.founded_on.year if org.founded_on else None,
        "union_member": org.union_member,
        "supporter": org.supporter or None,
    }


def figures_of(ret: AnnualReturn | None) -> dict[str, Any]:
    if ret is None:
        return {name: None for name in FIELDS_BY_NAME} | {"year": None}
    values = {spec.name: getattr(ret, spec.name) for spec in FIELDS}
    # Blank text and choices are "not entered", as blank numbers are.
    for spec in FIELDS:
        if values[spec.name] == "":
            values[spec.name] = None
    values["year"] = ret.year
    return values


def previous_return(ret: AnnualReturn) -> AnnualReturn | None:
    """Last year's return of the same organisation, if it was submitted or approved."""
    from .models import AnnualReturn

    return (
        AnnualReturn.objects.filter(
            organisation_id=ret.organisation_id,
            year=ret.year - 1,
            status__in=[AnnualReturn.Status.SUBMITTED, AnnualReturn.Status.APPROVED],
        )
        .order_by()
        .first()
    )


def context_for(ret: AnnualReturn, *, prev: AnnualReturn | None) -> RuleContext:
    org = ret.organisation
    return RuleContext(values=figures_of(ret), prev=figures_of(prev), org=org_facts(org), kind=org.kind)


def active_rules() -> list[ValidationRule]:
    from .models import ValidationRule

    return list(ValidationRule.objects.filter(active=True).order_by("order", "code"))


def return_validate(
    ret: AnnualReturn,
    *,
    rules: Iterable[ValidationRule] | None = None,
    prev: AnnualReturn | Any | None = ...,
) -> list[Finding]:
    """Every finding of the active rules for `ret`, errors first, in the active language.

    `prev` defaults to last year's submitted or approved return (one query); `rules` to the active
    rules (one query). A rule that cannot be evaluated (a province's typo) is logged and skipped: a
    broken rule must not stop the province's cooperatives from reporting.
    """
    if prev is ...:
        prev = previous_return(ret)
    context = context_for(ret, prev=prev)  # type: ignore[arg-type]
    findings = evaluate_rules(active_rules() if rules is None else rules, context)
    return sorted(findings, key=lambda f: (not f.is_error,))


def evaluate_rules(rules: Iterable[ValidationRule], context: RuleContext) -> list[Finding]:
    findings: list[Finding] = []
    for rule in rules:
        if not rule.applies_to_kind(context.kind):
            continue
        try:
            findings.extend(evaluate_rule(rule, context))
        except ExpressionError as err:
            logger.warning("Validation rule %s cannot be evaluated: %s", rule.code, err)
    return findings


def _expression(text: str) -> Expression:
    return cached_expression(text, VOCABULARY)


def evaluate_rule(rule: ValidationRule, context: RuleContext) -> list[Finding]:
    """The findings of one rule: none, one, or (for a rule over `value`) one per failing field."""
    condition = _expression(rule.condition) if rule.condition.strip() else None
    check = _expression(rule.check_expression)
    objects = {"prev": context.prev, "org": context.org}
    fields = [f for f in rule.field_list if f in FIELDS_BY_NAME]
    per_field = "value" in check.names or (condition is not None and "value" in condition.names)
    targets: list[str | None] = list(fields) if per_field else [None]
    out = []
    for target in targets:
        env = dict(context.values)
        if target is not None:
            env["value"] = context.values.get(target)
        if condition is not None and condition.evaluate(env, objects) is not True:
            continue
        outcome = check.evaluate(env, objects)
        if outcome is None or bool(outcome):
            continue
        field = target or (fields[0] if fields else "")
        message = render_message(rule.message_template(), env, objects, label_field=target)
        out.append(
            Finding(
                field=field,
                severity=rule.severity,
                code=rule.code,
                message=message,
                fields=(target,) if target else tuple(fields),
            )
        )
    return out


def format_value(value: Any, *, plain: bool = False) -> str:
    """A figure as the active language writes it: 1.234,5 in Vietnamese; blank as an em dash."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | Decimal | float):
        number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        try:
            # Up to two decimals, without trailing zeros: 45,25 and 45,5 and 45.
            rounded = number.quantize(Decimal("0.01"))
        except decimal.InvalidOperation:
            return str(value)
        decimals = len(format(rounded.normalize(), "f").partition(".")[2])
        if plain:
            return format(rounded, f".{decimals}f")
        return number_format(rounded, decimal_pos=decimals, use_l10n=True, force_grouping=True)
    return str(value)


def render_message(
    template: str,
    env: Mapping[str, Any],
    objects: Mapping[str, Mapping[str, Any]],
    *,
    label_field: str | None = None,
) -> str:
    """Fill `{expression}` placeholders; an expression that fails leaves its placeholder as written."""

    def fill(match: re.Match) -> str:
        inner = match.group(1).strip()
        plain = inner.endswith(_PLAIN)
        if plain:
            inner = inner[: -len(_PLAIN)].strip()
        if inner == "label":
            spec = FIELDS_BY_NAME.get(label_field or "")
            return str(spec.label) if spec else match.group(0)
        try:
            return format_value(_expression(inner).evaluate(env, objects), plain=plain)
        except ExpressionError:
            return match.group(0)

    return _PLACEHOLDER.sub(fill, template)


def compile_rule_parts(rule: ValidationRule) -> dict[str, str]:
    """Errors of a rule's expressions and placeholders, by model field name (for ValidationRule.clean)."""
    errors: dict[str, str] = {}
    parts = {"condition": rule.condition, "check_expression": rule.check_expression}
    for name, text in parts.items():
        if name == "condition" and not (text or "").strip():
            continue
        try:
            _expression(text or "")
        except ExpressionError as err:
            errors[name] = str(err)
    for name in ("message_vi", "message_en"):
        for match in _PLACEHOLDER.finditer(getattr(rule, name) or ""):
            inner = match.group(1).strip().removesuffix(_PLAIN).strip()
            if inner == "label":
                continue
            try:
                _expression(inner)
            except ExpressionError as err:
                errors[name] = f"{{{inner}}}: {err}"
                break
    return errors


def load_rule_fixture(path: Path = RULES_FIXTURE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def rules_load(model: Any, rows: list[dict[str, Any]] | None = None) -> tuple[int, int]:
    """Create or update the shipped rules by code (`model` may be a migration's historical model).

    Rules a province added itself, with other codes, are left alone. Returns (created, updated).
    """
    created = updated = 0
    for order, row in enumerate(rows if rows is not None else load_rule_fixture(), start=1):
        values = {
            "severity": row["severity"],
            "kinds": ",".join(row.get("kinds", [])),
            "condition": row.get("condition", ""),
            "check_expression": row["check"],
            "fields": ",".join(row["fields"]),
            "message_vi": row["message_vi"],
            "message_en": row["message_en"],
            "description": row.get("description", ""),
            "order": row.get("order", order * 10),
        }
        _obj, was_created = model.objects.update_or_create(code=row["code"], defaults=values)
        created += was_created
        updated += not was_created
    return created, updated
