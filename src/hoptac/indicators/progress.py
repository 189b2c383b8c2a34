"""Where a target stands: the actual value, the baseline, the trend projected to the target's year, a
status, and the sub-units that pull the result down.

    from hoptac.indicators.progress import target_progress, targets_progress

    p = target_progress(target, as_of_year=2025)
    p.status, p.actual, p.actual_year, p.projected, p.method_text, p.laggards

The method (also in docs/indicators.md, and in `method_text` for the page):

- actual: the indicator for the target's area in the latest year with data, up to the year asked
  (`as_of_year`) and no later than the target's year. A target that adds up a flow over years
  (`cumulative_from`: "found 2 unions in 2021–2025") takes the total from its first year.
- baseline: the value in the target's base year if it has one, else in the plan's first year.
- projected: the straight line fitted by least squares through the last (up to) five years with data,
  read at the target's year; with one year of data, that value. For a total over years: the total so
  far plus the mean yearly flow of those years times the years left.
- status:
    achieved   the actual value meets the target now;
    on track   it does not, and the projection does;
    at risk    the projection misses by no more than 10 % of the distance between the baseline and the
               target (0 for a total over years);
    off track  otherwise, or the target's year has come and the value misses it;
    no data    no value in any year (a source not kept yet, no approved return, a period not begun).
- meeting a target: ≥ > ≤ < as written; "=" and ranges (5.000–6.000 workers, 10–15 %) are met inside
  the range or beyond it on the good side (at least the lower end when higher is better, at most the
  upper end when lower is better): the plans write ranges as what to reach, not as a ceiling.
- laggards: the sub-units of the area (current communes of a current province, districts of a legacy
  province, communes of a district) whose figures pull the area's value down most, with how much: for a
  share, a ratio, an average or a growth, (sub-unit's value − area's value) × sub-unit's denominator ÷
  area's denominator, in points of the area's value; for a count or a sum, the sub-unit's value minus an
  even share of the area's value. At most five, worst first, only those that pull down.

Every target of a call with the same area costs one query for the sub-units and the engine's fixed
number of queries, whatever the number of targets.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hoptac.units.models import Unit

from .engine import NO_DATA, Value, compute
from .models import Indicator, Target

TREND_YEARS = 5
LOOKBACK_YEARS = 10
AT_RISK_SHARE = Decimal("0.10")
LAGGARDS = 5
CENT = Decimal("0.01")


class Status(models.TextChoices):
    ACHIEVED = "achieved", gettext_lazy("Achieved")
    ON_TRACK = "on_track", gettext_lazy("On track")
    AT_RISK = "at_risk", gettext_lazy("At risk")
    OFF_TRACK = "off_track", gettext_lazy("Off track")
    NO_DATA = "no_data", gettext_lazy("No data")


@dataclass(frozen=True)
class Laggard:
    unit: Unit
    value: Decimal | None
    impact: Decimal  # negative: how much it lowers the area's value (raises it, when lower is better)


@dataclass(frozen=True)
class Progress:
    target: Target
    actual: Decimal | None
    actual_year: int | None
    baseline: Decimal | None
    baseline_year: int | None
    projected: Decimal | None
    status: str
    method_text: str
    laggards: list[Laggard] = field(default_factory=list)
    series: dict[int, Decimal | None] = field(default_factory=dict)  # the years looked at, for sparklines


def meets(target: Target, value: Decimal | None) -> bool:
    """Whether `value` meets the target (see the module docstring for "=" and ranges)."""
    if value is None:
        return False
    c = Target.Comparator
    if target.is_range or target.comparator == c.EQ:
        low = target.min_value if target.is_range else target.value
        high = target.max_value if target.is_range else target.value
        return value >= low if target.indicator.higher_is_better else value <= high
    return {
        c.GTE: value >= target.value,
        c.GT: value > target.value,
        c.LTE: value <= target.value,
        c.LT: value < target.value,
    }[target.comparator]


def _threshold(target: Target) -> Decimal:
    if target.is_range:
        return target.min_value if target.indicator.higher_is_better else target.max_value
    return target.value


def _baseline_year(target: Target) -> int:
    return target.base_year or target.plan.start_year


def target_progress(target: Target, *, as_of_year: int) -> Progress:
    """The progress of one target as of `as_of_year` (see the module docstring)."""
    return targets_progress([target], as_of_year=as_of_year)[target.pk]


def targets_progress(targets: Iterable[Target], *, as_of_year: int) -> dict[int, Progress]:
    """The progress of many targets, by target id, computed together area by area."""
    targets = list(targets)
    groups: dict[tuple[int, int | None], list[Target]] = defaultdict(list)
    for t in targets:
        growth_base = t.indicator.aggregation == Indicator.Aggregation.GROWTH_BASE
        groups[(t.area_id, t.base_year if growth_base else None)].append(t)
    children_of = _children({t.area_id for t in targets})
    out: dict[int, Progress] = {}
    for (area_id, base_year), group in groups.items():
        area = group[0].area
        children = children_of.get(area_id, [])
        years: set[int] = set()
        for t in group:
            last = min(as_of_year, t.year)
            years.update(range(last - LOOKBACK_YEARS + 1, last + 1))
            years.add(_baseline_year(t))
            if t.cumulative_from is not None:
                years.update(range(t.cumulative_from, last + 1))
        values = compute([t.indicator for t in group], [area, *children], sorted(years), base_year=base_year)
        for t in group:
            out[t.pk] = _progress(t, area, children, values, as_of_year)
    return out


def _children(area_ids: set[int]) -> dict[int, list[Unit]]:
    found: dict[int, list[Unit]] = defaultdict(list)
    for unit in Unit.objects.filter(parent_id__in=area_ids).order_by("path"):
        found[unit.parent_id].append(unit)
    return found


def _series(t: Target, unit: Unit, values: dict, last: int) -> dict[int, Value]:
    """Yearly Values of the target's indicator for `unit`; for a total over years, running totals."""
    code = t.indicator.code
    if t.cumulative_from is None:
        return {
            y: values.get((code, unit.id, y), NO_DATA) for y in range(last - LOOKBACK_YEARS + 1, last + 1)
        }
    out: dict[int, Value] = {}
    running, seen = Decimal(0), False
    for y in range(t.cumulative_from, last + 1):
        v = values.get((code, unit.id, y), NO_DATA)
        if v.value is not None:
            running += v.value
            seen = True
        out[y] = Value(running, running, None, v.n_orgs, False) if seen else NO_DATA
    return out


def _fit(points: list[tuple[int, Decimal]], year: int) -> Decimal:
    """The least-squares line through `points`, read at `year` (the value itself for one point)."""
    if len(points) == 1:
        return points[0][1]
    n = Decimal(len(points))
    xs = [Decimal(x) for x, _ in points]
    ys = [y for _, y in points]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return my + slope * (Decimal(year) - mx)


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return _("no data")
    if value == value.to_integral_value():
        return number_format(int(value), force_grouping=True)
    return number_format(value.quantize(CENT, ROUND_HALF_UP), decimal_pos=2, force_grouping=True)


def _clamp(indicator: Indicator, value: Decimal) -> Decimal:
    """A straight line may run below zero or above 100 %: no count, sum or average can, nor any share."""
    if indicator.is_growth:
        return value
    value = max(value, Decimal(0))
    if indicator.aggregation in (Indicator.Aggregation.SHARE, Indicator.Aggregation.RATIO) or (
        indicator.source == Indicator.Source.COMMUNES and indicator.aggregation == Indicator.Aggregation.SHARE
    ):
        value = min(value, Decimal(100))
    return value


def _progress(t: Target, area: Unit, children: list[Unit], values: dict, as_of_year: int) -> Progress:
    last = min(as_of_year, t.year)
    series = _series(t, area, values, last)
    with_data = [(y, v.value) for y, v in sorted(series.items()) if v.value is not None]
    baseline_year = _baseline_year(t)
    baseline = values.get((t.indicator.code, area.id, baseline_year), NO_DATA).value
    plain_series = {y: v.value for y, v in sorted(series.items())}
    target_text = t.describe()
    if not with_data and t.cumulative_from is not None and last < t.cumulative_from:
        text = _(
            "The total of this target runs from %(start)s to %(year)s: nothing to add up before %(start)s."
        ) % {
            "start": t.cumulative_from,
            "year": t.year,
        }
        return Progress(t, None, None, baseline, baseline_year, None, Status.NO_DATA, text, [], plain_series)
    if not with_data:
        text = _(
            "No value of %(indicator)s for %(area)s up to %(year)s: the data it is computed from is not there "
            "yet, so no status can be given."
        ) % {"indicator": t.indicator.code, "area": area.name, "year": last}
        return Progress(t, None, None, baseline, baseline_year, None, Status.NO_DATA, text, [], plain_series)

    actual_year, actual = with_data[-1]
    window = with_data[-TREND_YEARS:]
    if actual_year >= t.year:
        projected = actual
    elif t.cumulative_from is not None:
        code = t.indicator.code
        flows = [
            values[(code, area.id, y)].value
            for y in range(max(t.cumulative_from, actual_year - TREND_YEARS + 1), actual_year + 1)
            if values.get((code, area.id, y), NO_DATA).value is not None
        ]
        per_year = sum(flows, Decimal(0)) / len(flows) if flows else Decimal(0)
        projected = actual + per_year * (t.year - actual_year)
    else:
        projected = _fit(window, t.year)
    projected = _clamp(t.indicator, projected).quantize(CENT, ROUND_HALF_UP)

    threshold = _threshold(t)
    start = Decimal(0) if t.cumulative_from is not None else (baseline if baseline is not None else actual)
    gap = abs(threshold - start) or abs(threshold) or Decimal(1)
    if meets(t, actual):
        status = Status.ACHIEVED
    elif actual_year >= t.year:
        status = Status.OFF_TRACK
    elif meets(t, projected):
        status = Status.ON_TRACK
    elif abs(threshold - projected) <= AT_RISK_SHARE * gap:
        status = Status.AT_RISK
    else:
        status = Status.OFF_TRACK

    params = {
        "indicator": t.indicator.code,
        "area": area.name,
        "actual": _fmt(actual),
        "actual_year": actual_year,
        "first": window[0][0],
        "last": window[-1][0],
        "points": len(window),
        "year": t.year,
        "projected": _fmt(projected),
        "target": target_text,
        "baseline": _fmt(baseline),
        "baseline_year": baseline_year,
        "status": Status(status).label,
    }
    if t.cumulative_from is not None:
        text = _(
            "Actual: %(actual)s, the total from %(first_total)s to %(actual_year)s. Projected to %(year)s: "
            "the total so far plus the mean yearly flow of the last years with data times the years left, "
            "%(projected)s. Target: %(target)s. Status: %(status)s (at risk when the projection misses by at "
            "most 10 %% of the target)."
        ) % {**params, "first_total": t.cumulative_from}
    elif actual_year >= t.year:
        text = (
            _(
                "Actual: %(actual)s in %(actual_year)s, the target's year. Target: %(target)s. Status: %(status)s."
            )
            % params
        )
    else:
        text = (
            _(
                "Actual: %(actual)s in %(actual_year)s, the latest year with data. Trend: a straight line fitted by "
                "least squares through %(first)s–%(last)s (%(points)s years with data), projected to %(year)s: "
                "%(projected)s. Target: %(target)s. Baseline: %(baseline)s in %(baseline_year)s. Status: "
                "%(status)s (achieved when the actual value meets the target, on track when the projection does, "
                "at risk when it misses by at most 10 %% of the distance from the baseline to the target, off "
                "track otherwise)."
            )
            % params
        )

    laggards = _laggards(t, area, children, values, actual_year)
    return Progress(
        t, actual, actual_year, baseline, baseline_year, projected, status, text, laggards, plain_series
    )


def _laggards(t: Target, area: Unit, children: list[Unit], values: dict, year: int) -> list[Laggard]:
    if not children:
        return []
    agg = t.indicator.aggregation
    rate = agg not in (Indicator.Aggregation.COUNT, Indicator.Aggregation.SUM)
    area_value = (
        _series(t, area, values, year)[year]
        if t.cumulative_from is not None
        else values.get((t.indicator.code, area.id, year), NO_DATA)
    )
    if area_value.value is None:
        return []
    sign = Decimal(1) if t.indicator.higher_is_better else Decimal(-1)
    found = []
    for child in children:
        v = (
            _series(t, child, values, year)[year]
            if t.cumulative_from is not None
            else values.get((t.indicator.code, child.id, year), NO_DATA)
        )
        if v.value is None:
            continue
        if rate:
            if not area_value.denominator or v.denominator is None:
                continue
            impact = (v.value - area_value.value) * v.denominator / area_value.denominator
        else:
            impact = v.value - area_value.value / Decimal(len(children))
        impact = (impact * sign).quantize(CENT, ROUND_HALF_UP)
        if impact < 0:
            found.append(Laggard(child, v.value, impact))
    found.sort(key=lambda lag: (lag.impact, lag.unit.path))
    return found[:LAGGARDS]
