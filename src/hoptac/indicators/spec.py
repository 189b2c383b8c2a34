"""The grammar of an indicator's `filters`, `subset` and `figures`, checked by Indicator.clean().

`filters` choose the population an indicator counts; `subset` (shares only) the part of it that makes
the numerator. Both are JSON objects with these keys, every one optional:

    kinds         ["htx", "qtdnd"]                organisation kinds (registry.models.Kind)
    sectors       ["nong-nghiep"]                 top-level sector codes (registry Sector.code)
    subsectors    ["trong-trot"]                  sub-sector codes
    statuses      ["active"]                      status in force on 31/12 of the year, read from
                                                  the status history (stock indicators only)
    supporters    ["hnd"]                         founding supporter (registry.models.Supporter)
    union_member  true                            member of the provincial cooperative union
    laws          ["2012", "2023"]                law of registration
    returns       {"self_classification": ["tot", "kha"], "high_technology": true,
                   "managers": {"gt": 0}, "credit_access": {"present": true}}
                                                  conditions on the approved yearly return
                                                  (source "returns" only)
    min_stars     4                               OCOP stars (source "products" only)
    topic         "consolidation"                 kind of support record (source "support" only)
    classes       ["tot", "kha"]                  official classes (source "scores" only)

A condition on a return's figure is a list (the figure is one of these values), true or false (a yes/no
figure), {"present": true|false} (reported or blank), or comparisons {"gt"|"gte"|"lt"|"lte": number}
that all hold. `members_official` (individuals + households + legal entities) can be used like a figure.

`figures` names what is added up (source "returns"):

    sum               {"value": ["workers"]}                      Σ of the figures
    weighted_average  {"terms": [["income_member", "members_official"], ["income_worker", "workers"]]}
                      Σ(value × weight) / Σ weight over the returns where both are reported; the
                      weight "one" gives the plain mean
    ratio             {"numerator": ["managers_college", "managers_intermediate"],
                       "denominator": ["managers"],
                       "reported": ["managers_university", "managers_college", …]}
                      Σ numerator / Σ denominator over the returns that report the denominator and at
                      least one of the `reported` figures (default: the numerator's), a blank numerator
                      figure then counting as 0: a return that gives the managers' education by level
                      has no university graduate when it leaves that level blank
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

ORGANISATION_KEYS = ("kinds", "sectors", "subsectors", "statuses", "supporters", "union_member", "laws")
SOURCE_KEYS = {
    "returns": ("returns",),
    "products": ("min_stars",),
    "support": ("topic",),
    "scores": ("classes",),
}
# Figures that are not columns: the official members, and the constant weight of a plain mean.
MEMBERS_OFFICIAL = ("members_individual", "members_household", "members_legal_entity")
VIRTUAL_FIGURES = ("members_official",)
ONE = "one"
COMPARISONS = ("gt", "gte", "lt", "lte")


def _figure_specs() -> dict[str, Any]:
    from hoptac.returns.fields import FIELDS_BY_NAME

    return FIELDS_BY_NAME


def is_numeric_figure(name: str) -> bool:
    if name in VIRTUAL_FIGURES:
        return True
    spec = _figure_specs().get(name)
    return spec is not None and spec.is_number


def check_conditions(value: Any, *, source: str, period: str, label: str) -> list[str]:
    """Error messages for a `filters` or `subset` object; empty when it is well formed."""
    from hoptac.registry.models import Kind, Law, Sector, Status, Supporter

    if value in (None, ""):
        return []
    if not isinstance(value, dict):
        return [_('%(field)s must be a JSON object such as {"kinds": ["htx"]}.') % {"field": label}]
    errors: list[str] = []
    allowed = (*ORGANISATION_KEYS, *SOURCE_KEYS.get(source, ()))
    for key in value:
        if key not in allowed:
            errors.append(
                _("%(field)s: unknown key “%(key)s” for the source “%(source)s”; allowed: %(allowed)s.")
                % {"field": label, "key": key, "source": source, "allowed": ", ".join(allowed)}
            )

    def choice_list(key: str, known: list[str]) -> None:
        if key not in value:
            return
        items = value[key]
        if not isinstance(items, list) or not items or not all(isinstance(i, str) for i in items):
            errors.append(
                _("%(field)s: “%(key)s” must be a non-empty list of codes.") % {"field": label, "key": key}
            )
            return
        unknown = [i for i in items if i not in known]
        if unknown:
            errors.append(
                _("%(field)s: unknown value(s) in “%(key)s”: %(values)s; known: %(known)s.")
                % {"field": label, "key": key, "values": ", ".join(unknown), "known": ", ".join(known)}
            )

    choice_list("kinds", list(Kind.values))
    choice_list("statuses", list(Status.values))
    choice_list("supporters", [v for v in Supporter.values if v])
    choice_list("laws", list(Law.values))
    if "sectors" in value or "subsectors" in value:
        top = list(Sector.objects.filter(parent__isnull=True).values_list("code", flat=True))
        sub = list(Sector.objects.filter(parent__isnull=False).values_list("code", flat=True))
        choice_list("sectors", top)
        choice_list("subsectors", sub)
    if "statuses" in value and period != "stock":
        errors.append(
            _(
                "%(field)s: “statuses” is the status in force at the end of the year, so it needs the period “stock”."
            )
            % {"field": label}
        )
    if "union_member" in value and not isinstance(value["union_member"], bool):
        errors.append(_("%(field)s: “union_member” must be true or false.") % {"field": label})
    if "returns" in value:
        errors += _check_return_conditions(value["returns"], label)
    if "min_stars" in value and value["min_stars"] not in (3, 4, 5):
        errors.append(_("%(field)s: “min_stars” must be 3, 4 or 5.") % {"field": label})
    if "topic" in value and not (isinstance(value["topic"], str) and value["topic"]):
        errors.append(_("%(field)s: “topic” must be a word naming the kind of support.") % {"field": label})
    if "classes" in value:
        from hoptac.returns.fields import Classification

        choice_list("classes", list(Classification.values))
    return errors


def _check_return_conditions(conditions: Any, label: str) -> list[str]:
    if not isinstance(conditions, dict) or not conditions:
        return [_("%(field)s: “returns” must be an object of conditions on figures.") % {"field": label}]
    from hoptac.returns.fields import Type

    specs = _figure_specs()
    errors = []
    for name, cond in conditions.items():
        spec = specs.get(name)
        if spec is None and name not in VIRTUAL_FIGURES:
            errors.append(_("%(field)s: unknown figure “%(name)s”.") % {"field": label, "name": name})
            continue
        where = {"field": label, "name": name}
        if isinstance(cond, bool):
            if spec is None or spec.type != Type.BOOLEAN:
                errors.append(
                    _("%(field)s: “%(name)s” is not a yes/no figure; true or false do not apply.") % where
                )
        elif isinstance(cond, list):
            if not cond:
                errors.append(_("%(field)s: the list of values for “%(name)s” is empty.") % where)
            elif spec is not None and spec.type == Type.CHOICE:
                known = [c for c, _label in spec.choices]
                unknown = [str(c) for c in cond if c not in known]
                if unknown:
                    errors.append(
                        _("%(field)s: “%(name)s” has no value(s) %(values)s; known: %(known)s.")
                        % {**where, "values": ", ".join(unknown), "known": ", ".join(known)}
                    )
            elif not all(isinstance(c, int | float) and not isinstance(c, bool) for c in cond):
                errors.append(_("%(field)s: the values listed for “%(name)s” must be numbers.") % where)
        elif isinstance(cond, dict) and cond:
            for op, operand in cond.items():
                if op == "present":
                    if not isinstance(operand, bool):
                        errors.append(_("%(field)s: “present” of “%(name)s” must be true or false.") % where)
                elif op in COMPARISONS:
                    if not is_numeric_figure(name):
                        errors.append(
                            _("%(field)s: “%(name)s” is not a number; it cannot be compared.") % where
                        )
                    elif not isinstance(operand, int | float) or isinstance(operand, bool):
                        errors.append(_("%(field)s: “%(name)s” must be compared with a number.") % where)
                else:
                    errors.append(
                        _("%(field)s: unknown test “%(op)s” on “%(name)s”; use present, gt, gte, lt or lte.")
                        % {**where, "op": op}
                    )
        else:
            errors.append(
                _("%(field)s: the condition on “%(name)s” must be a list, true/false or an object.") % where
            )
    return errors


def _figure_list(items: Any, *, allow_one: bool = False) -> list[str] | None:
    if not isinstance(items, list) or not items:
        return None
    names = []
    for item in items:
        if not isinstance(item, str):
            return None
        if not (is_numeric_figure(item) or (allow_one and item == ONE)):
            return None
        names.append(item)
    return names


def check_figures(value: Any, *, aggregation: str, source: str) -> list[str]:
    """Error messages for `figures`, given the aggregation; empty when it is well formed."""
    needs = {"sum": "value", "weighted_average": "terms", "ratio": "numerator"}
    if aggregation not in needs:
        if value not in (None, {}, ""):
            return [_("Figures: only sums, weighted averages and ratios add up figures; leave it empty.")]
        return []
    if source != "returns":
        if value in (None, {}, ""):
            return []
        if not isinstance(value, dict):
            return [_("Figures must be a JSON object.")]
        return []  # sources without data in the system yet: kept as written, checked when they exist
    if not isinstance(value, dict):
        return [_("Figures must be a JSON object.")]
    if aggregation == "sum":
        if set(value) != {"value"} or _figure_list(value["value"]) is None:
            return [_('Figures of a sum: {"value": [numeric figures of the yearly return]}.')]
    elif aggregation == "weighted_average":
        terms = value.get("terms")
        ok = set(value) == {"terms"} and isinstance(terms, list) and terms
        ok = ok and all(
            isinstance(t, list)
            and len(t) == 2
            and _figure_list([t[0]]) is not None
            and _figure_list([t[1]], allow_one=True) is not None
            for t in terms
        )
        if not ok:
            return [
                _(
                    'Figures of a weighted average: {"terms": [[value figure, weight figure], …]}, the '
                    "weight a count of people or “one”."
                )
            ]
    elif aggregation == "ratio" and (
        not {"numerator", "denominator"} <= set(value) <= {"numerator", "denominator", "reported"}
        or _figure_list(value["numerator"]) is None
        or _figure_list(value["denominator"]) is None
        or ("reported" in value and _figure_list(value["reported"]) is None)
    ):
        return [
            _(
                'Figures of a ratio: {"numerator": [figures], "denominator": [figures]}, and optionally '
                '"reported": [figures whose presence means the numerator was reported].'
            )
        ]
    return []
