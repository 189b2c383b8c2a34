"""The indicators of the source "support", computed for the engine (registered in SupportConfig.ready()).

A definition of this source names, besides the organisation filters of spec.py, a `topic`: the code
of a SupportTopic. What it counts depends on the topic's kind:

- a topic of support to organisations (`consolidation`, `training` …), or no topic (any support):
  count      organisations matching the filters that received such support during the year;
  share      of the organisations matching the filters that exist on 31/12, the percentage matching
             the subset that received the subset's topic by 31/12 of the year (in that year or
             before: seed 002's "100 % consolidated by 2025" counts what was done since the start);
  sum        Σ value of the support records dated in the year (money, or the estimated value of
             support in kind), in million VND; 0 is a figure: the records are kept, so none is none.
- `fund-credit` (the support fund's loans):
  count      organisations matching the filters with credit from the fund during the year: a loan
             disbursed by 31/12 and not closed (repaid in full or written off) before 01/01;
  share      of the organisations matching the filters that exist on 31/12, the percentage with such
             credit during the year;
  sum        figures {"value": ["disbursed"]} (default): Σ loans disbursed in the year;
             {"value": ["outstanding"]}: Σ principal outstanding on 31/12 (not written off by then).
- a Farmers' Union count (`households-joined`, `professional-branches`, `branch-converted`,
  `union-staff`, `union-staff-trained`): Σ of the counts recorded for the year under the unit
  (count or sum); a share divides the subset topic's sum by the filters topic's. "No data" when
  nothing is recorded for the filters' topic. Organisation conditions apply to the organisation a
  count names; `sectors` also to the count's own sector when it names none; `statuses` do not apply.

Units of either era: the organisations' (and counts') current and legacy paths, rolled up by prefix
as the engine does. Cost: the topics (with, for each, whether any support record or Farmers' Union
count names it, and whether the fund has any loan), then at most one query per table that a definition
needs (organisations, support records, loans, Farmers' Union counts) — five at most, whatever the
units. A figure read from rows that do not exist is known without asking: support of a topic nobody
received counts 0 and sums to 0, a Farmers' Union topic nobody counted is "no data", so those terms
(and their tables' queries) are left out. The organisations' query reads only the kinds its terms
count when every term names some (an index scan instead of the whole register).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models import Value as V
from django.db.models.functions import Coalesce

from hoptac.indicators.engine import NO_DATA, Value
from hoptac.indicators.models import Indicator
from hoptac.registry.models import Organisation, StatusChange
from hoptac.units.models import Unit

from .models import Loan, Repayment, SupportRecord, SupportTopic, UnionActivity

A = Indicator.Aggregation
Key = tuple[str, int, int]
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
ZERO = Decimal(0)
MAX_ROOTS = 30
ORG_KEYS = ("kinds", "sectors", "subsectors", "supporters", "union_member", "laws")
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=3)

# A recipe gives the Values of one definition and year for the paths of the units, in their order.
Recipe = Callable[["_Queries", list[str]], list[Value]]
# Shared results (Values are named tuples, and Decimals immutable): what no row gives.
ZERO_FIGURE = Value(ZERO, ZERO, None, 0, False)  # a count or a sum of nothing
ZERO_SHARE = Value(None, ZERO, ZERO, 0, True)  # a share of no organisation


def support_values(
    definitions: Sequence[Indicator], units: Sequence[Unit], years: Sequence[int]
) -> dict[Key, Value]:
    """Values of the definitions of source "support" for every unit and year (see the module docstring)."""
    unique: dict[int, Unit] = {}
    for u in units:  # as dict.fromkeys(units), without a model's slow __hash__
        unique.setdefault(u.id, u)
    units, years = list(unique.values()), sorted(set(years))
    if not definitions or not units or not years:
        return {}
    queries = _Queries(units)
    kinds = queries.read_topics()
    recipes = {(d.code, y): queries.recipe(d, y, kinds) for d in definitions for y in years}
    queries.run()
    paths = [u.path for u in units]
    ids = [u.id for u in units]
    out: dict[Key, Value] = {}
    for d in definitions:
        code = d.code
        columns = [(y, recipes[(code, y)](queries, paths)) for y in years]
        if len(columns) == 1:
            y, values = columns[0]
            out.update(zip([(code, i, y) for i in ids], values, strict=True))
            continue
        for n, i in enumerate(ids):
            for y, values in columns:
                out[(code, i, y)] = values[n]
    return out


def _constant(value: Value) -> Recipe:
    return lambda q, paths: [value] * len(paths)


def _round(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_HALF_UP)


def _share(num: Decimal, den: Decimal, n: int) -> Value:
    if not den:
        return Value(None, num, den, 0, True)
    return Value(_round(num * HUNDRED / den), num, den, n, False)


def _bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def _organisation_q(conditions: dict[str, Any], prefix: str = "") -> Q:
    """The organisation conditions of a filters object, but its statuses (applied to grouped rows)."""
    fields = {
        "kinds": "kind__in",
        "sectors": "sector__code__in",
        "subsectors": "subsector__code__in",
        "supporters": "supporter__in",
        "union_member": "union_member",
        "laws": "law__in",
    }
    q = Q()
    for key, lookup in fields.items():
        if key in conditions:
            q &= Q(**{f"{prefix}{lookup}": conditions[key]})
    return q


def _allowed_statuses(*condition_sets: dict[str, Any]) -> frozenset[str] | None:
    allowed = None
    for conditions in condition_sets:
        if "statuses" in conditions:
            wanted = frozenset(conditions["statuses"])
            allowed = wanted if allowed is None else allowed & wanted
    return allowed


def _status_at_year_end(year: int, ref: str):
    """The status in force on 31/12 of `year` of the organisation `ref` points at ("pk" from the
    organisations themselves): the latest dated change by then, read only when a change came later
    (else the current status, kept by the registry's services, is it), as the engine reads it."""
    end = _bounds(year)[1]
    later = StatusChange.objects.filter(organisation=OuterRef(ref), effective_on__gt=end)
    latest = (
        StatusChange.objects.filter(organisation=OuterRef(ref), effective_on__lte=end)
        .order_by("-effective_on", "-id")
        .values("status")[:1]
    )
    current = F("status") if ref == "pk" else F(f"{ref}__status")
    return Case(When(Exists(later), then=Coalesce(Subquery(latest), current)), default=current)


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


def _path_q(roots: list[str], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for root in roots:
        field = "current_path" if root.startswith("c") else "legacy_path"
        q |= Q(**{f"{prefix}{field}__startswith": root})
    return q


class _Table:
    """Conditional aggregates over one table, grouped by the paths (and statuses on 31/12) of its rows."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix  # from the table to the organisation ("" for organisations)
        self.terms: dict[str, Any] = {}
        self.keys: dict[tuple, str] = {}
        self.status_rules: dict[str, tuple[str, frozenset[str]]] = {}
        self.status_years: set[int] = set()
        # The organisation kinds some term counts; None once a term counts any kind.
        self.kinds: set[str] | None = set()
        self.acc: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))

    def term(
        self,
        key: tuple,
        make: Callable[[], Any],
        year: int,
        allowed: frozenset[str] | None,
        kinds: frozenset[str] | None,
    ) -> str:
        alias = self.keys.get(key)
        if alias is None:
            alias = f"t{len(self.keys)}"
            self.keys[key] = alias
            self.terms[alias] = make()
            if allowed is not None:
                self.status_years.add(year)
                self.status_rules[alias] = (f"st{year}", allowed)
            if kinds is None:
                self.kinds = None
            elif self.kinds is not None:
                self.kinds |= kinds
        return alias


def _kinds(*condition_sets: dict[str, Any]) -> frozenset[str] | None:
    """The organisation kinds all the condition sets let through (None: any)."""
    allowed = None
    for conditions in condition_sets:
        if "kinds" in conditions:
            wanted = frozenset(conditions["kinds"])
            allowed = wanted if allowed is None else allowed & wanted
    return allowed


class _Queries:
    def __init__(self, units: list[Unit]) -> None:
        self.paths = {u.path for u in units}
        self.group: list[str] = ["current_path"] * any(not u.is_legacy for u in units) + [
            "legacy_path"
        ] * any(u.is_legacy for u in units)
        self.roots = _roots(self.paths)
        self.orgs = _Table("")
        self.records = _Table("organisation__")
        self.loans = _Table("organisation__")
        # Farmers' Union counts: (year, topic, conditions) → alias; few rows, filtered in Python.
        self.union_terms: dict[str, tuple[int, str, dict[str, Any]]] = {}
        self.union_keys: dict[tuple, str] = {}
        self.union_acc: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        # What the tables hold at all (read_topics): the topics of support records and of Farmers'
        # Union counts, and whether the fund has lent anything.
        self.recorded: set[str] = set()
        self.counted: set[str] = set()
        self.lent = False

    def read_topics(self) -> dict[str, str]:
        """The topics' kinds by code, and (one query) whether any row of each table names them."""
        rows = (
            SupportTopic.objects.order_by()
            .annotate(
                recorded=Exists(SupportRecord.objects.filter(topic=OuterRef("pk"))),
                counted=Exists(UnionActivity.objects.filter(topic=OuterRef("pk"))),
                lent=Exists(Loan.objects.all()),
            )
            .values_list("code", "kind", "recorded", "counted", "lent")
        )
        kinds = {}
        for code, kind, recorded, counted, lent in rows:
            kinds[code] = kind
            if recorded:
                self.recorded.add(code)
            if counted:
                self.counted.add(code)
            self.lent = self.lent or lent
        return kinds

    def _none(self, topic: str | None, kind: str | None) -> bool:
        """Whether no organisation can have the topic's support (or fund credit): no row names it."""
        if kind == SupportTopic.Kind.LOAN:
            return not self.lent
        return not self.recorded if topic is None else topic not in self.recorded

    # -- terms -----------------------------------------------------------------------------------------

    def _has(self, topic: str | None, kind: str | None, year: int, *, by_end: bool) -> Q:
        """Organisations (OuterRef pk) with the topic's support in the year (or by its end), or fund credit."""
        start, end = _bounds(year)
        if kind == SupportTopic.Kind.LOAN:
            loans = Loan.objects.filter(organisation=OuterRef("pk"), disbursed_on__lte=end).filter(
                Q(closed_on__isnull=True) | Q(closed_on__gte=start)
            )
            return Q(Exists(loans))
        records = SupportRecord.objects.filter(organisation=OuterRef("pk"), given_on__lte=end)
        if not by_end:
            records = records.filter(given_on__gte=start)
        if topic:
            records = records.filter(topic__code=topic)
        return Q(Exists(records))

    def org_count(
        self,
        conditions: list[dict[str, Any]],
        year: int,
        *,
        stock: bool,
        has: list[tuple[str | None, str | None, bool]],
    ) -> str:
        q = Q()
        if stock:
            end = _bounds(year)[1]
            q &= (Q(founded_on__lte=end) | Q(founded_on__isnull=True)) & (
                Q(ended_on__isnull=True) | Q(ended_on__gt=end)
            )
        for c in conditions:
            q &= _organisation_q(c)
        for topic, kind, by_end in has:
            q &= self._has(topic, kind, year, by_end=by_end)
        key = ("count", repr(conditions), year, stock, tuple(has))
        return self.orgs.term(
            key, lambda: Count("pk", filter=q), year, _allowed_statuses(*conditions), _kinds(*conditions)
        )

    def record_sum(self, conditions: dict[str, Any], topic: str | None, year: int) -> tuple[str, str]:
        start, end = _bounds(year)
        q = Q(given_on__gte=start, given_on__lte=end) & _organisation_q(conditions, "organisation__")
        if topic:
            q &= Q(topic__code=topic)
        value = Coalesce(F("amount"), F("estimated_value"), V(ZERO), output_field=MONEY_FIELD)
        allowed, kinds = _allowed_statuses(conditions), _kinds(conditions)
        key = (repr(conditions), topic, year)
        total = self.records.term(
            ("sum", *key), lambda: Sum(value, filter=q, output_field=MONEY_FIELD), year, allowed, kinds
        )
        n = self.records.term(
            ("n", *key), lambda: Count("organisation", distinct=True, filter=q), year, allowed, kinds
        )
        return total, n

    def loan_sum(self, conditions: dict[str, Any], figure: str, year: int) -> tuple[str, str]:
        start, end = _bounds(year)
        org_q = _organisation_q(conditions, "organisation__")
        if figure == "outstanding":
            repaid = (
                Repayment.objects.filter(loan=OuterRef("pk"), paid_on__lte=end)
                .values("loan")
                .annotate(s=Sum("principal"))
                .values("s")
            )
            value = ExpressionWrapper(
                F("amount") - Coalesce(Subquery(repaid, output_field=MONEY_FIELD), V(ZERO)),
                output_field=MONEY_FIELD,
            )
            q = (
                org_q
                & Q(disbursed_on__lte=end)
                & (Q(written_off_on__isnull=True) | Q(written_off_on__gt=end))
            )
        else:
            value = F("amount")
            q = org_q & Q(disbursed_on__gte=start, disbursed_on__lte=end)
        allowed, kinds = _allowed_statuses(conditions), _kinds(conditions)
        key = (repr(conditions), figure, year)
        total = self.loans.term(
            ("sum", *key), lambda: Sum(value, filter=q, output_field=MONEY_FIELD), year, allowed, kinds
        )
        n = self.loans.term(
            ("n", *key), lambda: Count("organisation", distinct=True, filter=q), year, allowed, kinds
        )
        return total, n

    def union_sum(self, conditions: dict[str, Any], topic: str, year: int) -> str:
        key = (repr(conditions), topic, year)
        alias = self.union_keys.get(key)
        if alias is None:
            alias = f"u{len(self.union_keys)}"
            self.union_keys[key] = alias
            self.union_terms[alias] = (year, topic, conditions)
        return alias

    # -- recipes ---------------------------------------------------------------------------------------

    def recipe(self, d: Indicator, year: int, kinds: dict[str, str]) -> Recipe:
        filters, subset = d.filters or {}, d.subset or {}
        topic = filters.get("topic")
        kind = kinds.get(topic) if topic else SupportTopic.Kind.RECORD
        if kind is None:
            return _constant(NO_DATA)  # a topic nobody defined: nothing can be counted
        if kind == SupportTopic.Kind.UNION:
            return self._union_recipe(d, year, kinds)
        if d.aggregation == A.COUNT:
            if self._none(topic, kind):
                return _constant(ZERO_FIGURE)
            alias = self.org_count([filters], year, stock=False, has=[(topic, kind, False)])
            acc = self.orgs.acc

            def count(q: _Queries, paths: list[str]) -> list[Value]:
                out = []
                for path in paths:
                    row = acc.get(path)
                    n = row.get(alias) if row is not None else None
                    out.append(ZERO_FIGURE if n is None else Value(n, n, None, int(n), False))
                return out

            return count
        if d.aggregation == A.SHARE:
            has = [(topic, kind, False)] if topic else []
            sub_topic = subset.get("topic")
            sub_kind = kinds.get(sub_topic) if sub_topic else None
            if sub_topic and sub_kind in (None, SupportTopic.Kind.UNION):
                return _constant(NO_DATA)
            if topic and self._none(topic, kind):
                return _constant(ZERO_SHARE)  # no organisation in the population
            den = self.org_count([filters], year, stock=True, has=has)
            if sub_topic and self._none(sub_topic, sub_kind):
                num = None  # no organisation in the subset
            else:
                sub_has = has + (
                    [(sub_topic, sub_kind, sub_kind == SupportTopic.Kind.RECORD)] if sub_topic else []
                )
                num = self.org_count([filters, subset], year, stock=True, has=sub_has)
            acc = self.orgs.acc

            def share(q: _Queries, paths: list[str]) -> list[Value]:
                # Counts are whole Decimals (exponent 0): equal pairs give identical Values, shared.
                out, done = [], {}
                for path in paths:
                    row = acc.get(path)
                    if row is None:
                        out.append(ZERO_SHARE)
                        continue
                    pair = (ZERO if num is None else row.get(num, ZERO), row.get(den, ZERO))
                    value = done.get(pair)
                    if value is None:
                        value = done[pair] = _share(pair[0], pair[1], int(pair[1]))
                    out.append(value)
                return out

            return share
        if d.aggregation == A.SUM:
            if kind == SupportTopic.Kind.LOAN:
                if self._none(topic, kind):
                    return _constant(ZERO_FIGURE)
                names = (d.figures or {}).get("value") or ["disbursed"]
                total, n = self.loan_sum(
                    filters, "outstanding" if "outstanding" in names else "disbursed", year
                )
                acc = self.loans.acc
            else:
                if self._none(topic, kind):
                    return _constant(ZERO_FIGURE)
                total, n = self.record_sum(filters, topic, year)
                acc = self.records.acc

            def summed(q: _Queries, paths: list[str]) -> list[Value]:
                out = []
                for path in paths:
                    row = acc.get(path)
                    if row is None:
                        out.append(ZERO_FIGURE)
                        continue
                    value = row.get(total, ZERO)
                    out.append(Value(value, value, None, int(row.get(n, ZERO)), False))
                return out

            return summed
        return _constant(NO_DATA)  # averages and ratios of support have no meaning here

    def _union_recipe(self, d: Indicator, year: int, kinds: dict[str, str]) -> Recipe:
        filters, subset = d.filters or {}, d.subset or {}
        if d.aggregation not in (A.COUNT, A.SUM, A.SHARE):
            return _constant(NO_DATA)
        sub_topic = subset.get("topic", filters["topic"])
        if d.aggregation == A.SHARE and kinds.get(sub_topic) != SupportTopic.Kind.UNION:
            return _constant(NO_DATA)
        if filters["topic"] not in self.counted:
            return _constant(NO_DATA)  # nothing recorded for the filters' topic
        den = self.union_sum(filters, filters["topic"], year)
        den_n = f"{den}:n"
        acc = self.union_acc
        if d.aggregation in (A.COUNT, A.SUM):

            def total(q: _Queries, paths: list[str]) -> list[Value]:
                out = []
                for path in paths:
                    row = acc.get(path)
                    n = row.get(den_n) if row is not None else None
                    out.append(NO_DATA if not n else Value(row[den], row[den], None, int(n), False))
                return out

            return total
        num = self.union_sum({**filters, **subset}, sub_topic, year)

        def share(q: _Queries, paths: list[str]) -> list[Value]:
            out = []
            for path in paths:
                row = acc.get(path)
                n = row.get(den_n) if row is not None else None
                out.append(NO_DATA if not n else _share(row.get(num, ZERO), row[den], int(n)))
            return out

        return share

    # -- queries ---------------------------------------------------------------------------------------

    def run(self) -> None:
        if self.orgs.terms:
            self._run(self.orgs, Organisation.objects.filter(archived=False))
        if self.records.terms:
            self._run(self.records, SupportRecord.objects.filter(organisation__archived=False))
        if self.loans.terms:
            self._run(self.loans, Loan.objects.filter(organisation__archived=False))
        if self.union_terms:
            self._run_union()

    def _targets(self, paths: Sequence[str | None]) -> list[str]:
        """The units' paths among the prefixes of `paths` (as _prefixes, inlined: once per row)."""
        found, wanted = [], self.paths
        for path in paths:
            if path:
                end = path.find("/")
                while end != -1:
                    prefix = path[: end + 1]
                    if prefix in wanted:
                        found.append(prefix)
                    end = path.find("/", end + 1)
        return found

    def _run(self, table: _Table, qs) -> None:
        prefix = table.prefix
        if self.roots is not None:
            qs = qs.filter(_path_q(self.roots, prefix))
        if table.kinds is not None:  # every term counts some kinds only: read just those rows
            qs = qs.filter(**{f"{prefix}kind__in": sorted(table.kinds)})
        for year in sorted(table.status_years):
            qs = qs.annotate(**{f"st{year}": _status_at_year_end(year, prefix.rstrip("_") or "pk")})
        group = [f"{prefix}{field}" for field in self.group]
        statuses = [f"st{year}" for year in sorted(table.status_years)]
        aliases = list(table.terms)
        rules = [table.status_rules.get(alias) for alias in aliases]
        columns = {name: i for i, name in enumerate([*group, *statuses, *aliases])}
        terms = [
            (alias, columns[alias], rule and (columns[rule[0]], rule[1]))
            for alias, rule in zip(aliases, rules, strict=True)
        ]
        rows = qs.values(*group, *statuses).annotate(**table.terms).order_by().values_list(*columns)
        acc = table.acc
        for row in rows:
            targets = self._targets(row[: len(group)])
            if not targets:
                continue
            for alias, column, rule in terms:
                n = row[column]
                if not n:
                    continue
                if rule and row[rule[0]] not in rule[1]:
                    continue
                n = Decimal(n)
                for p in targets:
                    acc[p][alias] += n

    def _run_union(self) -> None:
        years = {year for year, _topic, _c in self.union_terms.values()}
        topics = {topic for _year, topic, _c in self.union_terms.values()}
        qs = UnionActivity.objects.filter(year__in=years, topic__code__in=topics)
        if self.roots is not None:
            qs = qs.filter(_path_q(self.roots))
        rows = qs.values_list(
            "current_path",
            "legacy_path",
            "year",
            "topic__code",
            "count",
            "sector__code",
            "organisation_id",
            "organisation__archived",
            "organisation__kind",
            "organisation__sector__code",
            "organisation__subsector__code",
            "organisation__supporter",
            "organisation__union_member",
            "organisation__law",
        )
        for current, legacy, year, topic, count, sector, org_id, archived, *org in rows:
            if org_id is not None and archived:
                continue
            targets = self._targets(
                [
                    current if "current_path" in self.group else None,
                    legacy if "legacy_path" in self.group else None,
                ]
            )
            if not targets:
                continue
            for alias, (t_year, t_topic, conditions) in self.union_terms.items():
                if t_year != year or t_topic != topic or not _union_matches(conditions, sector, org_id, org):
                    continue
                for p in targets:
                    self.union_acc[p][alias] += Decimal(count)
                    self.union_acc[p][f"{alias}:n"] += 1


def _union_matches(conditions: dict[str, Any], sector: str | None, org_id: int | None, org: list) -> bool:
    """Whether a Farmers' Union count meets the organisation conditions (see the module docstring)."""
    kind, org_sector, subsector, supporter, union_member, law = org
    for key in ORG_KEYS:
        if key not in conditions:
            continue
        wanted = conditions[key]
        if key == "sectors":
            if (org_sector if org_id is not None else sector) not in wanted:
                return False
            continue
        if org_id is None:
            return False
        value = {"kinds": kind, "subsectors": subsector, "supporters": supporter, "laws": law}.get(key)
        if key == "union_member":
            if union_member != wanted:
                return False
        elif value not in wanted:
            return False
    return True
