"""The organisations behind an indicator's figure: "every figure links to the list of organisations".

    from hoptac.indicators.population import population

    qs = population("htx-effective-share", than_uyen_district, 2023)                    # the denominator
    qs = population("htx-effective-share", than_uyen_district, 2023, part="numerator")  # rated tốt/khá

`population(indicator, unit, year, part=...)` returns the Organisation queryset that the engine counts
for `indicator` in `unit` at `year` (archived organisations left out, as everywhere):

- organisations (counts and shares): those that make the count, or the population of the share —
  existing on 31/12 (stock), founded or ended during the year (flows), with the filters, and the
  status in force on 31/12 when the filters name statuses; `part="numerator"` adds the share's subset;
- yearly returns: the organisations whose approved return of the year is behind the figure — for a
  share, those the filters select (its denominator) or, with `part="numerator"`, the subset; for a sum,
  an average or a ratio, those whose return reports the figures the engine adds up (its `n_orgs`);
- communes: the organisations that make the communes count (operating on 31/12 under the unit);
- growths: the population of the indicator that grows, for the year;
- other sources (OCOP products, support records, official scores): what the app that keeps them
  registers with `register_population(source, function)`, else none (`has_population` says which).

So that `population(...).count()` equals the engine's `n_orgs` (the numerator for a share's subset),
which tests/web/test_population.py checks for every indicator. The queryset is not scoped to a user:
the caller narrows it through `accounts.access` (the registry list starts from
`visible_organisations(user)`). `unit=None` means no area (the whole country).

This module reads the grammar of spec.py directly rather than the engine's private helpers, so that the
engine can change how it computes without changing who is behind a figure.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from hoptac.accounts.access import unit_scope_q
from hoptac.registry.models import Organisation
from hoptac.returns.models import AnnualReturn
from hoptac.units.models import Unit

from . import spec
from .engine import resolve_definitions, status_at_year_end
from .models import Indicator

POPULATION, NUMERATOR = "population", "numerator"
PARTS = (POPULATION, NUMERATOR)
A, S = Indicator.Aggregation, Indicator.Source
_NO_ORGANISATIONS = (S.PRODUCTS, S.SUPPORT, S.SCORES)

PopulationFunction = Callable[[Indicator, "Unit | None", int, str], QuerySet[Organisation]]
_POPULATIONS: dict[str, PopulationFunction] = {}


def register_population(source: str, function: PopulationFunction) -> None:
    """Let the app that keeps a source (products, support, scores) say which organisations are behind
    a figure: `function(definition, unit, year, part)` returns an Organisation queryset (unscoped, not
    archived, under `unit` when given), as the app's engine source counts them."""
    if source not in _NO_ORGANISATIONS:
        raise ValueError(f"the population of {source!r} is read here")
    _POPULATIONS[source] = function


def has_population(indicator: Indicator) -> bool:
    """Whether a list of organisations stands behind the figures of `indicator`."""
    source = indicator.base.source if indicator.is_growth and indicator.base_id else indicator.source
    return source not in _NO_ORGANISATIONS or source in _POPULATIONS


def population(
    indicator: Indicator | str,
    unit: Unit | None,
    year: int,
    *,
    part: str = POPULATION,
    first_year: int | None = None,
) -> QuerySet[Organisation]:
    """The organisations behind `indicator` for `unit` and `year` (see the module docstring).

    `first_year`: for a flow (founded or ended during the year), the organisations of every year from
    `first_year` to `year`, as a target that adds the flow up over years counts them; ignored otherwise.
    Raises Indicator.DoesNotExist for an unknown code, ValueError for an unknown part.
    """
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}")
    (d,) = resolve_definitions([indicator])
    if d.is_growth:
        d = d.base if d.base_id else None
        if d is None:
            return Organisation.objects.none()
        part = POPULATION
    qs = Organisation.objects.filter(archived=False)
    if unit is not None:
        qs = qs.filter(unit_scope_q(unit))
    if d.source in _NO_ORGANISATIONS:
        function = _POPULATIONS.get(d.source)
        return function(d, unit, year, part) if function is not None else qs.none()
    subset = d.subset if (part == NUMERATOR and d.aggregation == A.SHARE) else {}
    if d.source in (S.ORGANISATIONS, S.COMMUNES):
        period = d.period if d.source == S.ORGANISATIONS else Indicator.Period.STOCK
        start = first_year if first_year is not None and first_year <= year else year
        qs = qs.filter(_period_q(period, year, start) & _organisation_q(d.filters) & _organisation_q(subset))
        return _with_statuses(qs, year, d.filters, subset)
    # Yearly returns: the organisations whose approved return of the year is behind the figure.
    returns = AnnualReturn.objects.filter(
        organisation=OuterRef("pk"), year=year, status=AnnualReturn.Status.APPROVED
    )
    conditions = [d.filters.get("returns", {}), subset.get("returns", {})]
    if any(spec.VIRTUAL_FIGURES[0] in c for c in conditions):
        returns = returns.annotate(**{f"_{spec.VIRTUAL_FIGURES[0]}": _figure_sum(spec.MEMBERS_OFFICIAL)})
    where = _return_q(conditions[0]) & _return_q(conditions[1]) & _reported_q(d)
    qs = qs.filter(Exists(returns.filter(where))).filter(_organisation_q(d.filters) & _organisation_q(subset))
    return _with_statuses(qs, year, d.filters, subset)


def describe(
    indicator: Indicator,
    unit: Unit | None,
    year: int,
    *,
    part: str = POPULATION,
    first_year: int | None = None,
) -> str:
    """One sentence for the list page: whose organisations these are."""
    years = (
        f"{first_year}–{year}" if first_year is not None and first_year < year and indicator.is_flow else year
    )
    params = {
        "indicator": indicator.name,
        "year": years,
        "area": unit.name if unit else _("the whole country"),
    }
    if part == NUMERATOR and indicator.aggregation == A.SHARE:
        return (
            _("The organisations counted in the numerator of “%(indicator)s” for %(area)s in %(year)s.")
            % params
        )
    if not has_population(indicator):
        return (
            _("“%(indicator)s” is not computed from the registry: no organisation is behind it yet.") % params
        )
    return _("The organisations behind “%(indicator)s” for %(area)s in %(year)s.") % params


# -- conditions ---------------------------------------------------------------------------------------


def _period_q(period: str, year: int, first_year: int) -> Q:
    start, end = datetime.date(first_year, 1, 1), datetime.date(year, 12, 31)
    if period == Indicator.Period.FOUNDED:
        return Q(founded_on__gte=start, founded_on__lte=end)
    if period == Indicator.Period.ENDED:
        return Q(ended_on__gte=start, ended_on__lte=end)
    return (Q(founded_on__lte=end) | Q(founded_on__isnull=True)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=end)
    )


def _organisation_q(conditions: dict[str, Any]) -> Q:
    """The organisation conditions of a filters or subset object, but its statuses (_with_statuses)."""
    q = Q()
    if "kinds" in conditions:
        q &= Q(kind__in=conditions["kinds"])
    if "sectors" in conditions:
        q &= Q(sector__code__in=conditions["sectors"])
    if "subsectors" in conditions:
        q &= Q(subsector__code__in=conditions["subsectors"])
    if "supporters" in conditions:
        q &= Q(supporter__in=conditions["supporters"])
    if "union_member" in conditions:
        q &= Q(union_member=conditions["union_member"])
    if "laws" in conditions:
        q &= Q(law__in=conditions["laws"])
    return q


def _with_statuses(
    qs: QuerySet[Organisation], year: int, *conditions: dict[str, Any]
) -> QuerySet[Organisation]:
    """Keep the organisations whose status in force on 31/12 is allowed by every `statuses` given."""
    allowed: set[str] | None = None
    for c in conditions:
        if "statuses" in c:
            allowed = set(c["statuses"]) if allowed is None else allowed & set(c["statuses"])
    if allowed is None:
        return qs
    return qs.annotate(_status_at_year_end=status_at_year_end(year)).filter(
        _status_at_year_end__in=sorted(allowed)
    )


def _present(names: list[str] | tuple[str, ...]) -> Q:
    """At least one of the figures is reported (the weight "one" always is)."""
    q = Q(pk__in=[])
    for name in names:
        if name == spec.ONE:
            return Q()
        parts = spec.MEMBERS_OFFICIAL if name in spec.VIRTUAL_FIGURES else (name,)
        for p in parts:
            q |= Q(**{f"{p}__isnull": False})
    return q


def _figure_sum(names: tuple[str, ...]):
    expr = Coalesce(F(names[0]), Value(0))
    for name in names[1:]:
        expr = expr + Coalesce(F(name), Value(0))
    return expr


def _return_q(conditions: dict[str, Any]) -> Q:
    """Conditions on the figures of a return (spec.py's grammar)."""
    q = Q()
    for name, cond in conditions.items():
        field = f"_{name}" if name in spec.VIRTUAL_FIGURES else name
        if isinstance(cond, bool):
            q &= Q(**{name: cond})
        elif isinstance(cond, list):
            q &= _present([name]) & Q(**{f"{field}__in": cond})
        else:
            for op, operand in cond.items():
                if op == "present":
                    q &= _present([name]) if operand else ~_present([name])
                else:
                    q &= _present([name]) & Q(**{f"{field}__{op}": operand})
    return q


def _reported_q(d: Indicator) -> Q:
    """For sums, averages and ratios: the return reports what the engine adds up."""
    figures = d.figures or {}
    if d.aggregation == A.SUM:
        return _present(figures["value"])
    if d.aggregation == A.WEIGHTED_AVERAGE:
        q = Q(pk__in=[])
        for value_name, weight_name in figures["terms"]:
            q |= _present([value_name]) & _present([weight_name])
        return q
    if d.aggregation == A.RATIO:
        return _present(figures["denominator"]) & _present(figures.get("reported") or figures["numerator"])
    return Q()
