"""Pages of the action programme: the plans, a plan's board, an agency's duties, a task's years, the
yearly report form, attachments, and the budget.

Everything is fetched through programme.access (404 when out of scope, as if missing); every write
goes through programme.services.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hoptac.accounts.models import Role

from . import access, queries, services
from .agencies import AgencyGraph
from .forms import BudgetEntryForm, TaskReportForm
from .models import Agency, BudgetEntry, BudgetLine, Programme, Task, TaskReport


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The plans the user may open, with the number of tasks he sees in each."""
    user = request.user
    graph = AgencyGraph()
    plans = list(access.visible_plans(user, graph).select_related("area").order_by("-start_year", "slug"))
    counts = dict(access.visible_tasks(user, graph).values_list("plan_id").annotate(n=Count("id")).order_by())
    programmes = {p.plan_id: p for p in Programme.objects.filter(plan__in=plans).select_related("report_to")}
    rows = [(plan, counts.get(plan.pk, 0), programmes.get(plan.pk)) for plan in plans]
    my_agency = user.agency if user.role == Role.AGENCY and user.agency_id else None
    return render(request, "programme/index.html", {"rows": rows, "my_agency": my_agency})


@login_required
@require_GET
def board(request: HttpRequest, plan_slug: str) -> HttpResponse:
    """The programme board: tasks by group with their state in a year; filters by year, agency, state."""
    plan = access.get_plan_for_user(request.user, plan_slug)
    state = request.GET.get("status", "")
    if state not in queries.State.ORDER:
        state = ""
    data = queries.board(
        plan,
        request.user,
        year=_int(request.GET.get("year")),
        agency_id=_int(request.GET.get("agency")),
        state=state,
    )
    context = {
        "plan": plan,
        "board": data,
        "year_text": str(data.year),
        "selected_agency": _int(request.GET.get("agency")),
        "selected_state": state,
        "states": [(key, str(queries.State.LABELS[key]), data.counts[key]) for key in queries.State.ORDER],
        "deadline": data.programme.deadline(data.year) if data.programme else None,
        "can_see_budget": plan.budget_lines.exists() and access.sees_whole_plans(request.user),
    }
    return render(request, "programme/board.html", context)


@login_required
@require_GET
def agency(request: HttpRequest, pk: int) -> HttpResponse:
    """An agency: what it still has to report and by when, what it reported, and its tasks."""
    graph = AgencyGraph()
    found = access.get_agency_for_user(request.user, pk, graph)
    today = timezone.localdate()
    duties, tasks = queries.agency_duties(found, request.user, today=today)
    to_report = [d for d in duties if d.report is None and d.role == TaskReport.Role.LEAD]
    contributions_open = [d for d in duties if d.report is None and d.role == TaskReport.Role.CONTRIBUTION]
    filed = [d for d in duties if d.report is not None]
    acting = access.acting_agencies(request.user, graph)
    context = {
        "agency": found,
        "predecessors": Agency.objects.filter(pk__in=graph.lineage([found.pk]) - {found.pk}).order_by("name"),
        "groups": found.groups.order_by("name"),
        "members": found.members.order_by("name") if found.is_group else [],
        "to_report": to_report,
        "contributions_open": contributions_open,
        "filed": sorted(filed, key=lambda d: (-d.year, d.task.plan.slug, d.task.order)),
        "tasks": tasks,
        "can_report": bool(acting & ({found.pk} | graph.lineage([found.pk]))),
        # Who works for it: for the officers who manage the accounts (not shown to other agencies).
        "users": (
            found.users.filter(is_active=True).order_by("username")
            if access.sees_whole_plans(request.user)
            else []
        ),
        "today": today,
    }
    return render(request, "programme/agency.html", context)


@login_required
@require_GET
def task(request: HttpRequest, pk: int) -> HttpResponse:
    """A task: its facts, its reports year by year, and their history."""
    graph = AgencyGraph()
    found = access.get_task_for_user(request.user, pk, graph)
    today = timezone.localdate()
    programme = Programme.objects.filter(plan_id=found.plan_id).first()
    cells = queries.task_years(found, today=today)
    for cell in cells:
        cell.duty = access.report_duty(
            request.user, found, cell.year, graph=graph, programme=programme, today=today
        )
    acting = access.acting_agencies(request.user, graph)
    context = {
        "task": found,
        "plan": found.plan,
        "programme": programme,
        "cells": list(reversed(cells)),
        "history": _report_history(found),
        "acting": acting,
    }
    return render(request, "programme/task.html", context)


HISTORY_FIELDS = ("status", "progress", "narrative")


def _report_history(task: Task) -> list[dict[str, Any]]:
    """The changes of the task's reports, newest first, each with the fields that changed."""
    records = list(
        TaskReport.history.filter(task_id=task.pk)
        .select_related("history_user", "agency")
        .order_by("id", "history_date", "history_id")
    )
    labels = {f: TaskReport._meta.get_field(f).verbose_name for f in HISTORY_FIELDS}
    statuses = dict(TaskReport.Status.choices)
    entries = []
    previous: dict[int, Any] = {}
    for record in records:
        before = previous.get(record.id)
        changes = []
        for name in HISTORY_FIELDS:
            new = getattr(record, name)
            old = getattr(before, name) if before is not None else None
            if before is None or old != new:
                show = (
                    (lambda v: statuses.get(v, v or "—"))
                    if name == "status"
                    else (lambda v: "—" if v in (None, "") else v)
                )
                changes.append(
                    {"label": labels[name], "old": show(old) if before is not None else "", "new": show(new)}
                )
        entries.append(
            {
                "when": record.history_date,
                "user": record.history_user,
                "agency": record.agency,
                "year": record.year,
                "created": record.history_type == "+",
                "changes": changes,
            }
        )
        previous[record.id] = record
    entries.sort(key=lambda e: e["when"], reverse=True)
    return entries


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The yearly report form: the lead agency's report, or a coordinating agency's contribution."""
    graph = AgencyGraph()
    found = access.get_task_for_user(request.user, pk, graph)
    today = timezone.localdate()
    programme = Programme.objects.filter(plan_id=found.plan_id).first()
    duty = access.report_duty(request.user, found, year, graph=graph, programme=programme, today=today)
    if duty is None:
        raise Http404
    existing = (
        TaskReport.objects.filter(task=found, year=year, agency_id=duty.agency_id)
        .prefetch_related("attachments")
        .first()
    )
    if request.method == "POST":
        form = TaskReportForm(request.POST, request.FILES, role=duty.role)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.task_report_save(
                    task=found,
                    year=year,
                    actor=request.user,
                    narrative=data["narrative"],
                    status=data["status"] or "",
                    progress=data["progress"],
                    files=data["attachments"],
                )
            except ValidationError as err:
                _add_errors(form, err)
            else:
                messages.success(
                    request,
                    _("The report on task %(task)s for %(year)s is saved.")
                    % {"task": found.ref, "year": year},
                )
                return redirect("programme:task", pk=found.pk)
    else:
        initial = {}
        if existing is not None:
            initial = {
                "status": existing.status,
                "progress": existing.progress,
                "narrative": existing.narrative,
            }
        form = TaskReportForm(initial=initial, role=duty.role)
    deadline = programme.deadline(year) if programme else None
    context = {
        "task": found,
        "plan": found.plan,
        "year": year,
        "year_text": str(year),
        "form": form,
        "duty": duty,
        "duty_agency": graph[duty.agency_id],
        "is_lead": duty.role == TaskReport.Role.LEAD,
        "existing": existing,
        "deadline": deadline,
        "overdue": deadline is not None and today > deadline,
    }
    return render(request, "programme/report_form.html", context)


def _add_errors(form, err: ValidationError) -> None:
    if hasattr(err, "error_dict"):
        for name, errors in err.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, err.messages)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> FileResponse:
    """Download an attachment of a task the user may read."""
    found = access.get_attachment_for_user(request.user, pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=found.name)


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an attachment (the agency that filed the report)."""
    found = access.get_attachment_for_user(request.user, pk, write=True)
    report = found.report
    try:
        services.attachment_remove(attachment=found, actor=request.user)
    except PermissionDenied as err:
        messages.error(request, str(err))
    else:
        messages.success(request, _("“%(name)s” is removed.") % {"name": found.name})
    return redirect("programme:report", pk=report.task_id, year=report.year)


@login_required
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest, plan_slug: str) -> HttpResponse:
    """A plan's budget: planned, allocated and disbursed by line, period, source and purpose; the form
    that records an allocation or a disbursement."""
    plan = access.get_plan_for_user(request.user, plan_slug)
    if not access.sees_whole_plans(request.user):
        raise Http404
    may_record = access.can_manage_budget(request.user, plan)
    form = BudgetEntryForm(plan=plan, initial={"year": timezone.localdate().year})
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied(_("You may not record the budget of this plan."))
        form = BudgetEntryForm(request.POST, plan=plan)
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = services.budget_entry_record(
                    line=data["line"],
                    year=data["year"],
                    kind=data["kind"],
                    amount=data["amount"],
                    actor=request.user,
                    on=data["on"],
                    reference=data["reference"],
                    note=data["note"],
                )
            except ValidationError as err:
                _add_errors(form, err)
            else:
                messages.success(
                    request,
                    _("%(kind)s: %(amount)s million VND on “%(line)s” in %(year)s.")
                    % {
                        "kind": entry.get_kind_display(),
                        "amount": services._amount(entry.amount),
                        "line": entry.line.purpose,
                        "year": entry.year,
                    },
                )
                return redirect(reverse("programme:budget", kwargs={"plan_slug": plan.slug}))
    summary = queries.budget_summary(plan)
    context = {
        "plan": plan,
        "summary": summary,
        "sources": dict(BudgetLine.Source.choices),
        "form": form,
        "may_record": may_record,
        "entries": (
            BudgetEntry.objects.filter(line__plan=plan)
            .select_related("line", "recorded_by")
            .order_by("-year", "-recorded_at")[:50]
        ),
    }
    return render(request, "programme/budget.html", context)
