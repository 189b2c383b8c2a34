"""Who sees which tasks, reports and budgets of the action programme, and who reports, built on
hoptac.accounts.access (its units' scopes and its rule: out of scope and missing give the same 404).

- administrators see everything;
- a province officer or a province-level viewer sees every plan of his province (plans whose area is
  among accounts.access.visible_units: a Quảng Ngãi officer reaches Kon Tum's plan of 2019) and
  records the budget's allocations and disbursements of those plans (officers only);
- an agency officer sees the tasks his agency leads or helps with, including those of the agencies
  it succeeded and of the groups it belongs to ("Các sở, ban, ngành …"); he reports on them;
- a commune officer (or a district viewer) sees the tasks of the agencies of his commune (its
  people's committee), through the same groups;
- a cooperative's representative sees none.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hoptac.accounts.access import visible_units
from hoptac.accounts.models import Role, User
from hoptac.indicators.models import Plan
from hoptac.units.models import Unit

from .agencies import AgencyGraph
from .models import Agency, BudgetLine, Programme, ReportAttachment, Task, TaskReport

UNIT_ROLES = frozenset({Role.PROVINCE, Role.COMMUNE, Role.VIEWER})


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def sees_whole_plans(user: User) -> bool:
    """Whether `user` reads whole plans (of his province) rather than his agencies' tasks only."""
    if not _active(user):
        return False
    if user.is_admin_role:
        return True
    return user.role in UNIT_ROLES and user.unit_id is not None and user.unit.level == Unit.Level.PROVINCE


def agency_scope(user: User, graph: AgencyGraph | None = None) -> set[int] | None:
    """The agencies whose tasks `user` sees (None: all, for administrators).

    An agency officer: his agency, the agencies it succeeded and the groups they belong to. A unit
    officer: the agencies of his unit and below (the people's committees of his commune, of the
    former district it came from), with their groups; a commune officer does not reach the
    province's departments even when accounts.access lets him reach the former province's area.
    """
    if not _active(user):
        return set()
    if user.is_admin_role:
        return None
    graph = graph or AgencyGraph()
    if user.role == Role.AGENCY:
        return graph.scope([user.agency_id]) if user.agency_id else set()
    if user.role in UNIT_ROLES and user.unit_id is not None:
        base = Agency.objects.filter(unit__in=visible_units(user))
        if user.unit.level != Unit.Level.PROVINCE:
            base = base.exclude(unit__level=Unit.Level.PROVINCE)
        return graph.scope(base.values_list("id", flat=True))
    return set()


def _tasks_of_agencies(ids: set[int]) -> Q:
    coordinated = Task.coordinating.through.objects.filter(agency_id__in=ids).values("task_id")
    return Q(lead_id__in=ids) | Q(pk__in=coordinated)


def visible_tasks(user: User, graph: AgencyGraph | None = None) -> QuerySet[Task]:
    """Tasks `user` may read."""
    scope = agency_scope(user, graph)
    if scope is None:
        return Task.objects.all()
    q = _tasks_of_agencies(scope) if scope else Q(pk__in=[])
    if sees_whole_plans(user):
        q |= Q(plan__area__in=visible_units(user))
    return Task.objects.filter(q)


def visible_plans(user: User, graph: AgencyGraph | None = None) -> QuerySet[Plan]:
    """Plans `user` may open: all for administrators; his province's for province-level users; for
    the others, the plans where he has tasks to see."""
    if not _active(user):
        return Plan.objects.none()
    if user.is_admin_role:
        return Plan.objects.all()
    q = Q(pk__in=visible_tasks(user, graph).values("plan_id"))
    if sees_whole_plans(user):
        q |= Q(area__in=visible_units(user))
    return Plan.objects.filter(q)


def get_plan_for_user(user: User, slug: str) -> Plan:
    """The plan `slug` if `user` may open it; else 404, as if missing."""
    try:
        return visible_plans(user).select_related("area").get(slug=slug)
    except Plan.DoesNotExist:
        raise Http404 from None


def get_task_for_user(user: User, pk: int, graph: AgencyGraph | None = None) -> Task:
    """The task `pk` if `user` may read it; else 404, as if missing."""
    try:
        return (
            visible_tasks(user, graph)
            .select_related("plan__area", "group", "lead")
            .prefetch_related("coordinating")
            .get(pk=pk)
        )
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_agencies(user: User, graph: AgencyGraph | None = None) -> QuerySet[Agency]:
    """Agencies whose page `user` may open."""
    scope = agency_scope(user, graph)
    if scope is None:
        return Agency.objects.all()
    q = Q(pk__in=scope)
    if sees_whole_plans(user):
        q |= Q(unit__in=visible_units(user))
    return Agency.objects.filter(q)


def get_agency_for_user(user: User, pk: int, graph: AgencyGraph | None = None) -> Agency:
    """The agency `pk` if `user` may open its page; else 404, as if missing."""
    try:
        return visible_agencies(user, graph).select_related("unit", "successor").get(pk=pk)
    except (Agency.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


@dataclass(frozen=True)
class Duty:
    """What an agency owes on a task in a year: its own report (lead) or a contribution."""

    agency_id: int
    role: str


def duty_of(agency_ids: set[int], task: Task, day: datetime.date, graph: AgencyGraph) -> Duty | None:
    """The duty, on `task` as of `day`, of the first of `agency_ids` that has one: leading first."""
    leads = graph.reporters(task.lead_id, day)
    for agency_id in leads:
        if agency_id in agency_ids:
            return Duty(agency_id, TaskReport.Role.LEAD)
    for coordinating in task.coordinating.all():
        for agency_id in graph.reporters(coordinating.pk, day):
            if agency_id in agency_ids and agency_id not in leads:
                return Duty(agency_id, TaskReport.Role.CONTRIBUTION)
    return None


def report_day(programme: Programme | None, year: int) -> datetime.date:
    """The day that decides who answers for a year: the deadline, or the year's end without one."""
    return programme.deadline(year) if programme is not None else datetime.date(year, 12, 31)


def report_duty(
    user: User,
    task: Task,
    year: int,
    *,
    graph: AgencyGraph,
    programme: Programme | None,
    today: datetime.date,
) -> Duty | None:
    """The report `user` may file on `task` for `year`: as his agency, or as an agency it succeeded
    (Sở Tài chính files what Sở Kế hoạch và Đầu tư left missing), lead first; None if he may not.

    Only agency officers report; a year outside the task's time frame or still to come has no report.
    """
    if not _active(user) or user.role != Role.AGENCY or not user.agency_id:
        return None
    if year not in task.years(programme) or year > today.year:
        return None
    return duty_of(graph.lineage([user.agency_id]), task, report_day(programme, year), graph)


def ensure_report_duty(
    user: User,
    task: Task,
    year: int,
    *,
    graph: AgencyGraph,
    programme: Programme | None,
    today: datetime.date,
) -> Duty:
    duty = report_duty(user, task, year, graph=graph, programme=programme, today=today)
    if duty is None:
        raise PermissionDenied(
            _("You may not report on task %(task)s for %(year)s.") % {"task": task.ref, "year": year}
        )
    return duty


def acting_agencies(user: User, graph: AgencyGraph) -> set[int]:
    """The agencies `user` reports for: his own and those it succeeded."""
    if not _active(user) or user.role != Role.AGENCY or not user.agency_id:
        return set()
    return graph.lineage([user.agency_id])


def get_attachment_for_user(user: User, pk: int, *, write: bool = False) -> ReportAttachment:
    """The attachment `pk` if `user` may read its task (remove it, with write=True: a user of the agency
    that filed the report); else 404, as if missing."""
    try:
        attachment = (
            ReportAttachment.objects.select_related("report__task", "report__agency")
            .filter(report__task__in=visible_tasks(user))
            .get(pk=pk)
        )
    except (ReportAttachment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if write:
        graph = AgencyGraph()
        if attachment.report.agency_id not in acting_agencies(user, graph):
            raise Http404
    return attachment


def can_manage_budget(user: User, plan: Plan) -> bool:
    """Whether `user` records allocations and disbursements of `plan`'s budget: administrators, and
    province officers of the plan's province."""
    if not _active(user):
        return False
    if user.is_admin_role:
        return True
    return (
        user.role == Role.PROVINCE
        and sees_whole_plans(user)
        and visible_units(user).filter(pk=plan.area_id).exists()
    )


def ensure_can_manage_budget(user: User, line: BudgetLine) -> None:
    if not can_manage_budget(user, line.plan):
        raise PermissionDenied(_("You may not record the budget of this plan."))
