"""Every write of indicator definitions, plans and targets: the fixtures' loaders and the admin's save.

Definitions and plans are data held in this app's fixtures (`fixtures/indicators.json`,
`fixtures/plans/<slug>.json`) and upserted by their natural keys, so loading twice changes nothing and a
definition corrected in the fixture reaches every database through `hoptac loadindicators` (a data
migration loads them once).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hoptac.accounts.models import User

FIXTURES = Path(__file__).parent / "fixtures"
INDICATORS_FIXTURE = FIXTURES / "indicators.json"
PLANS_DIR = FIXTURES / "plans"

_DEFINITION_FIELDS = (
    "name_vi",
    "name_en",
    "unit",
    "description",
    "source",
    "aggregation",
    "period",
    "filters",
    "subset",
    "figures",
    "base_year",
    "higher_is_better",
    "order",
)


@dataclass(frozen=True)
class LoadReport:
    created: int
    updated: int
    unchanged: int
    deleted: int = 0


def indicator_rows() -> list[dict[str, Any]]:
    """The definitions of the fixture, as dicts (`references` a list of strings)."""
    return json.loads(INDICATORS_FIXTURE.read_text(encoding="utf-8"))


def indicators_load(Indicator=None, *, validate: bool = True) -> LoadReport:
    """Create or update every definition of the fixture, by code; definitions not in it are left alone.

    `Indicator` is the model to write (a migration passes its historical model, which has no clean():
    then `validate` must be False). With `validate`, every definition is checked by Indicator.clean()
    first and nothing is written if one fails (ValidationError naming the code).
    """
    if Indicator is None:
        from .models import Indicator
    rows = indicator_rows()
    with transaction.atomic():
        existing = {i.code: i for i in Indicator.objects.all()}
        created = updated = unchanged = 0
        # Bases first: a growth points at its base by id.
        for row in sorted(rows, key=lambda r: r.get("base") is not None):
            values = {field: row.get(field) for field in _DEFINITION_FIELDS}
            values["filters"] = values["filters"] or {}
            values["subset"] = values["subset"] or {}
            values["figures"] = values["figures"] or {}
            values["references"] = "\n".join(row.get("references") or [])
            values["base"] = existing[row["base"]] if row.get("base") else None
            obj = existing.get(row["code"])
            if obj is None:
                obj = Indicator(code=row["code"], **values)
                created += 1
            elif any(getattr(obj, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(obj, k, v)
                updated += 1
            else:
                unchanged += 1
                continue
            if validate:
                try:
                    obj.full_clean()
                except ValidationError as err:
                    raise ValidationError(
                        _("Indicator %(code)s: %(errors)s")
                        % {"code": row["code"], "errors": "; ".join(err.messages)}
                    ) from err
            obj.save()
            existing[row["code"]] = obj
    return LoadReport(created, updated, unchanged)


@transaction.atomic
def indicator_save(*, indicator, actor: User):
    """Save a definition changed by a system administrator, after Indicator.clean() accepts it."""
    if not (actor.is_authenticated and actor.is_admin_role):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only a system administrator may change indicator definitions."))
    indicator.full_clean()
    indicator._history_user = actor
    indicator.save()
    return indicator


def plan_slugs() -> list[str]:
    """The plans the project ships, by slug."""
    return sorted(p.stem for p in PLANS_DIR.glob("*.json"))


def plan_fixture(slug: str) -> dict[str, Any]:
    path = PLANS_DIR / f"{slug}.json"
    if not path.exists():
        raise ValidationError(
            _("No plan “%(slug)s” in the project; known plans: %(known)s.")
            % {"slug": slug, "known": ", ".join(plan_slugs())}
        )
    return json.loads(path.read_text(encoding="utf-8"))


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class PlanLoadReport:
    plan: Any
    created: int
    updated: int
    unchanged: int
    deleted: int
    programme: Any = None  # programme.services.ProgrammeLoadReport when the file holds tasks or a budget


@transaction.atomic
def plan_load(*, slug: str) -> PlanLoadReport:
    """Create or update a plan of the project and its targets from `fixtures/plans/<slug>.json`.

    Targets are matched by (indicator, area, year): a second run changes nothing; a target removed
    from the fixture is deleted. Every target is checked by Target.clean(); the first that fails stops
    the load with nothing written (ValidationError naming the target). The indicator definitions must
    be loaded (a migration does it) and the administrative units too (`hoptac loadunits`).
    """
    from hoptac.units.services import UnitLookupError, resolve_unit

    from .models import Indicator, Plan, Target

    data = plan_fixture(slug)

    def unit(key: str):
        try:
            return resolve_unit(key)
        except UnitLookupError as err:
            raise ValidationError(
                _("Plan %(slug)s: area “%(key)s”: %(error)s") % {"slug": slug, "key": key, "error": err}
            ) from err

    area = unit(data["area"])
    fields = {
        "number": data.get("number", ""),
        "title": data["title"],
        "issuer": data["issuer"],
        "issued_on": datetime.date.fromisoformat(data["issued_on"]) if data.get("issued_on") else None,
        "date_text": data.get("date_text", ""),
        "area": area,
        "start_year": data["start_year"],
        "end_year": data["end_year"],
        "source": data.get("source", ""),
        "notes": data.get("notes", ""),
    }
    plan = Plan.objects.filter(slug=slug).first()
    if plan is None:
        plan = Plan(slug=slug, **fields)
    else:
        for k, v in fields.items():
            setattr(plan, k, v)
    plan.full_clean()
    plan.save()

    codes = {t["indicator"] for t in data.get("targets", [])}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    missing = sorted(codes - set(indicators))
    if missing:
        raise ValidationError(
            _("Plan %(slug)s names unknown indicators: %(codes)s (run `hoptac loadindicators`).")
            % {"slug": slug, "codes": ", ".join(missing)}
        )
    areas = {data["area"]: area}
    existing = {(t.indicator_id, t.area_id, t.year): t for t in plan.targets.all()}
    seen = set()
    created = updated = unchanged = 0
    for order, row in enumerate(data.get("targets", []), start=1):
        key_text = row.get("area", data["area"])
        if key_text not in areas:
            areas[key_text] = unit(key_text)
        indicator = indicators[row["indicator"]]
        values = {
            "comparator": row["comparator"],
            "value": _decimal(row.get("value")),
            "min_value": _decimal(row.get("min")),
            "max_value": _decimal(row.get("max")),
            "unit": row.get("unit") or indicator.unit,
            "each_year": bool(row.get("each_year", False)),
            "cumulative_from": row.get("cumulative_from"),
            "base_year": row.get("base_year"),
            "note": row.get("note", ""),
            "source_ref": row.get("source_ref", ""),
            "order": order * 10,
        }
        key = (indicator.pk, areas[key_text].pk, row["year"])
        seen.add(key)
        target = existing.get(key)
        if target is None:
            target = Target(plan=plan, indicator=indicator, area=areas[key_text], year=row["year"], **values)
            created += 1
        elif any(getattr(target, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(target, k, v)
            updated += 1
        else:
            unchanged += 1
            continue
        try:
            target.full_clean()
        except ValidationError as err:
            raise ValidationError(
                _("Plan %(slug)s, target %(code)s %(year)s: %(errors)s")
                % {
                    "slug": slug,
                    "code": indicator.code,
                    "year": row["year"],
                    "errors": "; ".join(err.messages),
                }
            ) from err
        target.save()
    stale = [t.pk for key, t in existing.items() if key not in seen]
    Target.objects.filter(pk__in=stale).delete()
    # Agencies, tasks, the reporting deadline and the budget belong to the action programme.
    from hoptac.programme.services import plan_programme_load

    programme = plan_programme_load(plan=plan, data=data)
    return PlanLoadReport(plan, created, updated, unchanged, len(stale), programme)


def plans_load_all() -> list[PlanLoadReport]:
    """Load every plan the project ships (`hoptac loadplan --all`; the demo calls it)."""
    return [plan_load(slug=slug) for slug in plan_slugs()]
