"""How a scheme scores: its criteria's expressions and bands, whether it is complete, who is not rated,
and the evaluation of a sheet. Pure functions over loaded objects, shared by the services (which write),
the pages (which preview while a person types) and the bulk scoring (which decides before writing).

Expressions are those of the returns' validation rules (returns.expressions: a whitelist walked by
hand, never `eval`), over the figures of the year's approved return, `members_official` (individuals +
households + legal entities), `year`, `prev.<figure>` (last year's approved return) and `org.<fact>`.
A blank figure makes the expression unknown: the criterion is then entered by a person.
"""

from __future__ import annotations

import ast
import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from hoptac.registry.models import Status
from hoptac.returns.expressions import Expression, ExpressionError, Vocabulary, cached_expression
from hoptac.returns.fields import FIELDS_BY_NAME, Classification
from hoptac.returns.validation import ORG_FACTS, figures_of, format_value, org_facts

if TYPE_CHECKING:
    from hoptac.registry.models import Organisation, StatusChange
    from hoptac.returns.models import AnnualReturn

    from .models import ClassThreshold, Criterion, Scheme, SchemeRule

MEMBERS_OFFICIAL = "members_official"
FIGURE_NAMES = frozenset({*FIELDS_BY_NAME, MEMBERS_OFFICIAL})
VOCABULARY = Vocabulary(
    names=frozenset({*FIGURE_NAMES, "year"}),
    attributes={"prev": frozenset({*FIGURE_NAMES, "year"}), "org": ORG_FACTS},
)
ZERO = Decimal(0)
# Statuses in which a cooperative has stopped operating (for "stopped more than N months").
STOPPED_STATUSES = frozenset({Status.SUSPENDED, Status.STOPPED, Status.NOT_AT_ADDRESS, Status.TAX_REVOKED})
DAYS_PER_MONTH = 30  # "stopped more than 3 months" = more than 90 days in the year


def expression(text: str) -> Expression:
    """A criterion's expression, compiled once (raises ExpressionError)."""
    return cached_expression(text, VOCABULARY)


def figure_label(name: str) -> str:
    if name == MEMBERS_OFFICIAL:
        return _("Official members")
    spec = FIELDS_BY_NAME.get(name)
    return str(spec.label) if spec else name


def names_read(expr: Expression) -> list[str]:
    """The figures an expression reads, in order: `revenue`, `prev.total_assets` …"""
    out: list[str] = []
    for node in ast.walk(expr.tree):
        if isinstance(node, ast.Name) and node.id in FIGURE_NAMES:
            name = node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "prev":
            name = f"prev.{node.attr}"
        else:
            continue
        if name not in out:
            out.append(name)
    return out


def _number(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    return None


def band_points(bands: Sequence[Mapping[str, Any]], value: Any) -> Decimal | None:
    """The points of the first band holding `value` (min inclusive, max exclusive); None if none does."""
    number = _number(value)
    if number is None:
        return None
    for band in bands:
        low, high = band.get("min"), band.get("max")
        if low is not None and number < Decimal(str(low)):
            continue
        if high is not None and number >= Decimal(str(high)):
            continue
        return Decimal(str(band["points"]))
    return None


def _bands_errors(bands: Any, max_points: Decimal | None) -> list[str]:
    if not isinstance(bands, list) or not bands:
        return [_('Give the bands as a list: [{"min": 1000, "max": 5000, "points": 6}, …].')]
    errors = []
    for i, band in enumerate(bands, start=1):
        if not isinstance(band, dict) or "points" not in band or set(band) - {"min", "max", "points"}:
            errors.append(_("Band %(n)d: use the keys min, max and points.") % {"n": i})
            continue
        try:
            low = None if band.get("min") is None else Decimal(str(band["min"]))
            high = None if band.get("max") is None else Decimal(str(band["max"]))
            points = Decimal(str(band["points"]))
        except (InvalidOperation, ValueError, TypeError):
            errors.append(_("Band %(n)d: min, max and points must be numbers.") % {"n": i})
            continue
        if low is not None and high is not None and low >= high:
            errors.append(_("Band %(n)d: min must be below max.") % {"n": i})
        if points < 0 or (max_points is not None and points > max_points):
            errors.append(
                _("Band %(n)d gives %(points)s points, outside 0 to %(max)s.")
                % {"n": i, "points": points, "max": max_points}
            )
    return errors


def criterion_errors(c: Criterion) -> dict[str, list[str]]:
    """What is wrong with a criterion, by field (Criterion.clean)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if c.scheme_id and c.scheme.is_locked:
        add(
            "__all__",
            _("Version %(version)s of this scheme has scored sheets and cannot change: make a new version.")
            % {"version": c.scheme.version},
        )
    if c.max_points is not None and c.max_points < 0:
        add("max_points", _("Points cannot be negative."))
    if c.parent_id is not None:
        if c.parent.scheme_id != c.scheme_id:
            add("parent", _("The parent criterion belongs to another scheme."))
        elif c.parent.rule != c.Rule.SUM:
            add("parent", _("Only a criterion whose rule is “sum” has sub-criteria."))
    for name in ("expression", "precondition"):
        text = getattr(c, name)
        if text.strip():
            try:
                expression(text)
            except ExpressionError as err:
                add(name, str(err))
    if c.rule == c.Rule.BANDS:
        if not c.expression.strip():
            add("expression", _("A criterion scored by bands needs the expression the bands apply to."))
        for message in _bands_errors(c.bands, c.max_points):
            add("bands", message)
    elif c.bands:
        add("bands", _("Only a criterion scored by bands has bands."))
    if c.rule == c.Rule.SUM and (c.expression.strip() or c.precondition.strip()):
        add("expression", _("A criterion that sums its sub-criteria has no expression."))
    return errors


# -- a scheme, loaded ----------------------------------------------------------------------------------


@dataclass
class SchemeData:
    """A scheme version with its criteria (in order), thresholds (highest first) and rules."""

    scheme: Scheme
    criteria: list[Criterion]
    thresholds: list[ClassThreshold]
    rules: list[SchemeRule]
    children: dict[int | None, list[Criterion]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.children = {}
        for c in self.criteria:
            self.children.setdefault(c.parent_id, []).append(c)

    @property
    def leaves(self) -> list[Criterion]:
        return [c for c in self.criteria if c.rule != c.Rule.SUM]

    @property
    def by_number(self) -> dict[str, Criterion]:
        return {c.number: c for c in self.criteria}

    def max_of(self, c: Criterion) -> Decimal | None:
        """The criterion's maximum, or its sub-criteria's total when it gives none."""
        if c.max_points is not None:
            return c.max_points
        if c.rule != c.Rule.SUM:
            return None
        parts = [self.max_of(child) for child in self.children.get(c.pk, [])]
        if not parts or any(p is None for p in parts):
            return None
        return sum(parts, ZERO)

    def fine_rule(self) -> SchemeRule | None:
        return next(
            (r for r in self.rules if r.condition == r.Condition.FINED and r.kind == r.Kind.FORCE), None
        )

    def walk(self) -> Iterable[tuple[Criterion, int]]:
        """Every criterion with its depth, parents before their sub-criteria."""

        def visit(parent_id: int | None, depth: int):
            for c in self.children.get(parent_id, []):
                yield c, depth
                yield from visit(c.pk, depth + 1)

        yield from visit(None, 0)


# Scheme versions read inside `schemes_unchanged()`, by id (None outside it).
_READ: ContextVar[dict[Any, Any] | None] = ContextVar("hoptac_schemes_read", default=None)


@contextmanager
def schemes_unchanged() -> Iterator[None]:
    """A block in which no scheme changes (bulk scoring, the demo): each scheme version, and the choice
    of schemes (`read_once("chooser", …)`), is read from the database once instead of at every step of
    every sheet. Outside such a block every call reads afresh."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def read_once(key: Any, read):
    """`read()`, or inside `schemes_unchanged()` what it gave the first time for this key."""
    memo = _READ.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def load_scheme(scheme: Scheme) -> SchemeData:
    """Three queries (criteria, thresholds, rules), none when they were prefetched (or, inside
    `schemes_unchanged()`, when this version was read before)."""

    def read() -> SchemeData:
        return SchemeData(
            scheme=scheme,
            criteria=sorted(scheme.criteria.all(), key=lambda c: (c.order, c.pk)),
            thresholds=sorted(scheme.thresholds.all(), key=lambda t: t.min_points, reverse=True),
            rules=list(scheme.rules.all()),
        )

    if scheme.pk is None:
        return read()
    return read_once(("scheme", scheme.pk), read)


def scheme_problems(data: SchemeData) -> list[str]:
    """Why a scheme cannot classify yet (maxima left blank, totals that do not add up, no classes)."""
    problems = []
    blank = [c.number for c in data.leaves if c.max_points is None]
    if blank:
        problems.append(
            _("Criteria without maximum points (to be entered from the published text): %(numbers)s.")
            % {"numbers": ", ".join(blank)}
        )
    for c in data.criteria:
        if c.rule != c.Rule.SUM:
            continue
        kids = data.children.get(c.pk, [])
        if not kids:
            problems.append(_("Criterion %(number)s sums sub-criteria but has none.") % {"number": c.number})
            continue
        parts = [data.max_of(k) for k in kids]
        if (
            c.max_points is not None
            and all(p is not None for p in parts)
            and sum(parts, ZERO) != c.max_points
        ):
            problems.append(
                _("The sub-criteria of %(number)s add up to %(sum)s points, not %(max)s.")
                % {
                    "number": c.number,
                    "sum": format_value(sum(parts, ZERO)),
                    "max": format_value(c.max_points),
                }
            )
    tops = [data.max_of(c) for c in data.children.get(None, [])]
    if tops and all(t is not None for t in tops) and sum(tops, ZERO) != data.scheme.total_points:
        problems.append(
            _("The criteria add up to %(sum)s points, not %(total)s.")
            % {"sum": format_value(sum(tops, ZERO)), "total": format_value(data.scheme.total_points)}
        )
    if not data.thresholds:
        problems.append(_("The scheme has no class thresholds."))
    elif data.thresholds[-1].min_points > 0:
        problems.append(_("No class starts at 0 points: a low total would have no class."))
    return problems


def class_for(thresholds: Sequence[ClassThreshold], total: Decimal) -> str:
    """The class of a total: the highest threshold it reaches (thresholds sorted highest first)."""
    for threshold in thresholds:
        if total >= threshold.min_points:
            return threshold.klass
    return ""


# -- not rated ------------------------------------------------------------------------------------------


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


def _stopped_days(changes: Sequence[StatusChange], year: int) -> int:
    """Days of `year` the organisation spent in a stopped status, from its dated status history."""
    first, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    ordered = sorted(changes, key=lambda c: (c.effective_on, c.pk or 0))
    status = Status.ACTIVE
    for change in ordered:
        if change.effective_on <= first:
            status = change.status
    days, since = 0, first
    for change in ordered:
        if first < change.effective_on < end:
            if status in STOPPED_STATUSES:
                days += (change.effective_on - since).days
            status, since = change.status, change.effective_on
    if status in STOPPED_STATUSES:
        days += (end - since).days
    return days


def exclusion_reason(
    org: Organisation, year: int, rules: Iterable[SchemeRule], changes: Sequence[StatusChange]
) -> str | None:
    """Why `org` is not rated for `year` under these rules, or None when it is rated.

    Operated fewer than N months: from the later of 01/01 and its founding to the earlier of 01/01 of
    the next year and its end, shorter than N months (a cooperative founded on 01/05 has operated 8
    months). Stopped more than N months: days in a stopped status (suspended, stopped, not at its
    address, certificate revoked) above N × 30, read from the status history.
    """
    first, end = datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)
    for rule in rules:
        if rule.kind != rule.Kind.EXCLUDE or not rule.months:
            continue
        if rule.condition == rule.Condition.OPERATING_BELOW:
            start = max(first, org.founded_on or first)
            stop = min(end, org.ended_on or end)
            if add_months(start, rule.months) > stop:
                return _("operated fewer than %(months)d months in %(year)s") % {
                    "months": rule.months,
                    "year": year,
                }
        elif (
            rule.condition == rule.Condition.STOPPED_ABOVE
            and _stopped_days(changes, year) > rule.months * DAYS_PER_MONTH
        ):
            return _("stopped operating more than %(months)d months in %(year)s") % {
                "months": rule.months,
                "year": year,
            }
    return None


# -- evaluating a sheet -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """A figure of the return behind a computed criterion."""

    name: str
    label: str
    value: Any

    @property
    def text(self) -> str:
        return format_value(self.value)


@dataclass
class Row:
    """One criterion of a sheet as evaluated: its points and what they rest on."""

    criterion: Criterion
    depth: int
    max_points: Decimal | None
    points: Decimal | None = None
    value: Any = None  # the expression's value (computed criteria, or shown beside a manual one)
    inputs: list[Input] = field(default_factory=list)
    computed: bool = False  # points from the return
    enterable: bool = False  # a person enters the points
    evidence: str = ""
    error: str = ""

    @property
    def is_leaf(self) -> bool:
        return self.criterion.rule != self.criterion.Rule.SUM

    @property
    def missing(self) -> bool:
        return self.is_leaf and self.points is None

    @property
    def value_text(self) -> str:
        return format_value(self.value)


@dataclass
class Evaluation:
    data: SchemeData
    rows: list[Row]
    total: Decimal
    klass: str
    forced: bool
    problems: list[str]  # the scheme's

    @property
    def leaves(self) -> list[Row]:
        return [r for r in self.rows if r.is_leaf]

    @property
    def missing(self) -> list[Row]:
        return [r for r in self.leaves if r.missing]

    @property
    def complete(self) -> bool:
        return not self.problems and not self.missing

    @property
    def klass_label(self) -> str:
        return str(Classification(self.klass).label) if self.klass else ""

    def by_number(self) -> dict[str, Row]:
        return {r.criterion.number: r for r in self.rows}


def environment(ret: AnnualReturn | None, prev: AnnualReturn | None, org: Organisation) -> tuple[dict, dict]:
    """(names, objects) of an expression: the return's figures, and `prev` and `org`."""

    def with_members(values: dict) -> dict:
        parts = [values.get(n) for n in ("members_individual", "members_household", "members_legal_entity")]
        values[MEMBERS_OFFICIAL] = None if all(p is None for p in parts) else sum(p or 0 for p in parts)
        return values

    values = with_members(figures_of(ret))
    previous = with_members(figures_of(prev))
    return values, {"prev": previous, "org": org_facts(org)}


def _evaluate_expression(text: str, env: dict, objects: dict) -> tuple[Any, str]:
    try:
        return expression(text).evaluate(env, objects), ""
    except ExpressionError as err:
        return None, str(err)


def evaluate(
    data: SchemeData,
    *,
    org: Organisation,
    ret: AnnualReturn | None,
    prev: AnnualReturn | None = None,
    entered: Mapping[str, tuple[Decimal | None, str]] | None = None,
    fined: bool = False,
) -> Evaluation:
    """Score every criterion: computed ones from the return, the others from `entered`
    ({number: (points, evidence)}); the total, and the class (forced by a fine where a rule says so).

    The class is given only when every criterion is scored and the scheme is complete, or when a
    rule forces it.
    """
    entered = entered or {}
    env, objects = environment(ret, prev, org)
    rows: list[Row] = []
    by_id: dict[int, Row] = {}
    for c, depth in data.walk():
        row = Row(criterion=c, depth=depth, max_points=data.max_of(c))
        points, evidence = entered.get(c.number, (None, ""))
        if c.rule == c.Rule.BANDS:
            row.value, row.error = _evaluate_expression(c.expression, env, objects)
            row.inputs = _inputs(c.expression, env, objects)
            holds = True
            if c.precondition.strip():
                condition, error = _evaluate_expression(c.precondition, env, objects)
                row.error = row.error or error
                holds = None if condition is None else bool(condition)
            if holds is False:
                row.points, row.computed = ZERO, True
            elif holds is True and (computed := band_points(c.bands, row.value)) is not None:
                row.points, row.computed = computed, True
            else:
                row.enterable, row.points, row.evidence = True, points, evidence
        elif c.rule == c.Rule.MANUAL:
            if c.expression.strip():
                row.value, row.error = _evaluate_expression(c.expression, env, objects)
                row.inputs = _inputs(c.expression, env, objects)
            row.enterable, row.points, row.evidence = True, points, evidence
        rows.append(row)
        by_id[c.pk] = row
    # Sums, deepest first, so that a group adds up its criteria's sums.
    for row in sorted((r for r in rows if not r.is_leaf), key=lambda r: -r.depth):
        parts = [by_id[k.pk].points for k in data.children.get(row.criterion.pk, [])]
        known = [p for p in parts if p is not None]
        row.points = sum(known, ZERO) if known else None
    total = sum((r.points for r in rows if r.is_leaf and r.points is not None), ZERO)
    problems = scheme_problems(data)
    klass, forced = "", False
    fine_rule = data.fine_rule()
    if fined and fine_rule is not None:
        klass, forced = fine_rule.klass, True
    elif not problems and all(r.points is not None for r in rows if r.is_leaf):
        klass = class_for(data.thresholds, total)
    return Evaluation(data=data, rows=rows, total=total, klass=klass, forced=forced, problems=problems)


def _inputs(text: str, env: dict, objects: dict) -> list[Input]:
    try:
        names = names_read(expression(text))
    except ExpressionError:
        return []
    out = []
    for name in names:
        if name.startswith("prev."):
            bare = name.removeprefix("prev.")
            label = _("%(figure)s, last year") % {"figure": figure_label(bare)}
            out.append(Input(name, label, objects["prev"].get(bare)))
        else:
            out.append(Input(name, figure_label(name), env.get(name)))
    return out
