"""The indicator source "scores": official classes, for the indicator engine (hoptac.indicators.engine).

Registered in ScoringConfig.ready(). Only CONFIRMED sheets count (as only approved returns do), of
organisations that are not archived. Definitions may filter on the organisation (kinds, sectors,
subsectors, statuses in force on 31/12, supporters, union_member, laws) and on `classes`; `count` gives
the number of sheets that pass the filters, `share` the part of them that the subset keeps (in %).

One query whatever the units and years: the sheets grouped by year, the organisations' commune paths,
the facts the filters read and the class; the rows are then rolled up in Python into every unit by path
prefix, as the engine does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from hoptac.indicators.engine import Value
from hoptac.indicators.models import Indicator
from hoptac.registry.models import StatusChange
from hoptac.units.models import Unit

from .models import ScoreSheet

HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)
MAX_ROOTS = 30
# Filter keys → the grouped column they read.
COLUMNS = {
    "kinds": "organisation__kind",
    "sectors": "organisation__sector__code",
    "subsectors": "organisation__subsector__code",
    "supporters": "organisation__supporter",
    "union_member": "organisation__union_member",
    "laws": "organisation__law",
    "classes": "klass",
    "statuses": "st",
}


def _prefixes(path: str) -> list[str]:
    out, end = [], path.find("/")
    while end != -1:
        out.append(path[: end + 1])
        end = path.find("/", end + 1)
    return out


def _roots(paths: set[str]) -> list[str] | None:
    roots: list[str] = []
    for p in sorted(paths):
        if not roots or not p.startswith(roots[-1]):
            roots.append(p)
    if len(roots) > MAX_ROOTS:
        roots = sorted({_prefixes(p)[0] for p in roots})
    return None if len(roots) > MAX_ROOTS else roots


def _path_q(roots: list[str]) -> Q:
    q = Q(pk__in=[])
    for root in roots:
        field = "current_path" if root.startswith("c") else "legacy_path"
        q |= Q(**{f"organisation__{field}__startswith": root})
    return q


def _matches(conditions: dict[str, Any], row: dict[str, Any]) -> bool:
    for key, column in COLUMNS.items():
        if key not in conditions:
            continue
        wanted = conditions[key]
        value = row.get(column)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def scores_source(
    definitions: Sequence[Indicator], units: Sequence[Unit], years: Sequence[int]
) -> dict[tuple[str, int, int], Value]:
    """Values of the "scores" definitions for every unit and year (see the module docstring)."""
    defs = [
        d for d in definitions if d.aggregation in (Indicator.Aggregation.COUNT, Indicator.Aggregation.SHARE)
    ]
    if not defs or not units or not years:
        return {}
    paths = {u.path for u in units}
    any_current = any(not u.is_legacy for u in units)
    any_legacy = any(u.is_legacy for u in units)
    group = ["organisation__current_path"] * any_current + ["organisation__legacy_path"] * any_legacy
    needs_status = any("statuses" in d.filters or "statuses" in (d.subset or {}) for d in defs)
    qs = ScoreSheet.objects.filter(
        status=ScoreSheet.Status.CONFIRMED, year__in=sorted(set(years)), organisation__archived=False
    ).exclude(klass="")
    roots = _roots(paths)
    if roots is not None:
        qs = qs.filter(_path_q(roots))
    if needs_status:
        latest = (
            StatusChange.objects.filter(
                organisation=OuterRef("organisation"), effective_on__year__lte=OuterRef("year")
            )
            .order_by("-effective_on", "-id")
            .values("status")[:1]
        )
        qs = qs.annotate(st=Coalesce(Subquery(latest), F("organisation__status")))
    columns = [c for c in COLUMNS.values() if c != "st"] + ["st"] * needs_status
    rows = qs.values("year", *group, *columns).annotate(n=Count("pk")).order_by()
    population: dict[tuple[str, str, int], int] = defaultdict(int)
    subset: dict[tuple[str, str, int], int] = defaultdict(int)
    for row in rows:
        targets: set[str] = set()
        for column in group:
            if row[column]:
                targets.update(p for p in _prefixes(row[column]) if p in paths)
        if not targets:
            continue
        for d in defs:
            if not _matches(d.filters, row):
                continue
            in_subset = d.aggregation == Indicator.Aggregation.SHARE and _matches(d.subset or {}, row)
            for path in targets:
                population[(d.code, path, row["year"])] += row["n"]
                if in_subset:
                    subset[(d.code, path, row["year"])] += row["n"]
    # What no sheet gives (a subset is counted only with its population), shared: Values are
    # immutable named tuples, and most units have no sheet.
    zero_count = Value(ZERO, ZERO, None, 0, False)
    zero_share = Value(None, ZERO, ZERO, 0, True)
    places = [(unit.id, unit.path) for unit in units]
    out: dict[tuple[str, int, int], Value] = {}
    for d in defs:
        code, is_count = d.code, d.aggregation == Indicator.Aggregation.COUNT
        for unit_id, path in places:
            for year in years:
                key = (code, path, year)
                n = population.get(key)
                if n is None:
                    out[(code, unit_id, year)] = zero_count if is_count else zero_share
                    continue
                den = Decimal(n)
                if is_count:
                    out[(code, unit_id, year)] = Value(den, den, None, int(den), False)
                    continue
                num = Decimal(subset.get(key, 0))
                if not den:
                    out[(code, unit_id, year)] = Value(None, num, den, 0, True)
                else:
                    share = (num * HUNDRED / den).quantize(CENT, ROUND_HALF_UP)
                    out[(code, unit_id, year)] = Value(share, num, den, int(den), False)
    return out
