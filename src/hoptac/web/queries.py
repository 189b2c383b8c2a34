"""What the dashboard pages read, each a fixed number of queries whatever the number of units.

The figures come from the indicator engine (`indicators.engine.compute`), the targets' progress from
`indicators.progress.targets_progress`, the breakdowns from `indicators.queries`; this module chooses
the area, the year and the plans, and shapes the results for the pages and the JSON endpoint. Every
figure carries the link to the organisations behind it (`registry_url`, the registry list filtered by
`indicators.population`).

Scope: functions take units; the views resolve them through `area_for_user` (accounts.access).
"""

from __future__ import annotations

import copy
import datetime
import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.urls import get_urlconf, reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import User
from hoptac.indicators.engine import NO_DATA, Value, compute, status_at_year_end
from hoptac.indicators.models import Indicator, Plan, Target
from hoptac.indicators.population import has_population
from hoptac.indicators.progress import Progress, Status, targets_progress
from hoptac.indicators.queries import organisations_at_year_end
from hoptac.registry.models import Kind, Organisation, Sector
from hoptac.registry.models import Status as OrgStatus
from hoptac.returns.fields import Classification
from hoptac.returns.models import AnnualReturn
from hoptac.units.models import REFORM_DATE, Unit, UnitSuccession
from hoptac.units.services import UnitLookupError, resolve_unit

FIRST_YEAR = 2000
LAST_YEAR = 2100
FLOW_YEARS = 12  # the founded / ended chart looks this many years back
# Indicators that are rates (shares, averages, growths) compare across areas of any size: a target of
# the province applies to a commune as it is. Counts and sums belong to the area they were set for.
LEVEL_RANK = {Unit.Level.PROVINCE: 0, Unit.Level.DISTRICT: 1, Unit.Level.COMMUNE: 2}
INTENSIVE_UNITS = (Indicator.Measure.PERCENT, Indicator.Measure.MILLION_VND_PER_PERSON)
NOT_SET = "not_set"
STATUS_LABELS = {
    **{s.value: s.label for s in Status},
    NOT_SET: gettext_lazy("Set for a larger area"),
}
# Columns of the communes compared on a unit's page, in order.
COMMUNE_COLUMNS = (
    "htx-existing",
    "htx-active",
    "tht-active",
    "htx-founded",
    "htx-ended",
    "htx-members",
    "htx-workers",
    "htx-income",
    "htx-effective-share",
    "htx-weak-share",
)
CRITERION_CODE = "htx-active"  # criterion 13: a cooperative (HTX or people's credit fund) operating on 31/12


@functools.lru_cache(maxsize=8)
def _reversed(name: str, urlconf: str | None) -> str:
    return reverse(name, urlconf=urlconf)


def registry_url(**params: Any) -> str:
    """The registry list filtered by `params` (None values left out). A page links hundreds of figures:
    the list's address is reversed once."""
    base = _reversed("registry:organisation-list", get_urlconf())
    query = urlencode({k: v for k, v in params.items() if v is not None and v != ""})
    return f"{base}?{query}" if query else base


def unit_url(unit: Unit | str, year: int | None = None) -> str:
    """The unit page of `unit` (a unit or its key), for `year`."""
    key = unit if isinstance(unit, str) else unit.key
    base = _reversed("web:overview", get_urlconf())
    url = f"{base}unit/{quote(key, safe=':@')}/"
    return f"{url}?year={year}" if year is not None else url


def population_url(
    indicator: Indicator, unit: Unit, year: int, *, part: str = "", first_year: int | None = None
):
    """The registry list of the organisations behind a figure, or None when no list stands behind it."""
    if not has_population(indicator):
        return None
    years = f"{first_year}-{year}" if first_year is not None and first_year < year else str(year)
    return registry_url(indicator=indicator.code, unit=unit.key, year=years, part=part or None)


# -- caching the engine's results ------------------------------------------------------------------------
#
# The engine and the targets' progress are the dashboard's cost (a province: hundreds of milliseconds to
# seconds). Their results are cached per area, year and *data version*: a fingerprint of the area's
# organisations and of the latest change of any yearly return, definition, plan or target, read in two
# cheap queries at each request. Every write through the services changes it (they touch `updated_at`
# or write history records), so a figure is never older than the data behind it; what bypasses the
# services (bulk loads) and the sources of other apps (official scores, support records) are bounded by
# the cache's lifetime, CACHE_SECONDS, instead.

CACHE_SECONDS = 600


def data_version(unit: Unit) -> str:
    """A fingerprint of what the figures of `unit` are computed from, in two cheap queries: the number and
    latest change of the organisations under the unit (an index on their paths; status changes and
    archiving touch `updated_at`), the latest approval or reopening of a yearly return (anywhere: drafts
    do not count, and approvals are few), and the latest change of a definition, plan or target."""
    from hoptac.returns.models import AnnualReturn as R

    orgs = Organisation.objects.filter(access.unit_scope_q(unit)).aggregate(
        n=Count("pk"), t=Max("updated_at")
    )

    def latest(model, condition=None):
        history = model.history.model.objects.order_by("-history_date")
        if condition is not None:
            history = history.filter(condition)
        return Subquery(history.values("history_date")[:1])

    # Only approvals and reopenings change the figures; drafts saved during the round do not.
    counted = Q(status=R.Status.APPROVED) | Q(reopened_at__isnull=False)
    stamps = (
        Unit.objects.filter(pk=unit.pk)
        .annotate(r=latest(R, counted), i=latest(Indicator), p=latest(Plan), t=latest(Target))
        .values_list("r", "i", "p", "t")
        .first()
    )
    return f"{orgs['n']}:{orgs['t']}:{stamps}"


def _cache_key(kind: str, parts: Any) -> str:
    digest = hashlib.sha256(repr((kind, parts, get_language())).encode()).hexdigest()
    return f"hoptac:web:{kind}:{digest}"


def cached(kind: str, parts: Any, version: str | None, make):
    """`make()`, cached under (kind, parts, language, version); uncached when version is None."""
    if version is None or not getattr(settings, "HOPTAC_DASHBOARD_CACHE", True):
        return make()
    key = _cache_key(kind, (parts, version))
    value = cache.get(key)
    if value is None:
        value = make()
        cache.set(key, value, CACHE_SECONDS)
    return value


def compute_cached(definitions: list[Indicator], units: list[Unit], years: list[int], version: str | None):
    """`engine.compute`, cached per data version."""
    parts = (tuple(d.code for d in definitions), tuple(u.pk for u in units), tuple(years))
    return cached("compute", parts, version, lambda: compute(definitions, units, years))


# -- the area and the year ------------------------------------------------------------------------------


def can_view(user: User) -> bool:
    return access.figure_units(user).exists() if not user.is_admin_role else True


def area_for_user(user: User, text: str | None) -> Unit:
    """The unit named by `text` (a key such as `legacy-district:110`, an id, or a name) if `user` may
    read its figures; the user's own area when `text` is empty. Http404 otherwise, as for a missing unit."""
    units = access.figure_units(user)
    text = (text or "").strip()
    if not text:
        unit = default_area(user)
        if unit is None:
            raise Http404
        return unit
    try:
        if text.isdigit() and len(text) > 2:  # an id; two digits are a province code
            return units.select_related("parent").get(pk=int(text))
        return resolve_unit(text, queryset=units)
    except (Unit.DoesNotExist, UnitLookupError, ValueError):
        raise Http404 from None


def default_area(user: User) -> Unit | None:
    """The user's own area; for an administrator, the area of the latest plan, else the first province
    with organisations."""
    if not user.is_admin_role:
        if not access.figure_units(user).exists():
            return None
        return access.user_scope_unit(user)
    plan = (
        Plan.objects.select_related("area")
        .filter(area__era=Unit.Era.CURRENT)
        .order_by("-start_year", "id")
        .first()
    )
    if plan is not None:
        return plan.area
    path = (
        Organisation.objects.filter(archived=False)
        .exclude(current_path="")
        .values_list("current_path", flat=True)
        .first()
    )
    province = path.split("/")[0] + "/" if path else None
    qs = Unit.objects.filter(level=Unit.Level.PROVINCE, era=Unit.Era.CURRENT)
    return (qs.filter(path=province).first() if province else None) or qs.first()


def last_complete_year() -> int:
    """The current year's returns are still coming in (the round closes on 15/12): last year is complete."""
    return timezone.localdate().year - 1


def default_year(unit: Unit) -> int:
    """The latest complete year with approved returns under `unit`; last year when there is none."""
    last = last_complete_year()
    found = (
        AnnualReturn.objects.filter(status=AnnualReturn.Status.APPROVED, year__lte=last)
        .filter(access.unit_scope_q(unit, "organisation__"))
        .aggregate(y=Max("year"))["y"]
    )
    return found or last


def parse_year(text: str | None, default: int) -> int:
    """A year from the query string; Http404 for nonsense (a hand-edited URL)."""
    if not text:
        return default
    try:
        year = int(text)
    except ValueError:
        raise Http404 from None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return year


def year_choices(selected: int) -> list[int]:
    last = timezone.localdate().year
    return sorted({*range(last - 10, last + 1), selected}, reverse=True)


# -- plans and their targets' cards -----------------------------------------------------------------------


def _prefixes(path: str) -> list[str]:
    out, end = [], path.find("/")
    while end != -1:
        out.append(path[: end + 1])
        end = path.find("/", end + 1)
    return out


def _anchor_paths(unit: Unit) -> tuple[set[str], set[str]]:
    """(paths above or at the unit, paths of the same places across the reform). One query."""
    own = set(_prefixes(unit.path))
    if unit.is_legacy:
        across = UnitSuccession.objects.filter(predecessor__path__in=own, rank=0).values_list(
            "successor__path", flat=True
        )
    else:
        across = UnitSuccession.objects.filter(successor__path__in=own).values_list(
            "predecessor__path", flat=True
        )
    other = {p for path in across for p in _prefixes(path)}
    return own, other


def covering_plans(unit: Unit) -> list[Plan]:
    """Plans whose area is the unit, contains it, or is the same place across the 2025 reform."""
    own, other = _anchor_paths(unit)
    return list(
        Plan.objects.select_related("area").filter(area__path__in=own | other).order_by("-start_year", "slug")
    )


@dataclass
class Card:
    """A target as the dashboard shows it."""

    target: Target
    progress: Progress
    area: Unit  # the area the figures are for
    scope: str  # "own": set for this area; "part": set for an area that contains it; "within": a part of it
    status: str
    population_url: str | None
    series: list[tuple[int, Decimal | None]] = field(default_factory=list)
    target_area: Unit | None = None  # the area the plan set the target for

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def indicator(self) -> Indicator:
        return self.target.indicator

    def as_dict(self) -> dict[str, Any]:
        from hoptac.indicators.cli import json_number

        p, t = self.progress, self.target
        return {
            "target_id": t.pk,
            "plan": t.plan.slug,
            "indicator": t.indicator.code,
            "name": t.indicator.name,
            "unit": t.indicator.unit,
            "year": t.year,
            "target": t.describe(),
            "target_area": (self.target_area or t.area).key,
            "area": self.area.key,
            "scope": self.scope,
            "actual": json_number(p.actual),
            "actual_year": p.actual_year,
            "baseline": json_number(p.baseline),
            "baseline_year": p.baseline_year,
            "projected": json_number(p.projected),
            "status": self.status,
            "status_label": self.status_label,
            "series": [[y, json_number(v)] for y, v in self.series],
            "laggards": [
                {
                    "unit": lag.unit.key,
                    "name": lag.unit.name,
                    "value": json_number(lag.value),
                    "impact": json_number(lag.impact),
                }
                for lag in p.laggards
            ],
            "method": p.method_text,
            "organisations_url": self.population_url,
        }


@dataclass
class HeldTargets:
    """The targets a dashboard shows for an area: each held for the area it is measured on."""

    targets: list[Target]
    scopes: dict[int, str]  # target id → "own", "part" or "within"
    set_for: dict[int, Unit]  # target id → the area the plan set it for

    @property
    def key(self) -> tuple:
        return tuple((t.pk, t.area_id) for t in self.targets)


def held_targets(unit: Unit, plans: list[Plan], user: User | None = None) -> HeldTargets:
    """The targets of `plans` as they apply to `unit` (see target_cards); one or two queries."""
    if not plans:
        return HeldTargets([], {}, {})
    targets = list(
        Target.objects.filter(plan__in=plans)
        .select_related("indicator__base", "area", "plan__area")
        .order_by("plan__start_year", "plan__slug", "order", "year", "id")
    )
    plan_order = {p.pk: i for i, p in enumerate(plans)}
    targets.sort(key=lambda t: plan_order[t.plan_id])
    held: list[Target] = []
    scopes: dict[int, str] = {}
    set_for = {t.pk: t.area for t in targets}
    for t in targets:
        if t.area_id == unit.id:
            scopes[t.pk] = "own"
            held.append(t)
        elif LEVEL_RANK[t.area.level] < LEVEL_RANK[unit.level]:
            # Set for a larger area: held against this unit's own figures (a copy, never saved).
            part = copy.copy(t)
            part.area = unit
            scopes[t.pk] = "part"
            held.append(part)
        else:
            # The same place across the reform, or a part of it: shown for its own area.
            scopes[t.pk] = "within"
            held.append(t)
    within = {t.area_id for t in held if scopes[t.pk] == "within"}
    if within and user is not None and not user.is_admin_role:
        # Another era's area is read only when the user may read it (one query).
        readable = set(access.figure_units(user).filter(pk__in=within).values_list("pk", flat=True))
        held = [t for t in held if scopes[t.pk] != "within" or t.area_id in readable]
    return HeldTargets(held, scopes, set_for)


def target_cards(
    unit: Unit,
    year: int,
    *,
    plans: list[Plan] | None = None,
    user: User | None = None,
    version: str | None = None,
    held: HeldTargets | None = None,
) -> list[Card]:
    """Cards of every target of the plans covering `unit`, as of `year`, in the plans' order.

    A target set for the unit (or for the same place in the other era, or for a part of it) is shown
    for its own area with its status. A target set for a larger area (the province's target on a
    commune's dashboard) is held against the unit's own figures when the indicator is a rate (a share,
    an average, a growth); a count or a sum of the province says nothing of one commune: its status is
    then "set for a larger area". One query for the targets, then targets_progress: a fixed number
    of queries per area, whatever the number of targets and units.
    """
    if held is None:
        held = held_targets(unit, covering_plans(unit) if plans is None else plans, user)
    scopes, set_for = held.scopes, held.set_for
    held = held.targets
    if not held:
        return []
    parts = (unit.pk, year, tuple((t.pk, t.area_id) for t in held))
    progress = cached("progress", parts, version, lambda: targets_progress(held, as_of_year=year))
    cards = []
    for t in held:
        p = progress[t.pk]
        scope = scopes[t.pk]
        status = p.status
        if scope == "part" and t.indicator.unit not in INTENSIVE_UNITS:
            status = NOT_SET
        last = p.actual_year or min(year, t.year)
        first = t.cumulative_from if t.cumulative_from is not None and t.indicator.is_flow else None
        cards.append(
            Card(
                target=t,
                progress=p,
                area=t.area,
                scope=scope,
                status=status,
                population_url=population_url(t.indicator, t.area, last, first_year=first),
                series=sorted(p.series.items()),
                target_area=set_for[t.pk],
            )
        )
    return cards


def status_counts(cards: list[Card]) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for c in cards:
        counts[c.status] += 1
    order = [*Status.values, NOT_SET]
    return [(s, str(STATUS_LABELS[s]), counts[s]) for s in order if counts.get(s)]


# -- counts of organisations ------------------------------------------------------------------------------


@dataclass
class CountRow:
    key: str
    label: str
    count: int
    url: str


@dataclass
class Counts:
    total: int
    by_kind: list[CountRow]
    by_sector: list[CountRow]
    by_status: list[CountRow]
    total_url: str


def organisation_counts(unit: Unit, year: int) -> Counts:
    """The organisations existing on 31/12 of `year` under `unit`, by kind, sector and status in force
    that day; two queries (the grouped counts, the sectors)."""
    rows = (
        organisations_at_year_end(unit, year)
        .annotate(st=status_at_year_end(year))
        .values_list("kind", "sector_id", "st")
        .annotate(n=Count("pk"))
        .order_by()
    )
    kinds: dict[str, int] = defaultdict(int)
    sectors: dict[int, int] = defaultdict(int)
    statuses: dict[str, int] = defaultdict(int)
    total = 0
    for kind, sector_id, st, n in rows:
        kinds[kind] += n
        sectors[sector_id] += n
        statuses[st] += n
        total += n
    base = {"unit": unit.key, "existing_in": year}
    sector_objs = Sector.objects.filter(pk__in=sectors) if sectors else []
    return Counts(
        total=total,
        by_kind=[
            CountRow(k.value, str(k.label), kinds[k.value], registry_url(**base, kind=k.value))
            for k in Kind
            if kinds.get(k.value)
        ],
        by_sector=[
            CountRow(s.code, s.label, sectors[s.pk], registry_url(**base, sector=s.code)) for s in sector_objs
        ],
        by_status=[
            CountRow(
                s.value, str(s.label), statuses[s.value], registry_url(**base, status=s.value, year=year)
            )
            for s in OrgStatus
            if statuses.get(s.value)
        ],
        total_url=registry_url(**base),
    )


@dataclass
class Flows:
    years: list[int]
    founded: dict[str, list[int]]  # kind → counts per year
    ended: dict[str, list[int]]
    links: dict[str, dict[str, list[str]]]  # "founded"/"ended" → kind → URLs per year

    def chart(self) -> dict[str, Any]:
        labels = dict(Kind.choices)
        datasets = []
        for what, data in (("founded", self.founded), ("ended", self.ended)):
            for kind, counts in data.items():
                if any(counts):
                    datasets.append(
                        {
                            "stack": what,
                            "kind": kind,
                            "label": (_("%(kind)s founded") if what == "founded" else _("%(kind)s ended"))
                            % {"kind": labels[kind]},
                            "data": counts,
                            "links": self.links[what][kind],
                        }
                    )
        return {"years": self.years, "datasets": datasets}


def organisation_flows(unit: Unit, last_year: int, *, span: int = FLOW_YEARS) -> Flows:
    """Organisations founded and ended per year and kind, over `span` years to `last_year`; two queries."""
    first = last_year - span + 1
    start, end = datetime.date(first, 1, 1), datetime.date(last_year, 12, 31)
    base = Organisation.objects.filter(archived=False).filter(access.unit_scope_q(unit))
    founded = (
        base.filter(founded_on__gte=start, founded_on__lte=end)
        .values_list(ExtractYear("founded_on"), "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ended = (
        base.filter(ended_on__gte=start, ended_on__lte=end)
        .values_list(ExtractYear("ended_on"), "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    years = list(range(first, last_year + 1))
    out: dict[str, dict[str, list[int]]] = {"founded": {}, "ended": {}}
    for what, rows in (("founded", founded), ("ended", ended)):
        table = {k.value: [0] * len(years) for k in Kind}
        for y, kind, n in rows:
            table[kind][y - first] += n
        out[what] = table
    links = {
        "founded": {
            k.value: [registry_url(unit=unit.key, kind=k.value, founded_from=y, founded_to=y) for y in years]
            for k in Kind
        },
        "ended": {
            k.value: [registry_url(unit=unit.key, kind=k.value, ended_in=y) for y in years] for k in Kind
        },
    }
    return Flows(years=years, founded=out["founded"], ended=out["ended"], links=links)


# -- a unit's page ------------------------------------------------------------------------------------------


def communes_of(unit: Unit) -> list[Unit]:
    """The communes of the unit's era under it (none for a commune); one query."""
    if unit.level == Unit.Level.COMMUNE:
        return []
    return list(
        Unit.objects.filter(level=Unit.Level.COMMUNE, era=unit.era, path__startswith=unit.path).order_by(
            "path"
        )
    )


@dataclass
class IndicatorRow:
    indicator: Indicator
    value: Value
    previous: Value
    url: str | None
    numerator_url: str | None


@dataclass
class CommuneRow:
    unit: Unit
    cells: list[tuple[Value, str | None]]
    sort_key: Any = None


def unit_figures(
    unit: Unit, year: int, *, sort: str = "", version: str | None = None
) -> tuple[list[IndicatorRow], list[Indicator], list[CommuneRow], str]:
    """Every indicator of the unit for the year and the year before, and its communes compared on the
    key indicators; one engine call (a fixed number of queries) for all of them."""
    definitions = list(Indicator.objects.select_related("base"))
    communes = communes_of(unit)
    values = compute_cached(definitions, [unit, *communes], [year - 1, year], version)
    rows = []
    for d in definitions:
        v = values.get((d.code, unit.id, year), NO_DATA)
        shares = d.aggregation == Indicator.Aggregation.SHARE and d.source != Indicator.Source.COMMUNES
        rows.append(
            IndicatorRow(
                indicator=d,
                value=v,
                previous=values.get((d.code, unit.id, year - 1), NO_DATA),
                url=population_url(d, unit, year),
                numerator_url=population_url(d, unit, year, part="numerator") if shares else None,
            )
        )
    by_code = {d.code: d for d in definitions}
    columns = [by_code[c] for c in COMMUNE_COLUMNS if c in by_code]
    commune_rows = [
        CommuneRow(
            unit=c,
            cells=[(values.get((d.code, c.id, year), NO_DATA), population_url(d, c, year)) for d in columns],
        )
        for c in communes
    ]
    sort = sort if sort.removeprefix("-") in {d.code for d in columns} | {"name"} else "name"
    key = sort.removeprefix("-")
    if key == "name":
        commune_rows.sort(key=lambda r: r.unit.name_folded, reverse=sort.startswith("-"))
    else:
        index = [d.code for d in columns].index(key)
        with_value = [r for r in commune_rows if r.cells[index][0].value is not None]
        without = [r for r in commune_rows if r.cells[index][0].value is None]
        with_value.sort(
            key=lambda r: (r.cells[index][0].value, r.unit.name_folded), reverse=sort.startswith("-")
        )
        commune_rows = with_value + without  # no data last, both ways
    return rows, columns, commune_rows, sort


TREND_CODES = ("htx-existing", "htx-active", "tht-active", "htx-founded", "htx-ended")
BREAKDOWN_LABELS = {
    "kind": gettext_lazy("By kind"),
    "sector": gettext_lazy("By sector"),
    "status": gettext_lazy("By status on 31/12"),
    "founding_year": gettext_lazy("By founding year"),
}
SOURCE_GROUPS = (
    (Indicator.Source.ORGANISATIONS, gettext_lazy("From the registry")),
    (Indicator.Source.COMMUNES, gettext_lazy("Communes")),
    (Indicator.Source.RETURNS, gettext_lazy("From the approved yearly returns")),
    (Indicator.Source.SCORES, gettext_lazy("From the official classification")),
    (Indicator.Source.PRODUCTS, gettext_lazy("OCOP products")),
    (Indicator.Source.SUPPORT, gettext_lazy("Support records")),
)


def group_rows(rows: list[IndicatorRow]) -> list[tuple[str, str, list[IndicatorRow]]]:
    """The indicators grouped by where they come from: (source, label, rows), empty groups left out."""
    out = []
    for source, label in SOURCE_GROUPS:
        found = [r for r in rows if r.indicator.source == source]
        if found:
            out.append((source, str(label), found))
    return out


def breakdown_links(unit: Unit, year: int, by: str, b) -> list[str | None]:
    """For each row of a breakdown, the registry list of its organisations."""
    base = {"unit": unit.key, "existing_in": year}
    out: list[str | None] = []
    for r in b.rows:
        if r.key is None:
            out.append(None)
        elif by == "kind":
            out.append(registry_url(**base, kind=r.key))
        elif by == "sector":
            out.append(registry_url(**base, sector=r.key))
        elif by == "status":
            out.append(registry_url(**base, status=r.key, year=year))
        elif by == "founding_year":
            out.append(registry_url(**base, founded_from=r.key, founded_to=r.key))
        else:
            out.append(registry_url(existing_in=year, unit=r.key))
    return out


# -- criterion 13: communes without an operating cooperative ---------------------------------------------------


@dataclass
class CommuneCoverage:
    unit: Unit
    active: int  # operating cooperatives on 31/12
    classified: int  # of which with an approved return of the year giving a classification
    weak: int  # of which classified weak (yếu)
    url: str

    @property
    def only_weak(self) -> bool:
        return self.active > 0 and self.classified == self.active and self.weak == self.active

    @property
    def unclassified(self) -> int:
        return self.active - self.classified


def communes_valid_on(unit: Unit, year: int) -> list[Unit]:
    """The communes, wards and townships valid on 31/12 of `year` under `unit`, as the engine counts
    them for criterion 13: before the reform the legacy ones (a current unit reaches them through their
    main successor), from 2025 the current ones. One query."""
    day = datetime.date(year, 12, 31)
    valid = (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=day)
    )
    era = Unit.Era.CURRENT if day >= REFORM_DATE else Unit.Era.LEGACY
    qs = Unit.objects.filter(valid, level=Unit.Level.COMMUNE, era=era).select_related("parent")
    if unit.level == Unit.Level.COMMUNE and unit.era == era:
        return list(qs.filter(pk=unit.pk))
    if unit.era == era:
        return list(qs.filter(path__startswith=unit.path).order_by("path"))
    if unit.is_legacy:  # a former unit has no commune after the reform
        return []
    return list(
        qs.filter(successions__rank=0, successions__successor__path__startswith=unit.path)
        .distinct()
        .order_by("path")
    )


def commune_coverage(unit: Unit, year: int) -> tuple[list[CommuneCoverage], list[Unit]]:
    """Every commune valid at the end of `year` under `unit`, with its operating cooperatives (HTX and
    people's credit funds, status in force on 31/12) and how many of them the approved return of the
    year classifies, and as weak. Two queries: the communes, and the grouped cooperatives."""
    communes = communes_valid_on(unit, year)
    if not communes:
        return [], []
    legacy = communes[0].is_legacy
    field_name = "legacy_path" if legacy else "current_path"
    classes = AnnualReturn.objects.filter(
        organisation_id=OuterRef("pk"), year=year, status=AnnualReturn.Status.APPROVED
    ).values("self_classification")[:1]
    roots = sorted({_prefixes(c.path)[0] for c in communes})
    scope = Q(pk__in=[])
    for root in roots:
        scope |= Q(**{f"{field_name}__startswith": root})
    rows = (
        Organisation.objects.filter(archived=False, kind__in=["htx", "qtdnd"])
        .filter(scope)
        .existing_on(datetime.date(year, 12, 31))
        .annotate(st=status_at_year_end(year), klass=Subquery(classes))
        .filter(st=OrgStatus.ACTIVE)
        .values_list(field_name, "klass")
        .annotate(n=Count("pk"))
        .order_by()
    )
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for path, klass, n in rows:
        s = stats[path]
        s[0] += n
        if klass in Classification.values:
            s[1] += n
            if klass == Classification.WEAK:
                s[2] += n
    criterion = Indicator.objects.filter(code=CRITERION_CODE).first()
    out = []
    for c in communes:
        active, classified, weak = stats.get(c.path, (0, 0, 0))
        out.append(
            CommuneCoverage(
                unit=c,
                active=active,
                classified=classified,
                weak=weak,
                url=(
                    population_url(criterion, c, year)
                    if criterion is not None
                    else registry_url(unit=c.key, existing_in=year, status="active", year=year)
                ),
            )
        )
    return out, communes


# -- the choropleth map ---------------------------------------------------------------------------------------


def layers_for(unit: Unit):
    """Map layers whose area is the unit, contains it, or lies within it, in the unit's era (a former
    district needs a layer of former communes): uploaded ones before the sample, newest first. One query."""
    from .models import GeoLayer

    q = Q(unit__path__in=_prefixes(unit.path)) | Q(unit__path__startswith=unit.path)
    return list(
        GeoLayer.objects.select_related("unit").filter(q).order_by("is_sample", "-uploaded_at", "-id")
    )


def map_values(layer, unit: Unit, user: User, indicator: Indicator, year: int) -> dict[str, Any]:
    """The layer's features inside `unit` and the user's scope, each with the indicator's value for the
    year and the links to its unit page and its organisations: a GeoJSON FeatureCollection. A fixed number
    of queries (the communes, the scope, the data version, the engine's)."""
    from .geo import layer_features

    features = layer_features(layer)
    candidates = Unit.objects.filter(
        level=Unit.Level.COMMUNE, era=layer.unit.era, path__startswith=layer.unit.path
    ).filter(path__startswith=unit.path)
    if not user.is_admin_role:
        candidates = candidates.filter(pk__in=access.figure_units(user).values("pk"))
    communes = {c.code: c for c in candidates}
    shown = [(f, communes[f["code"]]) for f in features if f["code"] in communes]
    version = data_version(unit)
    values = compute_cached([indicator], [c for _f, c in shown], [year], version) if shown else {}
    out = []
    numbers = []
    for f, c in shown:
        v = values.get((indicator.code, c.id, year), NO_DATA)
        from hoptac.indicators.cli import json_number

        number = json_number(v.value)
        if number is not None:
            numbers.append(number)
        out.append(
            {
                "type": "Feature",
                "geometry": f["geometry"],
                "properties": {
                    "code": c.code,
                    "key": c.key,
                    "name": c.name,
                    "value": number,
                    "unit_url": unit_url(c, year),
                    "organisations_url": population_url(indicator, c, year),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "higher_is_better": indicator.higher_is_better,
        },
        "year": year,
        "sample": layer.is_sample,
        "classes": legend_classes(numbers),
        "features": out,
    }


def legend_classes(numbers: list[float], n: int = 5) -> list[float]:
    """Upper bounds of up to `n` classes of equal counts (quantiles), rounded, ascending."""
    if not numbers:
        return []
    ordered = sorted(numbers)
    bounds = []
    for i in range(1, n + 1):
        b = ordered[min(len(ordered) - 1, round(i * len(ordered) / n) - 1)]
        b = round(b, 2)
        if not bounds or b > bounds[-1]:
            bounds.append(b)
    return bounds
