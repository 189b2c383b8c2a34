"""Reads of the action programme: the state of each task in a year, the board, an agency's duties,
a task's years, missing reports, and the budget's totals.

Each costs a fixed number of queries whatever the number of tasks and agencies: the tasks of a plan
with their coordinating agencies (prefetched), every agency in memory (agencies.AgencyGraph), the
reports of the years shown, the plan's reporting rule.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoptac.accounts.models import User
from hoptac.indicators.models import Plan

from . import access
from .agencies import AgencyGraph, AgencyNode
from .models import Agency, BudgetEntry, BudgetLine, Programme, Task, TaskReport

ZERO = Decimal(0)
Reports = dict[tuple[int, int], dict[int, TaskReport]]


class State:
    """The state of a task in a year, from its lead agencies' reports (the board's colours)."""

    DONE = "done"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    LATE = "late"  # a lead agency's report is missing after the deadline
    DUE = "due"  # a lead agency's report is missing, the deadline has not passed
    NOT_DUE = "not_due"  # the year is outside the task's time frame
    UNASSIGNED = "unassigned"  # nobody to report: the lead ended without a successor

    LABELS = {
        DONE: _("Done"),
        IN_PROGRESS: _("In progress"),
        NOT_STARTED: _("Not started"),
        LATE: _("Late: report missing"),
        DUE: _("Report due"),
        NOT_DUE: _("Not in the time frame"),
        UNASSIGNED: _("No agency to report"),
    }
    ORDER = (LATE, DUE, NOT_STARTED, IN_PROGRESS, DONE, NOT_DUE, UNASSIGNED)


@dataclass
class ReporterRow:
    agency: AgencyNode
    role: str
    report: TaskReport | None
    late: bool  # filed after the deadline

    @property
    def missing(self) -> bool:
        return self.report is None


@dataclass
class Cell:
    """A task in a year: who reports, what they reported, and the state."""

    task: Task
    year: int
    deadline: datetime.date | None
    state: str
    leads: list[ReporterRow] = field(default_factory=list)
    contributors: list[ReporterRow] = field(default_factory=list)

    @property
    def state_label(self) -> str:
        return str(State.LABELS[self.state])

    @property
    def reported(self) -> int:
        return sum(1 for r in self.leads if r.report is not None)

    @property
    def expected(self) -> int:
        return len(self.leads)

    @property
    def reported_late(self) -> bool:
        return any(r.late for r in self.leads)

    @property
    def progress(self) -> int | None:
        values = [
            r.report.progress for r in self.leads if r.report is not None and r.report.progress is not None
        ]
        return round(sum(values) / len(values)) if values else None

    @property
    def contributions(self) -> list[ReporterRow]:
        return [r for r in self.contributors if r.report is not None]


def programme_of(plan: Plan) -> Programme | None:
    return Programme.objects.filter(plan=plan).first()


def is_late(report: TaskReport, deadline: datetime.date | None) -> bool:
    return deadline is not None and timezone.localdate(report.submitted_at) > deadline


def cell_for(
    task: Task,
    year: int,
    *,
    programme: Programme | None,
    graph: AgencyGraph,
    reports: Reports,
    today: datetime.date,
) -> Cell:
    """The state of `task` in `year` (`reports` by (task, year) then agency; the task's coordinating
    agencies prefetched)."""
    deadline = programme.deadline(year) if programme is not None else None
    if year not in task.years(programme):
        return Cell(task, year, deadline, State.NOT_DUE)
    day = access.report_day(programme, year)
    lead_ids = graph.reporters(task.lead_id, day)
    filed = reports.get((task.pk, year), {})
    leads = []
    for agency_id in lead_ids:
        report = filed.get(agency_id)
        leads.append(
            ReporterRow(
                graph[agency_id], TaskReport.Role.LEAD, report, bool(report and is_late(report, deadline))
            )
        )
    contributor_ids: dict[int, None] = {}
    for coordinating in task.coordinating.all():
        for agency_id in graph.reporters(coordinating.pk, day):
            if agency_id not in lead_ids:
                contributor_ids[agency_id] = None
    contributors = []
    for agency_id in contributor_ids:
        report = filed.get(agency_id)
        contributors.append(
            ReporterRow(
                graph[agency_id],
                TaskReport.Role.CONTRIBUTION,
                report,
                bool(report and is_late(report, deadline)),
            )
        )
    # Reports filed by an agency the task no longer names (a lead replaced in the file) still show.
    for agency_id, report in filed.items():
        if agency_id not in lead_ids and agency_id not in contributor_ids:
            row = ReporterRow(graph[agency_id], report.role, report, is_late(report, deadline))
            (leads if report.role == TaskReport.Role.LEAD else contributors).append(row)
    return Cell(task, year, deadline, _state(leads, deadline, today), leads, contributors)


def _state(leads: list[ReporterRow], deadline: datetime.date | None, today: datetime.date) -> str:
    if not leads:
        return State.UNASSIGNED
    if any(r.report is None for r in leads):
        return State.LATE if deadline is not None and today > deadline else State.DUE
    statuses = {r.report.status for r in leads}
    if statuses == {TaskReport.Status.DONE}:
        return State.DONE
    if statuses & {TaskReport.Status.IN_PROGRESS, TaskReport.Status.DONE}:
        return State.IN_PROGRESS
    return State.NOT_STARTED


def index_reports(reports: Iterable[TaskReport]) -> Reports:
    index: Reports = {}
    for report in reports:
        index.setdefault((report.task_id, report.year), {})[report.agency_id] = report
    return index


def reports_by_key(tasks: Iterable[Task], years: Iterable[int]) -> Reports:
    qs = TaskReport.objects.filter(task_id__in=[t.pk for t in tasks], year__in=list(years))
    return index_reports(qs)


def plan_tasks(plan: Plan, user: User, graph: AgencyGraph) -> QuerySet[Task]:
    return (
        access.visible_tasks(user, graph)
        .filter(plan=plan)
        .select_related("group", "lead")
        .prefetch_related(Prefetch("coordinating", queryset=Agency.objects.order_by("name")))
        .order_by("group__order", "order", "pk")
    )


def default_year(programme: Programme | None, plan: Plan, today: datetime.date) -> int:
    """The year a board opens on: this year inside the plan, else the plan's nearest end."""
    years = programme.years if programme is not None else range(plan.start_year, plan.end_year + 1)
    return min(max(today.year, years.start), years.stop - 1)


@dataclass
class BoardRow:
    task: Task
    cell: Cell
    lead_label: str  # the lead as the plan names it, and who answers now when it was merged away
    successor_label: str
    coordinating: list[str]
    duty: access.Duty | None


@dataclass
class Board:
    plan: Plan
    programme: Programme | None
    year: int
    years: list[int]
    groups: list[tuple[object, list[BoardRow]]]
    counts: dict[str, int]
    agencies: list[AgencyNode]
    total: int


def board(
    plan: Plan,
    user: User,
    *,
    year: int | None = None,
    agency_id: int | None = None,
    state: str = "",
    today: datetime.date | None = None,
) -> Board:
    """The programme board: the tasks `user` sees in `plan`, by group, with their state in `year`,
    filtered by an agency (tasks it leads or helps with, as itself, a predecessor or a group) and a state."""
    today = today or timezone.localdate()
    graph = AgencyGraph()
    programme = programme_of(plan)
    years = list(programme.years if programme is not None else range(plan.start_year, plan.end_year + 1))
    if year is None or year not in years:
        year = default_year(programme, plan, today)
    tasks = list(plan_tasks(plan, user, graph))
    involved: dict[int, None] = {}
    for task in tasks:
        involved[task.lead_id] = None
        for c in task.coordinating.all():
            involved[c.pk] = None
    if agency_id is not None:
        scope = graph.scope([agency_id])
        tasks = [t for t in tasks if t.lead_id in scope or any(c.pk in scope for c in t.coordinating.all())]
    reports = reports_by_key(tasks, [year])
    day = access.report_day(programme, year)
    acting = access.acting_agencies(user, graph)
    counts: dict[str, int] = dict.fromkeys(State.ORDER, 0)
    groups: dict[int, tuple[object, list[BoardRow]]] = {}
    for task in tasks:
        cell = cell_for(task, year, programme=programme, graph=graph, reports=reports, today=today)
        counts[cell.state] += 1
        if state and cell.state != state:
            continue
        duty = None
        if acting and year <= today.year and cell.state != State.NOT_DUE:
            duty = access.duty_of(acting, task, day, graph)
        effective = graph.effective(task.lead_id, day)
        successor = graph[effective].name if effective and effective != task.lead_id else ""
        row = BoardRow(
            task=task,
            cell=cell,
            lead_label=task.lead_text or task.lead.name,
            successor_label=successor,
            coordinating=[task.coordinating_text]
            if task.coordinating_text
            else [c.name for c in task.coordinating.all()],
            duty=duty,
        )
        groups.setdefault(task.group_id, (task.group, []))[1].append(row)
    agencies = sorted((graph[i] for i in involved), key=lambda n: n.name)
    return Board(
        plan=plan,
        programme=programme,
        year=year,
        years=years,
        groups=list(groups.values()),
        counts=counts,
        agencies=agencies,
        total=len(tasks),
    )


@dataclass
class DutyRow:
    task: Task
    year: int
    agency: AgencyNode  # the agency that owes it (itself or one it succeeded)
    role: str
    report: TaskReport | None
    deadline: datetime.date | None
    late: bool

    @property
    def overdue(self) -> bool:
        return self.report is None and self.deadline is not None and timezone.localdate() > self.deadline


def agency_duties(
    agency: Agency, user: User, *, today: datetime.date | None = None
) -> tuple[list[DutyRow], list[Task]]:
    """What `agency` owes, up to this year: a row per task and year where it (or an agency it succeeded)
    is named, lead or coordinating, with its report if filed; and the tasks it is named in."""
    today = today or timezone.localdate()
    graph = AgencyGraph()
    lineage = graph.lineage([agency.pk])
    scope = graph.scope([agency.pk])
    coordinated = Task.coordinating.through.objects.filter(agency_id__in=scope).values("task_id")
    tasks = list(
        access.visible_tasks(user, graph)
        .filter(Q(lead_id__in=scope) | Q(pk__in=coordinated))
        .select_related("plan", "group", "lead")
        .prefetch_related(Prefetch("coordinating", queryset=Agency.objects.order_by("name")))
        .order_by("plan__slug", "group__order", "order", "pk")
    )
    programmes = {p.plan_id: p for p in Programme.objects.filter(plan_id__in={t.plan_id for t in tasks})}
    reports = {
        (r.task_id, r.year, r.agency_id): r
        for r in TaskReport.objects.filter(task__in=[t.pk for t in tasks], agency_id__in=lineage)
    }
    rows = []
    for task in tasks:
        programme = programmes.get(task.plan_id)
        for year in task.years(programme):
            if year > today.year:
                break
            duty = access.duty_of(lineage, task, access.report_day(programme, year), graph)
            if duty is None:
                continue
            deadline = programme.deadline(year) if programme else None
            report = reports.get((task.pk, year, duty.agency_id))
            rows.append(
                DutyRow(
                    task,
                    year,
                    graph[duty.agency_id],
                    duty.role,
                    report,
                    deadline,
                    bool(report and is_late(report, deadline)),
                )
            )
    rows.sort(key=lambda r: (r.deadline or datetime.date(r.year, 12, 31), r.task.plan.slug, r.task.order))
    return rows, tasks


def task_years(task: Task, *, today: datetime.date | None = None) -> list[Cell]:
    """A task's cells, year by year up to this year (the task's page)."""
    today = today or timezone.localdate()
    graph = AgencyGraph()
    programme = programme_of(task.plan)
    years = [y for y in task.years(programme) if y <= max(today.year, task.years(programme).start)]
    reports = index_reports(
        TaskReport.objects.filter(task=task).select_related("submitted_by").prefetch_related("attachments")
    )
    return [cell_for(task, y, programme=programme, graph=graph, reports=reports, today=today) for y in years]


def missing_lead_reports(programme: Programme, year: int, *, graph: AgencyGraph) -> dict[int, list[Task]]:
    """Agencies whose lead report for `year` is missing, with the tasks concerned (reminders)."""
    tasks = list(
        Task.objects.filter(plan_id=programme.plan_id)
        .select_related("group")
        .order_by("group__order", "order", "pk")
    )
    day = programme.deadline(year)
    reported = set(
        TaskReport.objects.filter(task__plan_id=programme.plan_id, year=year).values_list(
            "task_id", "agency_id"
        )
    )
    missing: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if year not in task.years(programme):
            continue
        for agency_id in graph.reporters(task.lead_id, day):
            if (task.pk, agency_id) not in reported:
                missing[agency_id].append(task)
    return dict(missing)


# ---------------------------------------------------------------- budget


@dataclass
class Amounts:
    planned: Decimal = ZERO
    allocated: Decimal = ZERO
    disbursed: Decimal = ZERO

    def add(self, other: Amounts) -> None:
        self.planned += other.planned
        self.allocated += other.allocated
        self.disbursed += other.disbursed

    @property
    def allocated_percent(self) -> Decimal | None:
        return (self.allocated * 100 / self.planned).quantize(Decimal("0.1")) if self.planned else None

    @property
    def disbursed_percent(self) -> Decimal | None:
        return (self.disbursed * 100 / self.allocated).quantize(Decimal("0.1")) if self.allocated else None

    def as_dict(self) -> dict[str, Decimal]:
        return {"planned": self.planned, "allocated": self.allocated, "disbursed": self.disbursed}


@dataclass
class LineAmounts:
    line: BudgetLine
    amounts: Amounts


@dataclass
class BudgetSummary:
    plan: Plan
    lines: list[LineAmounts]
    by_period: dict[str, Amounts]
    by_source: dict[str, Amounts]
    by_purpose: dict[str, Amounts]
    by_year: dict[int, Amounts]
    total: Amounts
    periods: list[tuple[str, list[LineAmounts], Amounts]]


def budget_summary(plan: Plan) -> BudgetSummary:
    """Planned, allocated and disbursed amounts of `plan`'s budget, by line, period, source, purpose and
    year; every total is the sum of the lines (two queries)."""
    lines = (
        BudgetLine.objects.filter(plan=plan)
        .annotate(
            allocated=Sum(
                "entries__amount", filter=Q(entries__kind=BudgetEntry.Kind.ALLOCATION), default=ZERO
            ),
            disbursed=Sum(
                "entries__amount", filter=Q(entries__kind=BudgetEntry.Kind.DISBURSEMENT), default=ZERO
            ),
        )
        .order_by("period_start", "order", "pk")
    )
    rows = [LineAmounts(line, Amounts(line.planned, line.allocated, line.disbursed)) for line in lines]
    by_period: dict[str, Amounts] = {}
    by_source: dict[str, Amounts] = {}
    by_purpose: dict[str, Amounts] = {}
    total = Amounts()
    periods: dict[str, list[LineAmounts]] = {}
    for row in rows:
        line = row.line
        by_period.setdefault(line.period, Amounts()).add(row.amounts)
        by_source.setdefault(line.source, Amounts()).add(row.amounts)
        by_purpose.setdefault(line.purpose, Amounts()).add(row.amounts)
        periods.setdefault(line.period, []).append(row)
        total.add(row.amounts)
    by_year: dict[int, Amounts] = {}
    for year, kind, amount in (
        BudgetEntry.objects.filter(line__plan=plan)
        .values_list("year", "kind")
        .annotate(amount=Sum("amount"))
        .order_by("year", "kind")
    ):
        amounts = by_year.setdefault(year, Amounts())
        if kind == BudgetEntry.Kind.ALLOCATION:
            amounts.allocated += amount
        else:
            amounts.disbursed += amount
    source_order = list(BudgetLine.Source.values)
    return BudgetSummary(
        plan=plan,
        lines=rows,
        by_period=by_period,
        by_source=dict(sorted(by_source.items(), key=lambda kv: source_order.index(kv[0]))),
        by_purpose=by_purpose,
        by_year=by_year,
        total=total,
        periods=[(p, rows_, by_period[p]) for p, rows_ in periods.items()],
    )
