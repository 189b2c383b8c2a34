"""The indicator engine: any indicators, for any units and years, in a fixed number of queries.

How to use it
-------------

    from hoptac.indicators.engine import compute

    values = compute(["htx-active", "htx-effective-share"], [province, *communes], range(2021, 2026))
    v = values[("htx-active", province.id, 2024)]
    v.value, v.numerator, v.denominator, v.n_orgs, v.no_data

`definitions` are Indicator objects or codes; `units` any administrative units of either era; `years`
any years. The result maps (code, unit id, year) to a `Value` for every combination asked. Counts are
whole Decimals, percentages and averages Decimals rounded to 0.01; `value` is None (and `no_data`
True) when there is nothing to compute from: no approved return behind an average, no commune behind
a share of communes, a source whose data the system does not keep yet (OCOP products, support records,
official scores), a growth whose base is missing or zero.

What the figures mean
---------------------

- A current unit (after 01/07/2025) counts the organisations whose `current_path` lies under it, a
  legacy unit (a former district, commune or province) those whose `legacy_path` does, whatever the
  year: each organisation carries both, resolved through the unit successions when it was registered,
  so the former Than Uyên district (legacy district 110) has its figures for 2020 and for 2023 alike,
  and the current Lai Châu province reads the years before the reform through today's map.
- Stock indicators look at 31/12 of the year: the organisation was founded by then (or has no founding
  date) and had not ended; a status filter reads the status in force that day from the status history
  (StatusChange), falling back on the current status for an organisation without any dated change.
- Flow indicators count the organisations founded (or ended) between 01/01 and 31/12.
- Indicators of yearly returns read the APPROVED returns of the year only.
- A share of communes divides the communes, wards and townships valid on 31/12 under the unit with one
  of the filtered organisations by all of them: before the reform the legacy communes (a current unit
  reaches them through their main successor), after it the current ones. A legacy unit has no commune
  after the reform: its share of communes is then "no data".
- Archived organisations (duplicates, mistakes) are left out everywhere.

How it costs a fixed number of queries, and why it is fast
----------------------------------------------------------

Every definition and year is compiled into *terms*: a count or a sum under a conjunction of
*conditions* (kinds, sectors, supporters, founded in the year, existing on 31/12, a figure reported,
a figure's value …) and, for status filters, a set of statuses on 31/12. A condition shared by many
terms (kinds htx and qtdnd; existing on 31/12/2024) is one boolean column of the rows, computed once per
row; so is a figure (Σ of the official members, income × members). All the terms of one table are one
two-level query, whatever the number of units or definitions:

    SELECT path, COUNT(*) FILTER (WHERE a0 AND a3 AND st2024 IN ('active')), SUM(f1) FILTER (…), …
    FROM (SELECT current_path AS path, kind IN (…) AS a0, …, <status on 31/12/2024> AS st2024
          FROM organisations WHERE NOT archived OFFSET 0) rows
    GROUP BY path

The inner rows are built by the ORM (the conditions are Q objects, the status on 31/12 a subquery);
the outer aggregate is a few lines of SQL over their column names (`FILTER` where the database has it,
a `CASE` elsewhere). The status subquery is a column of the rows, so the database evaluates it once per
organisation (the `OFFSET 0` keeps PostgreSQL from inlining it into every FILTER, which cost a second
per status term at national scale), and the rows are aggregated straight into one row per commune path.
Three such queries — organisations, approved returns (grouped by year too; the years whose rows need
different terms, such as the year before, read for the growths, are branches of a UNION ALL that each
compute only their terms), communes (the communes valid on 31/12 under each unit) — plus one to
resolve codes into definitions.

The aggregated rows are then rolled up in Python into every requested unit by path prefix (a commune's
path "c12/03595/" adds to "c12/" and "c12/03595/"), a whole row of terms at a time, and each definition
turns its terms into Values for every unit in one loop, so one unit and forty cost the same. A growth
adds its base's values for the years it compares with to the same queries.

Sources without data in the system yet (products, support, scores) answer "no data" until someone
registers a function for them with `register_source`.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Context, Decimal
from operator import add
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models import (
    Value as V,
)
from django.db.models.functions import Coalesce

from hoptac.registry.models import Organisation, StatusChange
from hoptac.returns.models import AnnualReturn
from hoptac.units.models import REFORM_DATE, Unit

from . import spec
from .models import Indicator

A, S = Indicator.Aggregation, Indicator.Source
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
# Beyond this many subtrees the queries read whole provinces, then the whole country: a long OR of
# prefix tests costs more than the rows it spares.
MAX_ROOTS = 30
# SQLite refuses a SELECT of more than 2,000 columns; the terms are split over several queries beyond.
MAX_TERMS = 400

Key = tuple[str, int, int]


class Value(NamedTuple):
    """One indicator for one unit and one year (a named tuple: the engine builds hundreds of thousands).

    value        the figure (Decimal), None when there is nothing to compute from
    numerator    what was added up or counted (the subset of a share, Σ value × weight of an average,
                 the figure of the year for a growth)
    denominator  what it was divided by (the population of a share, Σ weight, the base of a growth);
                 None for counts and sums
    n_orgs       organisations behind the figure (returns for return-based indicators, the
                 organisations that make the communes count for a share of communes)
    no_data      value is None
    """

    value: Decimal | None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    n_orgs: int = 0
    no_data: bool = False


NO_DATA = Value(None, None, None, 0, True)

SourceFunction = Callable[[Sequence[Indicator], Sequence[Unit], Sequence[int]], dict[Key, Value]]
_SOURCES: dict[str, SourceFunction] = {}


def register_source(source: str, function: SourceFunction) -> None:
    """Let another app compute the indicators of a source the engine does not read itself.

    `function(definitions, units, years)` receives the definitions of that source and returns Values
    keyed (code, unit id, year); the keys it leaves out are "no data". It must cost a fixed number of
    queries, as the engine does. Sources: "products", "support", "scores".
    """
    if source not in (S.PRODUCTS, S.SUPPORT, S.SCORES):
        raise ValueError(f"the engine reads {source!r} itself")
    _SOURCES[source] = function


def unregister_source(source: str) -> None:
    _SOURCES.pop(source, None)


# -- entry point ---------------------------------------------------------------------------------------


def compute(
    definitions: Iterable[Indicator | str],
    units: Iterable[Unit],
    years: Iterable[int],
    *,
    base_year: int | None = None,
) -> dict[Key, Value]:
    """Compute `definitions` for every unit of `units` and year of `years`; see the module docstring.

    `base_year` is the year a "growth on a base year" compares with when its definition names none
    (a target's base year). Raises Indicator.DoesNotExist for an unknown code.
    """
    defs = resolve_definitions(definitions)
    units = list(dict.fromkeys(units))
    years = sorted(set(years))
    if not defs or not units or not years:
        return {}
    bases = _bases(defs)
    needs: dict[str, set[int]] = defaultdict(set)
    by_code = {d.code: d for d in defs} | {b.code: b for b in bases.values()}
    for d in defs:
        if d.is_growth:
            base = bases.get(d.base_id)
            if base is None:  # a growth saved without its base (clean() refuses it): no data
                continue
            for y in years:
                needs[base.code].add(y)
                compared = _compared_year(d, y, base_year)
                if compared is not None:
                    needs[base.code].add(compared)
        else:
            needs[d.code].update(years)

    builder = _Builder(units)
    recipes: list[tuple[str, int, _Recipe]] = []
    external: dict[str, list[Indicator]] = defaultdict(list)
    for code, ys in needs.items():
        d = by_code[code]
        if d.source in (S.PRODUCTS, S.SUPPORT, S.SCORES):
            external[d.source].append(d)
            continue
        for y in sorted(ys):
            recipes.append((code, y, builder.recipe(d, y)))
    builder.run()

    # The values returned, and aside those asked only for a growth: a base not asked itself, or the
    # year a growth compares with.
    asked = {d.code for d in defs if not d.is_growth}
    wanted = set(years)
    values: dict[Key, Value] = {}
    aside: dict[Key, Value] = {}
    for code, y, recipe in recipes:
        recipe(builder, values if code in asked and y in wanted else aside, code, y)
    unit_ids = builder.uids
    for source, source_defs in external.items():
        function = _SOURCES.get(source)
        found = {}
        if function is not None:
            ys = sorted(set().union(*(needs[d.code] for d in source_defs)))
            found = function(source_defs, units, ys)
        for d in source_defs:
            for y in needs[d.code]:
                into = values if d.code in asked and y in wanted else aside
                for uid in unit_ids:
                    into[(d.code, uid, y)] = found.get((d.code, uid, y), NO_DATA)

    def computed(key: Key) -> Value:
        value = values.get(key)
        return aside.get(key, NO_DATA) if value is None else value

    for d in defs:
        if not d.is_growth:
            continue
        base = bases.get(d.base_id)
        for y in years:
            compared = _compared_year(d, y, base_year)
            for uid in unit_ids:
                values[(d.code, uid, y)] = (
                    _growth(computed((base.code, uid, y)), computed((base.code, uid, compared)))
                    if base is not None and compared is not None
                    else NO_DATA
                )
    return values


def resolve_definitions(definitions: Iterable[Indicator | str]) -> list[Indicator]:
    """Indicator objects for a mix of objects and codes, in the order given (one query for the codes)."""
    items = list(definitions)
    codes = [d for d in items if isinstance(d, str)]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)} if codes else {}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise Indicator.DoesNotExist(f"unknown indicator code(s): {', '.join(unknown)}")
    out = [found[d] if isinstance(d, str) else d for d in items]
    return list({d.code: d for d in out}.values())


def _bases(defs: list[Indicator]) -> dict[int, Indicator]:
    """The base of every growth, fetched in one query when the caller did not load them."""
    known = {d.pk: d for d in defs}
    bases: dict[int, Indicator] = {}
    missing = set()
    for d in defs:
        if not d.is_growth:
            continue
        if d.base_id in known:
            bases[d.base_id] = known[d.base_id]
        elif Indicator.base.is_cached(d):
            bases[d.base_id] = d.base
        elif d.base_id is not None:
            missing.add(d.base_id)
    if missing:
        bases.update({i.pk: i for i in Indicator.objects.filter(pk__in=missing)})
    return bases


def _compared_year(d: Indicator, year: int, base_year: int | None) -> int | None:
    if d.aggregation == A.GROWTH_PREVIOUS:
        return year - 1
    return d.base_year or base_year


def _growth(now: Value, then: Value) -> Value:
    if now.value is None or then.value is None or then.value == 0:
        return NO_DATA
    value = ((now.value / then.value - 1) * HUNDRED).quantize(CENT, ROUND_HALF_UP)
    return Value(value, now.value, then.value, now.n_orgs, False)


# -- compiling definitions into conditions, figures and terms ------------------------------------------


def _year_end(year: int) -> datetime.date:
    return datetime.date(year, 12, 31)


# The organisation keys of a filters object that are plain lookups (statuses are read on 31/12).
_ORGANISATION_LOOKUPS = (
    ("kinds", "kind__in"),
    ("sectors", "sector__code__in"),
    ("subsectors", "subsector__code__in"),
    ("supporters", "supporter__in"),
    ("laws", "law__in"),
)


def _present(names: Sequence[str]) -> Q:
    """At least one of the figures is reported (always, for the weight "one": an empty Q)."""
    q = Q(pk__in=[])
    for name in names:
        if name == spec.ONE:
            return Q()
        if name in spec.VIRTUAL_FIGURES:
            for part in spec.MEMBERS_OFFICIAL:
                q |= Q(**{f"{part}__isnull": False})
        else:
            q |= Q(**{f"{name}__isnull": False})
    return q


def _figure(names: Sequence[str]):
    """The sum of the figures, a blank one counting as 0."""
    parts = []
    for name in names:
        if name == spec.ONE:
            parts.append(V(1))
        elif name in spec.VIRTUAL_FIGURES:
            parts += [Coalesce(F(p), V(0)) for p in spec.MEMBERS_OFFICIAL]
        else:
            parts.append(Coalesce(F(name), V(0)))
    expr = parts[0]
    for p in parts[1:]:
        expr = expr + p
    return expr


def _return_q(conditions: dict[str, Any]) -> Q:
    """Conditions on a return's figures; `members_official` reads the `_members_official` annotation."""
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


def _uses_virtual_figure(*condition_sets: dict[str, Any]) -> bool:
    """Whether a condition compares `members_official` (then the query annotates it)."""
    return any(
        name in spec.VIRTUAL_FIGURES and not (isinstance(cond, dict) and set(cond) == {"present"})
        for conditions in condition_sets
        for name, cond in conditions.items()
    )


def _allowed_statuses(filters: dict, subset: dict | None) -> frozenset[str] | None:
    """The statuses on 31/12 that a term keeps (both the population's and the subset's), or None."""
    allowed = None
    for conditions in (filters, subset or {}):
        if "statuses" in conditions:
            wanted = frozenset(conditions["statuses"])
            allowed = wanted if allowed is None else allowed & wanted
    return allowed


def _is_decimal(names: Sequence[str]) -> bool:
    from hoptac.returns.fields import FIELDS_BY_NAME, Type

    return any(FIELDS_BY_NAME.get(n) is not None and FIELDS_BY_NAME[n].type == Type.DECIMAL for n in names)


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _round(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_HALF_UP)


def _prefixes(path: str) -> list[str]:
    """ "l12/110/03595/" → ["l12/", "l12/110/", "l12/110/03595/"]."""
    out, end = [], path.find("/")
    while end != -1:
        out.append(path[: end + 1])
        end = path.find("/", end + 1)
    return out


class _Term:
    """A count (or a sum of a figure column) over the rows where every condition holds, and the status
    column, when there is one, is one of `statuses`; `years`: the returns' years that need it."""

    __slots__ = ("atoms", "figure", "func", "status", "statuses", "years")

    def __init__(self, func: str, figure: str | None, atoms: tuple[str, ...], status, statuses):
        self.func, self.figure, self.atoms = func, figure, atoms
        self.status, self.statuses = status, statuses
        self.years: set[int] = set()


class _Table:
    """The conditions, figures and terms asked of one table: one two-level query (see the docstring)."""

    def __init__(self) -> None:
        self.atoms: dict[tuple, str] = {}  # key → alias of a boolean column of the rows
        self.figures: dict[tuple, str] = {}  # key → alias of a figure column of the rows
        self.columns: dict[str, Any] = {}  # alias → expression
        self.decimal: set[str] = set()  # figure aliases holding decimals
        self.terms: list[_Term] = []
        self.index: dict[tuple, int] = {}

    def atom(self, key: tuple, q: Q) -> str | None:
        """The column of a condition; None for no condition at all (an empty Q)."""
        if not q:
            return None
        alias = self.atoms.get(key)
        if alias is None:
            alias = self.atoms[key] = f"a{len(self.atoms)}"
            self.columns[alias] = ExpressionWrapper(q, output_field=BooleanField())
        return alias

    def figure(self, key: tuple, expr, decimal: bool) -> str:
        key = (*key, decimal)
        alias = self.figures.get(key)
        if alias is None:
            alias = self.figures[key] = f"f{len(self.figures)}"
            output = DecimalField(max_digits=30, decimal_places=4) if decimal else IntegerField()
            self.columns[alias] = ExpressionWrapper(expr, output_field=output)
            if decimal:
                self.decimal.add(alias)
        return alias

    def term(
        self,
        func: str,
        figure: str | None,
        atoms: Iterable[str | None],
        status: str | None = None,
        statuses: frozenset[str] | None = None,
    ) -> int:
        conditions = tuple(sorted({a for a in atoms if a is not None}, key=lambda a: int(a[1:])))
        wanted = tuple(sorted(statuses)) if statuses is not None else None
        key = (func, figure, conditions, status if wanted is not None else None, wanted)
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.terms)
            self.terms.append(_Term(func, figure, conditions, key[3], wanted))
        return i


# A recipe writes the Values of one definition and year for every unit: recipe(builder, values, code, year).
_Recipe = Callable[["_Builder", dict, str, int], None]


class _Builder:
    """Collects the terms the recipes need, runs the queries, and rolls the rows up into units."""

    def __init__(self, units: list[Unit]):
        self.keys = [(u.id, u.path) for u in units]
        self.uids = [u.id for u in units]
        self.paths = {u.path for u in units}
        self.any_current = any(not u.is_legacy for u in units)
        self.any_legacy = any(u.is_legacy for u in units)
        self.eras = {u.path[:1] for u in units}  # "c" current, "l" legacy
        self.above: dict[str, tuple[str, ...]] = {}
        self.org = _Table()
        self.ret = _Table()
        self.status_years: set[int] = set()
        self.ret_years: set[int] = set()
        self.ret_status = False
        self.ret_members_official = False
        self.commune_terms: dict[int, int] = {}  # organisation term that makes a commune count → year
        # Results: a list of term values per unit path (and year, for returns).
        self.org_acc: dict[str, list] = {}
        self.ret_acc: dict[tuple[str, int], list] = {}
        self.org_zero: list = []
        self.ret_zero: list = []
        self.org_vecs: list[list] = []  # per unit, in the order of self.keys
        self.ret_vecs: dict[int, list[list]] = {}
        self.covered: dict[int, set[str]] = {}
        self.commune_acc: dict[tuple[str, int, int], list[int]] = {}
        # One Value per distinct count, and per distinct share of counts: most are small numbers.
        self.counts: dict[Any, Value] = {}
        self.shares: dict[tuple, Value] = {}

    # -- conditions and terms ---------------------------------------------------------------------

    def _org_atoms(self, table: _Table, filters: dict, prefix: str = "") -> list[str | None]:
        atoms = []
        for key, lookup in _ORGANISATION_LOOKUPS:
            if key in filters:
                values = sorted(filters[key])
                atoms.append(table.atom((key, *values), Q(**{f"{prefix}{lookup}": values})))
        if "union_member" in filters:
            member = filters["union_member"]
            atoms.append(table.atom(("union_member", member), Q(**{f"{prefix}union_member": member})))
        return atoms

    def _period_atom(self, period: str, year: int) -> str | None:
        start, end = datetime.date(year, 1, 1), _year_end(year)
        if period == Indicator.Period.FOUNDED:
            q = Q(founded_on__gte=start, founded_on__lte=end)
        elif period == Indicator.Period.ENDED:
            q = Q(ended_on__gte=start, ended_on__lte=end)
        else:
            period = Indicator.Period.STOCK
            q = (Q(founded_on__lte=end) | Q(founded_on__isnull=True)) & (
                Q(ended_on__isnull=True) | Q(ended_on__gt=end)
            )
        return self.org.atom(("period", period, year), q)

    def org_count(self, filters: dict, period: str, year: int, subset: dict | None = None) -> int:
        atoms = [self._period_atom(period, year), *self._org_atoms(self.org, filters)]
        if subset:
            atoms += self._org_atoms(self.org, subset)
        allowed = _allowed_statuses(filters, subset)
        if allowed is not None:
            self.status_years.add(year)
        return self.org.term("count", None, atoms, f"st{year}", allowed)

    def _ret_atoms(self, conditions: dict) -> list[str | None]:
        """The organisation and return conditions of a filters (or subset) object."""
        atoms = self._org_atoms(self.ret, conditions, prefix="organisation__")
        returns = conditions.get("returns", {})
        if _uses_virtual_figure(returns):
            self.ret_members_official = True
        for name, cond in returns.items():
            atoms.append(self.ret.atom(("returns", name, _canon(cond)), _return_q({name: cond})))
        return atoms

    def _present_atom(self, names: Sequence[str]) -> str | None:
        return self.ret.atom(("present", *names), _present(names))

    def ret_count(
        self, year: int, filters: dict, extra: Sequence[str | None] = (), subset: dict | None = None
    ) -> int:
        allowed = _allowed_statuses(filters, subset)
        self.ret_status |= allowed is not None
        i = self.ret.term("count", None, [*self._ret_atoms(filters), *extra], "st", allowed)
        self.ret.terms[i].years.add(year)
        return i

    def ret_sum(self, year: int, filters: dict, figure: str, where: Sequence[str | None]) -> int:
        allowed = _allowed_statuses(filters, None)
        self.ret_status |= allowed is not None
        i = self.ret.term("sum", figure, [*self._ret_atoms(filters), *where], "st", allowed)
        self.ret.terms[i].years.add(year)
        return i

    def _units_above(self, path: str) -> tuple[str, ...]:
        """The requested units whose path is a prefix of `path` (memoised in self.above)."""
        up = self.above.get(path)
        if up is None:
            wanted = self.paths
            # A path of an era no requested unit belongs to has none above it.
            up = tuple(p for p in _prefixes(path) if p in wanted) if path[:1] in self.eras else ()
            self.above[path] = up
        return up

    def _count_value(self, n) -> Value:
        v = self.counts.get(n)
        if v is None:
            d = Decimal(n)
            v = self.counts[n] = Value(d, d, None, int(n), False)
        return v

    def _share_value(self, part, whole) -> Value:
        v = self.shares.get((part, whole))
        if v is None:
            num, den = Decimal(part), Decimal(whole)
            if not den:
                v = Value(None, num, den, 0, True)
            else:
                v = Value(_round(num * HUNDRED / den), num, den, int(den), False)
            self.shares[(part, whole)] = v
        return v

    # -- recipes -----------------------------------------------------------------------------------

    def recipe(self, d: Indicator, year: int) -> _Recipe:
        if d.source == S.ORGANISATIONS:
            return self._organisations_recipe(d, year)
        if d.source == S.RETURNS:
            self.ret_years.add(year)
            return self._returns_recipe(d, year)
        if d.source == S.COMMUNES:
            return self._communes_recipe(d, year)
        return _no_data

    # A recipe runs once per definition and year: one loop over the units, each with its row of terms
    # (b.org_vecs[i] for the i-th unit, b.ret_vecs[year][i]).

    def _organisations_recipe(self, d: Indicator, year: int) -> _Recipe:
        base = self.org_count(d.filters, d.period, year)
        if d.aggregation == A.COUNT:

            def count(b: _Builder, values: dict, code: str, year: int) -> None:
                cache, value = b.counts, b._count_value
                for uid, vec in zip(b.uids, b.org_vecs, strict=True):
                    n = vec[base]
                    values[(code, uid, year)] = cache.get(n) or value(n)

            return count
        sub = self.org_count(d.filters, d.period, year, d.subset)

        def share(b: _Builder, values: dict, code: str, year: int) -> None:
            cache, value = b.shares, b._share_value
            for uid, vec in zip(b.uids, b.org_vecs, strict=True):
                pair = (vec[sub], vec[base])
                values[(code, uid, year)] = cache.get(pair) or value(*pair)

        return share

    def _returns_recipe(self, d: Indicator, year: int) -> _Recipe:
        filters, figures = d.filters, d.figures
        if d.aggregation == A.COUNT:
            n = self.ret_count(year, filters)

            def count(b: _Builder, values: dict, code: str, year: int) -> None:
                cache, value = b.counts, b._count_value
                for uid, vec in zip(b.uids, b.ret_vecs[year], strict=True):
                    values[(code, uid, year)] = cache.get(vec[n]) or value(vec[n])

            return count
        if d.aggregation == A.SHARE:
            base = self.ret_count(year, filters)
            sub = self.ret_count(year, filters, self._ret_atoms(d.subset), subset=d.subset)

            def share(b: _Builder, values: dict, code: str, year: int) -> None:
                cache, value = b.shares, b._share_value
                for uid, vec in zip(b.uids, b.ret_vecs[year], strict=True):
                    pair = (vec[sub], vec[base])
                    values[(code, uid, year)] = cache.get(pair) or value(*pair)

            return share
        if d.aggregation == A.SUM:
            names = figures["value"]
            decimal = _is_decimal(names)
            present = self._present_atom(names)
            figure = self.ret.figure(("value", *names), _figure(names), decimal)
            total = self.ret_sum(year, filters, figure, [present])
            n = self.ret_count(year, filters, [present])

            def summed(b: _Builder, values: dict, code: str, year: int) -> None:
                for uid, vec in zip(b.uids, b.ret_vecs[year], strict=True):
                    if not vec[n]:
                        values[(code, uid, year)] = NO_DATA
                        continue
                    value = Decimal(vec[total])
                    if not decimal:
                        value = value.to_integral_value()
                    values[(code, uid, year)] = Value(value, value, None, int(vec[n]), False)

            return summed
        if d.aggregation == A.WEIGHTED_AVERAGE:
            nums, dens, anywhere = [], [], Q(pk__in=[])
            for value_name, weight_name in figures["terms"]:
                both_q = _present([value_name]) & _present([weight_name])
                anywhere |= both_q
                both = self.ret.atom(("both", value_name, weight_name), both_q)
                product = F(value_name) * _figure([weight_name])
                product = self.ret.figure(("product", value_name, weight_name), product, True)
                weight = self.ret.figure(("value", weight_name), _figure([weight_name]), False)
                nums.append(self.ret_sum(year, filters, product, [both]))
                dens.append(self.ret_sum(year, filters, weight, [both]))
            n = self.ret_count(year, filters, [self.ret.atom(("anywhere", _canon(figures)), anywhere)])

            def average(b: _Builder, values: dict, code: str, year: int) -> None:
                zero = Decimal(0)
                for uid, vec in zip(b.uids, b.ret_vecs[year], strict=True):
                    num = den = zero
                    for a in nums:
                        num += Decimal(vec[a])
                    for a in dens:
                        den += Decimal(vec[a])
                    rounded = num.quantize(CENT, ROUND_HALF_UP)
                    if not den:
                        values[(code, uid, year)] = Value(None, rounded, den, int(vec[n]), True)
                    else:
                        value = (num / den).quantize(CENT, ROUND_HALF_UP)
                        values[(code, uid, year)] = Value(value, rounded, den, int(vec[n]), False)

            return average
        if d.aggregation == A.RATIO:
            num_names, den_names = figures["numerator"], figures["denominator"]
            where = [self._present_atom(den_names), self._present_atom(figures.get("reported") or num_names)]
            num_figure = self.ret.figure(("value", *num_names), _figure(num_names), _is_decimal(num_names))
            den_figure = self.ret.figure(("value", *den_names), _figure(den_names), _is_decimal(den_names))
            num = self.ret_sum(year, filters, num_figure, where)
            den = self.ret_sum(year, filters, den_figure, where)
            n = self.ret_count(year, filters, where)
            scale = HUNDRED if d.unit == Indicator.Measure.PERCENT else Decimal(1)

            def ratio(b: _Builder, values: dict, code: str, year: int) -> None:
                for uid, vec in zip(b.uids, b.ret_vecs[year], strict=True):
                    a, c = Decimal(vec[num]), Decimal(vec[den])
                    if not c:
                        values[(code, uid, year)] = Value(None, a, c, int(vec[n]), True)
                    else:
                        value = (a * scale / c).quantize(CENT, ROUND_HALF_UP)
                        values[(code, uid, year)] = Value(value, a, c, int(vec[n]), False)

            return ratio
        raise ValueError(f"{d.code}: {d.aggregation} is not computed from returns")

    def _communes_recipe(self, d: Indicator, year: int) -> _Recipe:
        term = self.org_count(d.filters, Indicator.Period.STOCK, year)
        self.commune_terms[term] = year
        is_count = d.aggregation == A.COUNT

        def communes(b: _Builder, values: dict, code: str, year: int) -> None:
            counts = b.commune_acc
            for (uid, path), vec in zip(b.keys, b.org_vecs, strict=True):
                total, covered = counts.get((path, term, year), (0, 0))
                n = int(vec[term])
                if not total:
                    values[(code, uid, year)] = Value(None, Decimal(covered), Decimal(0), n, True)
                elif is_count:
                    values[(code, uid, year)] = Value(
                        Decimal(covered), Decimal(covered), Decimal(total), n, False
                    )
                else:
                    share = _round(Decimal(covered) * HUNDRED / Decimal(total))
                    values[(code, uid, year)] = Value(share, Decimal(covered), Decimal(total), n, False)

        return communes

    # -- queries -------------------------------------------------------------------------------------

    def run(self) -> None:
        roots = _roots(self.paths)
        if self.org.terms:
            self._run_organisations(roots)
        if self.ret.terms:
            self._run_returns(roots)
        if self.commune_terms:
            self._run_communes(roots)
        paths = [path for _uid, path in self.keys]
        self.org_vecs = [self.org_acc.get(path, self.org_zero) for path in paths]
        self.ret_vecs = {
            year: [self.ret_acc.get((path, year), self.ret_zero) for path in paths] for year in self.ret_years
        }

    def _group_fields(self, prefix: str = "", *, communes: bool = False) -> list[str]:
        """The paths to group by: those of the units' eras, and for the coverage of communes those of
        the communes valid at the end of each year (legacy before the reform, current after)."""
        years = set(self.commune_terms.values()) if communes else set()
        current = self.any_current or any(_year_end(y) >= REFORM_DATE for y in years)
        legacy = self.any_legacy or any(_year_end(y) < REFORM_DATE for y in years)
        return [f"{prefix}current_path"] * current + [f"{prefix}legacy_path"] * legacy

    def _run_organisations(self, roots: list[str] | None) -> None:
        qs = Organisation.objects.filter(archived=False)
        if roots is not None:
            qs = qs.filter(_path_q(roots))
        group = {f"g{i}": F(field) for i, field in enumerate(self._group_fields(communes=True))}
        statuses = {f"st{year}": status_at_year_end(year) for year in sorted(self.status_years)}
        # The status subqueries are columns of the rows: the fence keeps them computed once per row.
        rows = _rows(self.org, qs, group, statuses, fence=bool(statuses))
        self.org_acc, self.org_zero = self._roll_up(self.org, rows, list(group), self.commune_terms)

    def _run_returns(self, roots: list[str] | None) -> None:
        # The years are filtered by _rows, per branch.
        qs = AnnualReturn.objects.filter(status=AnnualReturn.Status.APPROVED, organisation__archived=False)
        if roots is not None:
            qs = qs.filter(_path_q(roots, prefix="organisation__"))
        if self.ret_members_official:
            qs = qs.annotate(_members_official=_figure(["members_official"]))
        group = {"g_year": F("year")}
        group |= {f"g{i}": F(f) for i, f in enumerate(self._group_fields("organisation__"))}
        statuses = {}
        if self.ret_status:
            latest = (
                StatusChange.objects.filter(
                    organisation=OuterRef("organisation"), effective_on__year__lte=OuterRef("year")
                )
                .order_by("-effective_on", "-id")
                .values("status")[:1]
            )
            statuses["st"] = Coalesce(Subquery(latest), F("organisation__status"))
        # Without a status subquery, letting PostgreSQL inline the rows keeps its parallel plan.
        rows = _rows(self.ret, qs, group, statuses, fence=bool(statuses), years=self.ret_years)
        acc, self.ret_zero = self._roll_up(self.ret, rows, list(group), {}, by_year=True)
        self.ret_acc = acc

    def _roll_up(self, table: _Table, rows, group: list[str], covering: dict, *, by_year: bool = False):
        """Add each aggregated row into every requested unit above its paths, a whole row at a time."""
        n_group = len(group)
        first = 1 if by_year else 0
        above, units_above = self.above, self._units_above
        acc: dict = {}
        covered = {term: set() for term in covering}
        for row in rows:
            terms = row[n_group:]
            targets: tuple[str, ...] = ()
            for path in row[first:n_group]:
                up = above.get(path)
                targets += units_above(path) if up is None else up
            for term, seen in covered.items():
                if terms[term]:
                    # Commune paths of either era: the communes query matches them exactly.
                    seen.update(p for p in row[first:n_group] if p)
            for target in targets:
                key = (target, row[0]) if by_year else target
                vec = acc.get(key)
                acc[key] = list(terms) if vec is None else list(map(add, vec, terms))
        self.covered.update(covered)
        return acc, [0] * len(table.terms)

    def _run_communes(self, roots: list[str] | None) -> None:
        """Each commune valid on 31/12 of a year adds to the total of the units above it, and to their
        covered count when an organisation of the term is registered there."""
        # The main successor (rank 0) by a join: a correlated subquery per commune plans badly.
        qs = Unit.objects.filter(level=Unit.Level.COMMUNE).annotate(
            main=FilteredRelation("successions", condition=Q(successions__rank=0))
        )
        if roots is not None:
            q = Q(pk__in=[])
            for root in roots:
                q |= Q(path__startswith=root)
                if root.startswith("c"):
                    q |= Q(main__successor__path__startswith=root)
            qs = qs.filter(q)
        days = {year: _year_end(year) for year in self.commune_terms.values()}
        units_above = self._units_above
        communes = []
        for path, era, valid_from, valid_to, successor in qs.values_list(
            "path", "era", "valid_from", "valid_to", "main__successor__path"
        ).distinct():
            valid = [
                y
                for y, day in days.items()
                if not ((valid_from and valid_from > day) or (valid_to and valid_to < day))
            ]
            if not valid:
                continue
            targets = units_above(path)
            if era == Unit.Era.LEGACY and successor:
                targets = targets + units_above(successor)
            if targets:
                communes.append((path, valid, targets))
        counts = self.commune_acc
        for term, year in self.commune_terms.items():
            covered = self.covered.get(term, set())
            for path, valid, targets in communes:
                if year not in valid:
                    continue
                hit = 1 if path in covered else 0
                for p in targets:
                    acc = counts.get((p, term, year))
                    if acc is None:
                        counts[(p, term, year)] = [1, hit]
                    else:
                        acc[0] += 1
                        acc[1] += hit


def _no_data(b: _Builder, values: dict, code: str, year: int) -> None:
    for uid, _path in b.keys:
        values[(code, uid, year)] = NO_DATA


_FROM_FLOAT = Context(prec=15).create_decimal_from_float


def _rows(
    table: _Table,
    qs,
    group: dict[str, Any],
    statuses: dict[str, Any],
    *,
    fence: bool,
    years: set[int] = frozenset(),
) -> list[tuple]:
    """Run the two-level query of `table`: one row per group, its group values then one per term.

    With `years` (returns), the years whose rows need different terms are aggregated by different
    branches of a UNION ALL, each computing only the terms its years need (0 for the others): the
    year before, read for the growths, does not pay for every other aggregate of the year asked.
    """
    names = [*group, *statuses, *table.columns]
    rows_qs = qs.annotate(**group, **statuses, **table.columns).values(*names).order_by()
    needed_by_year: dict[frozenset[int], list[int]] = defaultdict(list)
    for year in sorted(years):
        needed_by_year[
            frozenset(i for i, t in enumerate(table.terms) if not t.years or year in t.years)
        ].append(year)
    if len(needed_by_year) > 1:
        branches = [(rows_qs.filter(year__in=ys), needed) for needed, ys in needed_by_year.items()]
    elif years:
        branches = [(rows_qs.filter(year__in=sorted(years)), None)]
    else:
        branches = [(rows_qs, None)]
    inners = []
    for branch, needed in branches:
        inner, inner_params = branch.query.sql_with_params()
        if fence:
            # Not inlined into the outer query (PostgreSQL's and SQLite's documented optimisation fence).
            inner += " OFFSET 0" if connection.vendor == "postgresql" else " LIMIT -1 OFFSET 0"
        inners.append((inner, tuple(inner_params), needed))
    starts = range(0, len(table.terms), MAX_TERMS)
    merged: dict[tuple, list] = {}
    n_group = len(group)
    for start in starts:
        chunk = table.terms[start : start + MAX_TERMS]
        parts, params = [], []
        for inner, inner_params, needed in inners:
            wanted = [needed is None or start + i in needed for i in range(len(chunk))]
            sql, branch_params = _aggregate_sql(inner, inner_params, list(group), chunk, wanted)
            parts.append(sql)
            params += branch_params
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            rows = cursor.fetchall()
        if connection.vendor != "postgresql":
            # SQLite sums decimals as floats: converted as Django converts a decimal expression.
            decimal = [n_group + i for i, t in enumerate(chunk) if t.figure in table.decimal]
            if decimal:
                converted = []
                for row in rows:
                    row = list(row)
                    for i in decimal:
                        if not isinstance(row[i], Decimal):
                            row[i] = _FROM_FLOAT(row[i])
                    converted.append(tuple(row))
                rows = converted
        if len(starts) == 1:
            return rows
        for row in rows:
            merged.setdefault(tuple(row[:n_group]), []).extend(row[n_group:])
    return [(*key, *values) for key, values in merged.items()]


def _aggregate_sql(
    inner: str, inner_params: tuple, group: list[str], terms: list[_Term], wanted: list[bool]
) -> tuple[str, list]:
    """SELECT <group>, <one aggregate per term, 0 where not wanted> FROM (<inner>) rows GROUP BY <group>."""
    qn = connection.ops.quote_name
    with_filter = connection.features.supports_aggregate_filter_clause
    columns, params = [qn(g) for g in group], []
    for term, want in zip(terms, wanted, strict=True):
        if not want:
            columns.append("0")
            continue
        conditions = [qn(a) for a in term.atoms]
        if term.statuses is not None:
            if term.statuses:
                conditions.append(f"{qn(term.status)} IN ({', '.join(['%s'] * len(term.statuses))})")
                params += term.statuses
            else:  # the population's statuses and the subset's have none in common
                conditions.append("1 = 0")
        figure = qn(term.figure) if term.func == "sum" else None
        condition = " AND ".join(conditions)
        if not conditions:
            sql = f"SUM({figure})" if figure else "COUNT(*)"
        elif with_filter:
            sql = f"{f'SUM({figure})' if figure else 'COUNT(*)'} FILTER (WHERE {condition})"
        else:
            sql = f"SUM(CASE WHEN {condition} THEN {figure or 1} ELSE {'NULL' if figure else 0} END)"
        columns.append(f"COALESCE({sql}, 0)" if figure else sql)
    grouped = ", ".join(qn(g) for g in group)
    sql = f"SELECT {', '.join(columns)} FROM ({inner}) {qn('rows')} GROUP BY {grouped}"
    return sql, [*params, *inner_params]


def status_at_year_end(year: int):
    """The status in force on 31/12 of `year`: the latest dated change by then.

    An organisation without any change after that day still has it: its current status, kept by the
    registry's services, is read without looking up its history (most organisations, and the lookup
    is what costs). Without any change at all, the current status too.
    """
    end = _year_end(year)
    later = StatusChange.objects.filter(organisation=OuterRef("pk"), effective_on__gt=end)
    latest = (
        StatusChange.objects.filter(organisation=OuterRef("pk"), effective_on__lte=end)
        .order_by("-effective_on", "-id")
        .values("status")[:1]
    )
    return Case(When(Exists(later), then=Coalesce(Subquery(latest), F("status"))), default=F("status"))


def _roots(paths: set[str]) -> list[str] | None:
    """The fewest subtrees that hold every path; whole provinces beyond MAX_ROOTS; None: everything."""
    ordered = sorted(paths)
    roots: list[str] = []
    for p in ordered:
        if not roots or not p.startswith(roots[-1]):
            roots.append(p)
    if len(roots) > MAX_ROOTS:
        roots = sorted({_prefixes(p)[0] for p in roots})
    if len(roots) > MAX_ROOTS:
        return None
    return roots


def _path_q(roots: list[str], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for root in roots:
        field = "current_path" if root.startswith("c") else "legacy_path"
        q |= Q(**{f"{prefix}{field}__startswith": root})
    return q
