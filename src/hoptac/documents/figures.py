"""The figures of an annual report, read from the data once and frozen as JSON (a ReportSnapshot).

    from hoptac.documents.figures import collect

    figures, fingerprint = collect(unit, 2024)

Everything the report shows comes from here, and nothing else reads the database when the report is
written: the same figures give the same report, whenever it is generated again. Sources:

- the indicators engine (`indicators.engine.compute`), for the registry and the approved yearly
  returns: the province's own indicator definitions by code (`htx-existing`, `htx-members` …) and a
  few definitions of the report itself, in the same grammar (`REPORT_DEFINITIONS`: groups and unions
  existing and ended, cooperatives by sector, returns by classification), all computed by one call,
  for the unit (five years, for the trends) and its sub-units (the report's year);
- the targets of the plans whose area is the unit, with their progress (`indicators.progress`);
- the official classification (app `scoring`), the action programme's tasks and the budget (app
  `programme`), read only when those apps keep data for the year; a section without data says so.

Numbers are JSON integers or exact decimal strings ("49.30"); `None` is "no data".
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, Q, Sum
from django.utils import timezone, translation

from hoptac.accounts.access import unit_scope_q
from hoptac.indicators.engine import NO_DATA, Value, compute
from hoptac.indicators.models import Indicator, Plan, Target
from hoptac.indicators.progress import targets_progress
from hoptac.registry.models import Organisation, Sector
from hoptac.returns.fields import Classification
from hoptac.returns.models import AnnualReturn
from hoptac.units.models import Unit

SCHEMA = 1
TREND_YEARS = 5
HTX_KINDS = ["htx", "qtdnd"]
CLASSES = [c.value for c in Classification]

# The province's indicators the report reads (by code; a code an administrator removed is "no data").
ORGANISATION_CODES = [
    "htx-existing",
    "htx-active",
    "htx-founded",
    "htx-ended",
    "htx-dormant",
    "tht-active",
    "tht-founded",
    "lhhtx-active",
    "lhhtx-founded",
    "communes-with-htx",
    "communes-with-htx-share",
    "union-members",
    "union-members-share",
]
PEOPLE_CODES = [
    "htx-members",
    "htx-members-growth",
    "htx-workers",
    "htx-income-member",
    "htx-income-worker",
    "htx-income",
    "tht-income",
    "htx-managers-trained",
    "htx-managers-trained-share",
    "htx-high-technology-share",
    "htx-value-chain-share",
    "htx-credit-access-share",
    "credit-bad-debt-ratio",
]
CLASSIFICATION_CODES = ["htx-effective-share", "htx-weak-share", "htx-effective-share-official"]
# What the table by commune shows for every sub-unit (the report's year only).
CHILD_CODES = [
    "htx-existing",
    "htx-active",
    "htx-founded",
    "report-tht-existing",
    "tht-active",
    "report-lhhtx-existing",
    "htx-members",
    "htx-workers",
]


def _definition(code: str, name_vi: str, name_en: str, filters: dict, **fields: Any) -> Indicator:
    """An indicator the report computes that is not one of the province's (never saved)."""
    fields.setdefault("source", Indicator.Source.ORGANISATIONS)
    fields.setdefault("aggregation", Indicator.Aggregation.COUNT)
    fields.setdefault("period", Indicator.Period.STOCK)
    fields.setdefault("unit", Indicator.Measure.COUNT)
    return Indicator(code=code, name_vi=name_vi, name_en=name_en, filters=filters, **fields)


# Definitions of the report itself, in the indicators' grammar (docs/indicators.md), for the figures
# the province's list does not hold. Names are data, in both languages, as the indicators' are.
REPORT_DEFINITIONS = [
    _definition(
        "report-tht-existing",
        "Số tổ hợp tác trên địa bàn cuối năm",
        "Cooperative groups existing at the end of the year",
        {"kinds": ["tht"]},
    ),
    _definition(
        "report-lhhtx-existing",
        "Số liên hiệp HTX trên địa bàn cuối năm",
        "Unions of cooperatives existing at the end of the year",
        {"kinds": ["lhhtx"]},
    ),
    _definition(
        "report-tht-ended",
        "Số tổ hợp tác chấm dứt hoạt động trong năm",
        "Cooperative groups ended in the year",
        {"kinds": ["tht"]},
        period=Indicator.Period.ENDED,
    ),
    _definition(
        "report-lhhtx-ended",
        "Số liên hiệp HTX giải thể, chấm dứt hoạt động trong năm",
        "Unions of cooperatives dissolved or ended in the year",
        {"kinds": ["lhhtx"]},
        period=Indicator.Period.ENDED,
    ),
    _definition(
        "report-htx-returns",
        "Số HTX có báo cáo năm được phê duyệt",
        "Cooperatives with an approved yearly return",
        {"kinds": HTX_KINDS},
        source=Indicator.Source.RETURNS,
    ),
]


def _sector_definitions(sectors: list[Sector]) -> list[Indicator]:
    out = []
    for s in sectors:
        filters = {"kinds": HTX_KINDS, "sectors": [s.code]}
        out.append(
            _definition(f"report-htx-existing-{s.code}", s.name_vi, s.name_en, filters),
        )
        out.append(
            _definition(
                f"report-htx-active-{s.code}", s.name_vi, s.name_en, {**filters, "statuses": ["active"]}
            )
        )
    return out


def _class_definitions() -> list[Indicator]:
    """Cooperatives by class: in the approved returns (self-classification) and in the confirmed
    official score sheets (source "scores", kept by the `scoring` app; "no data" without it)."""
    labels = {}
    for c in Classification:
        with translation.override("vi"):
            vi = str(c.label)
        with translation.override("en"):
            en = str(c.label)
        labels[c.value] = (vi, en)
    return [
        _definition(
            f"report-htx-class-{value}",
            labels[value][0],
            labels[value][1],
            {"kinds": HTX_KINDS, "returns": {"self_classification": [value]}},
            source=Indicator.Source.RETURNS,
        )
        for value in CLASSES
    ] + [
        _definition(
            f"report-htx-score-{value}",
            labels[value][0],
            labels[value][1],
            {"kinds": HTX_KINDS, "classes": [value]},
            source=Indicator.Source.SCORES,
        )
        for value in CLASSES
    ]


# -- numbers in JSON -----------------------------------------------------------------------------------


def number(value: Decimal | int | None) -> int | str | None:
    """An int stays an int, a Decimal becomes its exact string (so "50.00" keeps its two decimals)."""
    if value is None or isinstance(value, int):
        return value
    return str(value)


def value_json(v: Value) -> dict[str, Any]:
    return {
        "value": number(v.value),
        "numerator": number(v.numerator),
        "denominator": number(v.denominator),
        "n": v.n_orgs,
    }


# -- collecting ----------------------------------------------------------------------------------------


def sub_units(unit: Unit) -> list[Unit]:
    """The units the table by commune shows: the communes of a district or of a current province, the
    districts of a legacy province; none under a commune."""
    return list(Unit.objects.filter(parent=unit).order_by("path"))


def unit_json(unit: Unit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "key": unit.key,
        "name": unit.name,
        "level": unit.level,
        "era": unit.era,
        "division_type": unit.division_type,
        "path": unit.path,
        "parent": unit.parent.name if unit.parent_id else "",
        "province": _province_name(unit),
    }


def _province_name(unit: Unit) -> str:
    u = unit
    while u.parent_id is not None:
        u = u.parent
    return u.name


def collect(unit: Unit, year: int) -> dict[str, Any]:
    """Read every figure of `unit`'s report for `year`.

    The caller runs this in one transaction (services.snapshot_take), so that every query reads the
    same state of the data. A fixed number of queries, whatever the number of organisations.
    """
    years = list(range(year - TREND_YEARS + 1, year + 1))
    children = sub_units(unit)
    sectors = list(Sector.objects.filter(parent__isnull=True))
    registered = {
        i.code: i
        for i in Indicator.objects.filter(code__in=ORGANISATION_CODES + PEOPLE_CODES + CLASSIFICATION_CODES)
    }
    definitions = [
        *registered.values(),
        *REPORT_DEFINITIONS,
        *_sector_definitions(sectors),
        *_class_definitions(),
    ]
    values = compute(definitions, [unit, *children], years)

    def unit_values(code: str) -> dict[str, Any]:
        return {str(y): value_json(values.get((code, unit.id, y), NO_DATA)) for y in years}

    figures: dict[str, Any] = {
        "schema": SCHEMA,
        "unit": unit_json(unit),
        "year": year,
        "years": years,
        "definitions": {
            d.code: {
                "name_vi": d.name_vi,
                "name_en": d.name_en,
                "unit": d.unit,
                "higher_is_better": d.higher_is_better,
                "registered": d.code in registered,
            }
            for d in definitions
        },
        "values": {d.code: unit_values(d.code) for d in definitions},
        "sectors": [{"code": s.code, "name_vi": s.name_vi, "name_en": s.name_en} for s in sectors],
        "children": [
            {
                **unit_json(c),
                "values": {
                    code: value_json(values.get((code, c.id, year), NO_DATA))
                    for code in CHILD_CODES
                    if code in registered or code.startswith("report-")
                },
            }
            for c in children
        ],
    }
    for key, function in SOURCES:
        figures[key] = function(unit, year, figures)
    return figures


# -- sections with their own sources ----------------------------------------------------------------------


def classification(unit: Unit, year: int, figures: dict[str, Any]) -> dict[str, Any]:
    """The classes of the year: the official scoring (app `scoring`: confirmed score sheets, read
    through the engine's "scores" source) when it has results for the year, else the classification the
    cooperatives gave themselves in their approved returns (what `htx-effective-share` reads today)."""
    y = str(year)
    values = figures["values"]
    official = {c: values[f"report-htx-score-{c}"][y]["value"] for c in CLASSES}
    if any(v not in (None, "0", 0) for v in official.values()):
        return {"source": "scores", "counts": official, "returns": None}
    return {
        "source": "returns",
        "counts": {c: values[f"report-htx-class-{c}"][y]["value"] for c in CLASSES},
        "returns": values["report-htx-returns"][y]["value"],
    }


def targets(unit: Unit, year: int, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of the plans in force in `year` whose area is the unit and whose year is not past,
    with their progress as of `year`."""
    qs = (
        Target.objects.filter(area=unit, plan__start_year__lte=year, plan__end_year__gte=year, year__gte=year)
        .select_related("indicator", "plan", "area", "indicator__base")
        .order_by("plan__start_year", "plan__slug", "order", "year", "id")
    )
    found = list(qs)
    if not found:
        return []
    progress = targets_progress(found, as_of_year=year)
    out = []
    for t in found:
        p = progress[t.pk]
        out.append(
            {
                "id": t.pk,
                "plan": {
                    "slug": t.plan.slug,
                    "number": t.plan.number,
                    "title": t.plan.title,
                    "issuer": t.plan.issuer,
                },
                "indicator": t.indicator.code,
                "name_vi": t.indicator.name_vi,
                "name_en": t.indicator.name_en,
                "unit": t.indicator.unit,
                "higher_is_better": t.indicator.higher_is_better,
                "year": t.year,
                "comparator": t.comparator,
                "value": number(t.value),
                "min": number(t.min_value),
                "max": number(t.max_value),
                "each_year": t.each_year,
                "cumulative_from": t.cumulative_from,
                "base_year": t.base_year,
                "note": t.note,
                "source_ref": t.source_ref,
                "actual": number(p.actual),
                "actual_year": p.actual_year,
                "projected": number(p.projected),
                "baseline": number(p.baseline),
                "baseline_year": p.baseline_year,
                "status": str(p.status),
                "laggards": [
                    {"name": lag.unit.name, "value": number(lag.value), "impact": number(lag.impact)}
                    for lag in p.laggards[:3]
                ],
            }
        )
    return out


def _labels(choices: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Lazy labels in both languages, for the snapshot."""
    out: dict[str, dict[str, str]] = {}
    for key, label in choices.items():
        with translation.override("vi"):
            vi = str(label)
        with translation.override("en"):
            en = str(label)
        out[key] = {"vi": vi, "en": en}
    return out


def _plans_in_force(unit: Unit, year: int):
    return Plan.objects.filter(area=unit, start_year__lte=year, end_year__gte=year).order_by(
        "start_year", "slug"
    )


def tasks(unit: Unit, year: int, figures: dict[str, Any]) -> dict[str, Any]:
    """The tasks of the action programmes (app `programme`) due in `year`, for the plans in force whose
    area is the unit, with their state as the programme's board shows it on the snapshot's day: done,
    in progress, not started, late (the lead agency's report missing after the deadline) …. A task whose
    time frame ends by `year` and is not done is late too."""
    if not apps.is_installed("hoptac.programme"):
        return {"available": False}
    from hoptac.programme import queries as programme_queries
    from hoptac.programme.agencies import AgencyGraph
    from hoptac.programme.models import Agency, Task

    plans = list(_plans_in_force(unit, year).filter(tasks__isnull=False).distinct())
    if not plans:
        return {"available": False}
    graph = AgencyGraph()
    today = timezone.localdate()
    State = programme_queries.State
    items = []
    for plan in plans:
        programme = programme_queries.programme_of(plan)
        due = [
            t
            for t in Task.objects.filter(plan=plan)
            .select_related("group", "lead")
            .prefetch_related(Prefetch("coordinating", queryset=Agency.objects.order_by("name")))
            .order_by("group__order", "order", "pk")
            if year in t.years(programme)
        ]
        reports = programme_queries.reports_by_key(due, [year])
        for t in due:
            cell = programme_queries.cell_for(
                t, year, programme=programme, graph=graph, reports=reports, today=today
            )
            ended = t.end_year is not None and t.end_year <= year
            items.append(
                {
                    "plan": plan.number or plan.title,
                    "ref": t.ref,
                    "name": t.title,
                    "agency": t.lead_text or t.lead.name,
                    "due": t.timeframe_text,
                    "state": cell.state,
                    "late": cell.state == State.LATE or (ended and cell.state != State.DONE),
                    "progress": cell.progress,
                }
            )
    if not items:
        return {"available": False}
    return {"available": True, "items": items}


def budget(unit: Unit, year: int, figures: dict[str, Any]) -> dict[str, Any]:
    """The budget lines (app `programme`) of the plans in force whose area is the unit and whose period
    covers `year`: planned for the period, allocated and disbursed in the year (blank, not zero, when
    nothing is recorded for the year)."""
    if not apps.is_installed("hoptac.programme"):
        return {"available": False}
    from hoptac.programme.models import BudgetEntry, BudgetLine

    in_year = Q(entries__year=year)
    lines = list(
        BudgetLine.objects.filter(
            plan__in=_plans_in_force(unit, year), period_start__lte=year, period_end__gte=year
        )
        .annotate(
            allocated=Sum("entries__amount", filter=in_year & Q(entries__kind=BudgetEntry.Kind.ALLOCATION)),
            disbursed=Sum("entries__amount", filter=in_year & Q(entries__kind=BudgetEntry.Kind.DISBURSEMENT)),
        )
        .order_by("plan__start_year", "period_start", "order", "pk")
    )
    if not lines:
        return {"available": False}
    sources = _labels(dict(BudgetLine.Source.choices))
    return {
        "available": True,
        "recorded": any(line.allocated is not None or line.disbursed is not None for line in lines),
        "lines": [
            {
                "source": line.source,
                "source_vi": sources.get(line.source, {}).get("vi", line.source),
                "source_en": sources.get(line.source, {}).get("en", line.source),
                "purpose": line.purpose,
                "period": line.period,
                "planned": number(line.planned),
                "allocated": number(line.allocated),
                "disbursed": number(line.disbursed),
            }
            for line in lines
        ],
    }


SOURCES: list[tuple[str, Callable[[Unit, int, dict[str, Any]], Any]]] = [
    ("classification", classification),
    ("targets", targets),
    ("tasks", tasks),
    ("budget", budget),
]


# -- fingerprint -------------------------------------------------------------------------------------------


def _digest(rows: Iterable[tuple]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(("|".join("" if x is None else str(x) for x in row) + "\n").encode())
    return h.hexdigest()


def fingerprint(unit: Unit) -> dict[str, Any]:
    """What the figures were read from: the approved returns (id and version) and the organisations
    (id and last change) under the unit, as digests, so that a page can tell whether newer data exists."""
    returns = list(
        AnnualReturn.objects.filter(status=AnnualReturn.Status.APPROVED)
        .filter(unit_scope_q(unit, "organisation__"))
        .order_by("pk")
        .values_list("pk", "version")
    )
    organisations = (
        Organisation.objects.filter(unit_scope_q(unit)).order_by("pk").values_list("pk", "updated_at")
    )
    return {
        "returns_count": len(returns),
        "returns_digest": _digest(returns),
        "registry_digest": _digest(organisations),
    }
