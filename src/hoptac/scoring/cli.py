"""Schemes as plain records, for `hoptac schemes --format json|table` (and any other reader of them)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from hoptac.indicators.cli import json_number
from hoptac.units.cli import format_table

from .models import Scheme
from .rules import load_scheme, scheme_problems
from .schemes import schemes_with_data


def _number(value: Decimal | None) -> int | float | None:
    return json_number(value)


def scheme_record(scheme: Scheme) -> dict[str, Any]:
    """A scheme version with its criteria (in order, with their parent's number), thresholds and rules."""
    data = load_scheme(scheme)
    numbers = {c.pk: c.number for c in data.criteria}
    return {
        "code": scheme.code,
        "version": scheme.version,
        "name_vi": scheme.name_vi,
        "name_en": scheme.name_en,
        "legal_basis": scheme.legal_basis,
        "active": scheme.active,
        "parent_version": scheme.parent.version if scheme.parent_id else None,
        "kinds": scheme.kind_list,
        "sectors": sorted(s.code for s in scheme.sectors.all()),
        "priority": scheme.priority,
        "total_points": _number(scheme.total_points),
        "complete": not scheme_problems(data),
        "problems": scheme_problems(data),
        "thresholds": [
            {"class": t.klass, "min_points": _number(t.min_points), "confirmed": t.confirmed}
            for t in data.thresholds
        ],
        "rules": [
            {
                "kind": r.kind,
                "condition": r.condition,
                "months": r.months,
                "class": r.klass or None,
                "confirmed": r.confirmed,
            }
            for r in data.rules
        ],
        "criteria": [
            {
                "number": c.number,
                "parent": numbers.get(c.parent_id),
                "title_vi": c.title_vi,
                "title_en": c.title_en,
                "max_points": _number(data.max_of(c)),
                "rule": c.rule,
                "expression": c.expression or None,
                "precondition": c.precondition or None,
                "bands": c.bands or None,
                "confirmed": c.confirmed,
                "source": c.source_note,
            }
            for c, _depth in data.walk()
        ],
    }


def schemes_records(*, include_inactive: bool = False) -> list[dict[str, Any]]:
    qs = Scheme.objects.order_by("code", "-version")
    if not include_inactive:
        qs = qs.filter(active=True)
    return [scheme_record(s) for s in schemes_with_data(qs.select_related("parent"))]


def _bands_text(bands: list[dict[str, Any]] | None) -> str:
    if not bands:
        return ""
    parts = []
    for band in bands:
        low, high = band.get("min"), band.get("max")
        span = f"[{'' if low is None else low}, {'' if high is None else high})"
        parts.append(f"{span} → {band['points']}")
    return "; ".join(parts)


def schemes_table(records: list[dict[str, Any]]) -> str:
    """Each scheme as a heading, its classes and rules, and an aligned table of its criteria."""
    blocks = []
    for r in records:
        state = _("in force") if r["active"] else _("not in force")
        lines = [f"{r['name_vi']} — {r['code']} v{r['version']} ({state})"]
        lines.append(
            _("Classes: %(classes)s")
            % {"classes": ", ".join(f"{t['class']} ≥ {t['min_points']}" for t in r["thresholds"])}
        )
        for rule in r["rules"]:
            target = rule["class"] or _("not rated")
            lines.append(_("Rule: %(condition)s %(months)s → %(target)s") % {
                "condition": rule["condition"], "months": rule["months"] or "", "target": target,
            })  # fmt: skip
        for problem in r["problems"]:
            lines.append(_("Incomplete: %(problem)s") % {"problem": problem})
        rows = [
            [
                c["number"],
                c["title_vi"],
                "" if c["max_points"] is None else str(c["max_points"]),
                c["rule"],
                c["expression"] or "",
                _bands_text(c["bands"]),
                _("yes") if c["confirmed"] else _("NO"),
            ]
            for c in r["criteria"]
        ]
        lines.append(
            format_table(
                [_("No."), _("Criterion"), _("Max"), _("Rule"), _("Expression"), _("Bands"), _("Confirmed")],
                rows,
                right=[2],
            )
        )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
