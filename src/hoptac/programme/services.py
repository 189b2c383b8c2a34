"""Every write of the action programme: loading agencies, tasks, deadlines and budgets from the
fixtures, task reports and their attachments, budget entries, and reminders.

Agencies live in `fixtures/agencies.json` (every province's; codes without prefix for Lai Châu, the
province this install serves, `son-la-…` and `kon-tum-…` for the others). A plan's file
(`indicators/fixtures/plans/<slug>.json`) may hold, beside its targets:
- `agencies`: more agencies, in the same form;
- `report_deadline`: `{"month", "day", "report_to", "first_year", "note"}`;
- `tasks`: groups `{"group", "title", "tasks": [...]}` whose rows are `{"number", "title", "lead",
  "lead_text", "coordinating", "coordinating_text", "timeframe", "expected_output", "note",
  "source_ref"}`; a row without `lead` has the lead of the row above (a merged cell of the document);
- `budget`: lines `{"period": [2021, 2025], "source", "purpose", "planned", "note", "source_ref"}`.
`hoptac loadplan` loads them through plan_programme_load; loading twice changes nothing.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hoptac.accounts.models import Role, User
from hoptac.indicators.models import Plan
from hoptac.units.models import Unit

from . import access
from .agencies import AgencyGraph
from .attachments import check_attachment
from .models import (
    Agency,
    BudgetEntry,
    BudgetLine,
    Programme,
    Reminder,
    ReportAttachment,
    Task,
    TaskGroup,
    TaskReport,
)

FIXTURES = Path(__file__).parent / "fixtures"
AGENCIES_FIXTURE = FIXTURES / "agencies.json"
PROGRAMME_KEYS = ("agencies", "report_deadline", "tasks", "budget")


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0

    def __str__(self) -> str:
        return _("%(created)d created, %(updated)d updated, %(unchanged)d unchanged, %(deleted)d deleted") % {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "deleted": self.deleted,
        }


@dataclass
class ProgrammeLoadReport:
    """What plan_programme_load did; None for a part the plan's file does not hold."""

    agencies: Counts | None = None
    tasks: Counts | None = None
    groups: int = 0
    budget: Counts | None = None
    deadline: datetime.date | None = None

    def describe(self) -> str:
        parts = []
        if self.tasks is not None:
            parts.append(
                _("%(groups)d task groups, tasks %(counts)s") % {"groups": self.groups, "counts": self.tasks}
            )
        if self.budget is not None:
            parts.append(_("budget lines %(counts)s") % {"counts": self.budget})
        if self.agencies is not None:
            parts.append(_("agencies %(counts)s") % {"counts": self.agencies})
        if self.deadline:
            parts.append(_("reports due by %(day)s every year") % {"day": self.deadline.strftime("%d/%m")})
        return "; ".join(parts) + "."


# ---------------------------------------------------------------- loading agencies

_UNIT_KEY = re.compile(r"^(legacy-)?(province|district|commune):(\w+)$")


def _resolve_units(keys: Iterable[str]) -> dict[str, Unit]:
    """Units by their keys (`province:12`, `legacy-district:110`) in one query; other forms one by one."""
    from hoptac.units.services import UnitLookupError, resolve_unit

    keys = set(keys)
    simple = {k: _UNIT_KEY.match(k) for k in keys}
    q = Q(pk__in=[])
    for m in simple.values():
        if m:
            q |= Q(era=Unit.Era.LEGACY if m[1] else Unit.Era.CURRENT, level=m[2], code=m[3])
    found = {u.key: u for u in Unit.objects.filter(q)}
    for key in keys:
        if key in found:
            continue
        try:
            found[key] = resolve_unit(key)
        except UnitLookupError as err:
            raise ValidationError(
                _("Agency area “%(key)s”: %(error)s (run `hoptac loadunits` first?)")
                % {"key": key, "error": err}
            ) from err
    return found


def _date(value: str | None, where: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as err:
        raise ValidationError(
            _("%(where)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"where": where, "value": value}
        ) from err


def agency_rows() -> list[dict[str, Any]]:
    return json.loads(AGENCIES_FIXTURE.read_text(encoding="utf-8"))


@transaction.atomic
def agencies_load(rows: Sequence[dict[str, Any]] | None = None) -> Counts:
    """Create or update agencies by code (the fixture's, or `rows`), with their successors and members.

    Agencies missing from the rows are left alone (users and reports point at them). Every row is
    checked by Agency.clean(); the first that fails stops the load with nothing written.
    """
    rows = agency_rows() if rows is None else list(rows)
    codes = [r["code"] for r in rows]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise ValidationError(_("Agencies given twice: %(codes)s.") % {"codes": ", ".join(duplicates)})
    units = _resolve_units(r["unit"] for r in rows)
    existing = {a.code: a for a in Agency.objects.filter(code__in=codes)}
    counts = Counts()
    created: set[str] = set()
    changed: set[str] = set()
    for row in rows:
        where = _("Agency %(code)s") % {"code": row["code"]}
        values = {
            "name": row["name"],
            "short_name": row.get("short_name", ""),
            "kind": row.get("kind", Agency.Kind.OTHER),
            "unit": units[row["unit"]],
            "valid_from": _date(row.get("valid_from"), where),
            "valid_to": _date(row.get("valid_to"), where),
        }
        agency = existing.get(row["code"])
        if agency is None:
            agency = Agency(code=row["code"], **values)
            counts.created += 1
            created.add(row["code"])
        elif any(getattr(agency, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(agency, k, v)
            changed.add(row["code"])
        else:
            continue
        try:
            agency.full_clean(exclude=["successor"])
        except ValidationError as err:
            raise ValidationError(
                _("%(where)s: %(errors)s") % {"where": where, "errors": "; ".join(err.messages)}
            ) from err
        agency.save()
        existing[row["code"]] = agency
    # Successors and members point at agencies of the same load: a second pass.
    known = {a.code: a for a in Agency.objects.filter(code__in={c for r in rows for c in _refs(r)})}
    known.update(existing)
    memberships = Agency.members.through.objects.filter(from_agency__code__in=codes)
    current_members: dict[int, set[int]] = {}
    for group_id, member_id in memberships.values_list("from_agency_id", "to_agency_id"):
        current_members.setdefault(group_id, set()).add(member_id)
    for row in rows:
        agency = existing[row["code"]]
        for ref in _refs(row):
            if ref not in known:
                raise ValidationError(
                    _("Agency %(code)s names an unknown agency “%(ref)s”.")
                    % {"code": row["code"], "ref": ref}
                )
        successor = known[row["successor"]] if row.get("successor") else None
        if agency.successor_id != (successor.pk if successor else None):
            agency.successor = successor
            try:
                agency.full_clean()
            except ValidationError as err:
                raise ValidationError(
                    _("Agency %(code)s: %(errors)s")
                    % {"code": row["code"], "errors": "; ".join(err.messages)}
                ) from err
            agency.save(update_fields=["successor"])
            changed.add(row["code"])
        members = {known[m].pk for m in row.get("members", [])}
        if members and agency.kind != Agency.Kind.GROUP:
            raise ValidationError(
                _("Agency %(code)s has members but is not a group.") % {"code": row["code"]}
            )
        if members != current_members.get(agency.pk, set()):
            agency.members.set(members)
            changed.add(row["code"])
    counts.updated = len(changed - created)
    counts.unchanged = len(rows) - counts.created - counts.updated
    return counts


def _refs(row: dict[str, Any]) -> list[str]:
    return [*([row["successor"]] if row.get("successor") else []), *row.get("members", [])]


# ---------------------------------------------------------------- loading a plan's programme

_YEARLY = re.compile(r"^(hàng|hằng)\s+năm$", re.IGNORECASE)
_ONE_YEAR = re.compile(r"^(\d{4})$")
_YEARS = re.compile(r"^(\d{4})\s*[-–]\s*(\d{4})$")


def parse_timeframe(text: str) -> tuple[int | None, int | None]:
    """(start, end) of a time frame as the documents write it: “Hàng năm” (every year of the plan: None,
    None), “2021”, “2021 - 2025”. ValueError otherwise."""
    text = " ".join(text.split())
    if _YEARLY.match(text):
        return None, None
    if m := _ONE_YEAR.match(text):
        return int(m[1]), int(m[1])
    if m := _YEARS.match(text):
        return int(m[1]), int(m[2])
    raise ValueError(text)


def plan_programme_load(*, plan: Plan, data: dict[str, Any]) -> ProgrammeLoadReport | None:
    """Load the parts of a plan's file that belong to the action programme (see the module's doc).

    Called by indicators.services.plan_load inside its transaction; None when the file has none of
    them. Tasks and budget lines are matched by their numbers and (period, source, purpose); one
    removed from the file is deleted unless reports or entries point at it (then the load stops).
    """
    if not any(key in data for key in PROGRAMME_KEYS):
        return None
    report = ProgrammeLoadReport()
    if "tasks" in data or "agencies" in data or "report_deadline" in data:
        report.agencies = agencies_load(agency_rows() + list(data.get("agencies", [])))
    agencies = {a.code: a for a in Agency.objects.all()}
    if "report_deadline" in data:
        report.deadline = _programme_load(plan, data["report_deadline"], agencies)
    if "tasks" in data:
        report.groups, report.tasks = _tasks_load(plan, data["tasks"], agencies)
    if "budget" in data:
        report.budget = _budget_load(plan, data["budget"])
    return report


def _programme_load(plan: Plan, row: dict[str, Any], agencies: dict[str, Agency]) -> datetime.date:
    report_to = None
    if row.get("report_to"):
        report_to = agencies.get(row["report_to"])
        if report_to is None:
            raise ValidationError(
                _("Plan %(slug)s: reports go to an unknown agency “%(code)s”.")
                % {"slug": plan.slug, "code": row["report_to"]}
            )
    values = {
        "deadline_month": row["month"],
        "deadline_day": row["day"],
        "report_to": report_to,
        "first_year": row.get("first_year"),
        "deadline_note": row.get("note", ""),
    }
    for name in ("reminder_days_before", "reminder_days_after"):
        if name in row:
            values[name] = row[name]
    programme = Programme.objects.filter(plan=plan).first()
    if programme is None:
        programme = Programme(plan=plan, **values)
    elif all(getattr(programme, k) == v for k, v in values.items()):
        return programme.deadline(plan.start_year)
    else:
        for k, v in values.items():
            setattr(programme, k, v)
    try:
        programme.full_clean()
    except ValidationError as err:
        raise ValidationError(
            _("Plan %(slug)s, reporting deadline: %(errors)s")
            % {"slug": plan.slug, "errors": "; ".join(err.messages)}
        ) from err
    programme.save()
    return programme.deadline(plan.start_year)


def _tasks_load(plan: Plan, groups: list[dict[str, Any]], agencies: dict[str, Agency]) -> tuple[int, Counts]:
    counts = Counts()
    existing_groups = {g.number: g for g in TaskGroup.objects.filter(plan=plan)}
    existing = {
        (t.group.number, t.number): t
        for t in Task.objects.filter(plan=plan).select_related("group").prefetch_related("coordinating")
    }
    seen_groups: set[str] = set()
    seen: set[tuple[str, str]] = set()
    order = 0

    def agency(code: str, where: str) -> Agency:
        found = agencies.get(code)
        if found is None:
            raise ValidationError(
                _("Plan %(slug)s, task %(task)s: unknown agency “%(code)s”.")
                % {"slug": plan.slug, "task": where, "code": code}
            )
        return found

    for g_order, group_row in enumerate(groups, start=1):
        number = str(group_row["group"])
        if number in seen_groups:
            raise ValidationError(
                _("Plan %(slug)s: task group %(group)s is given twice.")
                % {"slug": plan.slug, "group": number}
            )
        seen_groups.add(number)
        group = existing_groups.get(number)
        if group is None:
            group = TaskGroup.objects.create(
                plan=plan, number=number, title=group_row["title"], order=g_order
            )
            existing_groups[number] = group
        elif (group.title, group.order) != (group_row["title"], g_order):
            group.title, group.order = group_row["title"], g_order
            group.save(update_fields=["title", "order"])
        lead: Agency | None = None
        lead_text = ""
        for row in group_row["tasks"]:
            ref = f"{number}.{row['number']}"
            if (number, str(row["number"])) in seen:
                raise ValidationError(
                    _("Plan %(slug)s: task %(task)s is given twice.") % {"slug": plan.slug, "task": ref}
                )
            seen.add((number, str(row["number"])))
            if row.get("lead"):
                lead, lead_text = agency(row["lead"], ref), row.get("lead_text", "")
            elif lead is None:
                raise ValidationError(
                    _("Plan %(slug)s, task %(task)s: no lead agency, and no row above to take it from.")
                    % {"slug": plan.slug, "task": ref}
                )
            try:
                start, end = parse_timeframe(row["timeframe"])
            except ValueError:
                raise ValidationError(
                    _(
                        "Plan %(slug)s, task %(task)s: time frame “%(text)s” is not understood: write “Hàng năm”, "
                        "a year or two years such as “2021 - 2025”."
                    )
                    % {"slug": plan.slug, "task": ref, "text": row["timeframe"]}
                ) from None
            order += 10
            values = {
                "title": row["title"],
                "lead": lead,
                "lead_text": lead_text,
                "coordinating_text": row.get("coordinating_text", ""),
                "timeframe_text": row["timeframe"],
                "start_year": start,
                "end_year": end,
                "expected_output": row.get("expected_output", ""),
                "note": row.get("note", ""),
                "source_ref": row.get("source_ref", ""),
                "order": order,
                "group": group,
            }
            coordinating = {agency(c, ref).pk for c in row.get("coordinating", [])}
            task = existing.get((number, str(row["number"])))
            if task is None:
                task = Task(plan=plan, number=str(row["number"]), **values)
                counts.created += 1
            elif any(getattr(task, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(task, k, v)
                counts.updated += 1
            elif {a.pk for a in task.coordinating.all()} != coordinating:
                task.coordinating.set(coordinating)
                counts.updated += 1
                continue
            else:
                counts.unchanged += 1
                continue
            try:
                task.full_clean()
            except ValidationError as err:
                raise ValidationError(
                    _("Plan %(slug)s, task %(task)s: %(errors)s")
                    % {"slug": plan.slug, "task": ref, "errors": "; ".join(err.messages)}
                ) from err
            task.save()
            task.coordinating.set(coordinating)
    stale = [t for key, t in existing.items() if key not in seen]
    reported = [t.ref for t in stale if t.reports.exists()]
    if reported:
        raise ValidationError(
            _("Plan %(slug)s: tasks %(tasks)s have reports and cannot be removed from the plan.")
            % {"slug": plan.slug, "tasks": ", ".join(reported)}
        )
    Task.objects.filter(pk__in=[t.pk for t in stale]).delete()
    counts.deleted = len(stale)
    TaskGroup.objects.filter(plan=plan).exclude(number__in=seen_groups).delete()
    return len(seen_groups), counts


def _budget_load(plan: Plan, rows: list[dict[str, Any]]) -> Counts:
    counts = Counts()
    existing = {
        (b.period_start, b.period_end, b.source, b.purpose): b for b in BudgetLine.objects.filter(plan=plan)
    }
    seen = set()
    for order, row in enumerate(rows, start=1):
        start, end = row["period"]
        key = (start, end, row["source"], row["purpose"])
        where = f"{start}-{end} {row['source']} {row['purpose']}"
        if key in seen:
            raise ValidationError(
                _("Plan %(slug)s: budget line %(line)s is given twice.") % {"slug": plan.slug, "line": where}
            )
        seen.add(key)
        try:
            planned = Decimal(str(row["planned"]))
        except InvalidOperation:
            raise ValidationError(
                _("Plan %(slug)s, budget line %(line)s: “%(value)s” is not an amount.")
                % {"slug": plan.slug, "line": where, "value": row["planned"]}
            ) from None
        values = {
            "planned": planned,
            "note": row.get("note", ""),
            "source_ref": row.get("source_ref", ""),
            "order": order,
        }
        line = existing.get(key)
        if line is None:
            line = BudgetLine(
                plan=plan,
                period_start=start,
                period_end=end,
                source=row["source"],
                purpose=row["purpose"],
                **values,
            )
            counts.created += 1
        elif any(getattr(line, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(line, k, v)
            counts.updated += 1
        else:
            counts.unchanged += 1
            continue
        try:
            line.full_clean()
        except ValidationError as err:
            raise ValidationError(
                _("Plan %(slug)s, budget line %(line)s: %(errors)s")
                % {"slug": plan.slug, "line": where, "errors": "; ".join(err.messages)}
            ) from err
        line.save()
    stale = [line for key, line in existing.items() if key not in seen]
    used = [str(line) for line in stale if line.entries.exists()]
    if used:
        raise ValidationError(
            _("Plan %(slug)s: budget lines with allocations or disbursements cannot be removed: %(lines)s.")
            % {"slug": plan.slug, "lines": "; ".join(used)}
        )
    BudgetLine.objects.filter(pk__in=[line.pk for line in stale]).delete()
    counts.deleted = len(stale)
    return counts


# ---------------------------------------------------------------- task reports


def _when(moment: datetime.datetime | None) -> datetime.datetime:
    return moment or timezone.now()


@transaction.atomic
def task_report_save(
    *,
    task: Task,
    year: int,
    actor: User,
    narrative: str,
    status: str = "",
    progress: int | None = None,
    files: Sequence[UploadedFile] = (),
    submitted_at: datetime.datetime | None = None,
) -> TaskReport:
    """File or correct `actor`'s agency's report on `task` for `year`, with its attachments.

    The agency and the role (lead, or a coordinating agency's contribution) follow from who the task
    names for that year (programme.access.report_duty). A lead's report needs a status and a progress
    (0 % when not started, 100 % when done); every report needs its narrative. Attachments are
    checked (type by extension and content, size) before anything is written. The first filing
    fixes `submitted_at` (late when after the deadline); `submitted_at` may be given for reports
    received on paper. ValidationError names the fields; nothing is half-written.
    """
    programme = Programme.objects.filter(plan_id=task.plan_id).first()
    moment = _when(submitted_at)
    graph = AgencyGraph()
    duty = access.ensure_report_duty(
        actor, task, year, graph=graph, programme=programme, today=timezone.localdate(moment)
    )
    narrative = (narrative or "").strip()
    errors: dict[str, list[str]] = {}
    if not narrative:
        errors.setdefault("narrative", []).append(_("Say what was done this year."))
    if duty.role == TaskReport.Role.LEAD:
        if status not in TaskReport.Status.values:
            errors.setdefault("status", []).append(_("Choose the task's status."))
        if progress is None:
            errors.setdefault("progress", []).append(_("Give the progress, from 0 to 100 %."))
    elif status and status not in TaskReport.Status.values:
        errors.setdefault("status", []).append(_("Choose the task's status."))
    if progress is not None:
        if not 0 <= progress <= 100:
            errors.setdefault("progress", []).append(_("The progress is a percentage, from 0 to 100."))
        elif status == TaskReport.Status.DONE and progress != 100:
            errors.setdefault("progress", []).append(_("A task that is done is at 100 %."))
        elif status == TaskReport.Status.NOT_STARTED and progress != 0:
            errors.setdefault("progress", []).append(_("A task not started is at 0 %."))
    kinds = []
    for upload in files:
        try:
            kinds.append(check_attachment(upload, name=upload.name, size=upload.size))
        except ValidationError as err:
            errors.setdefault("attachments", []).extend(err.messages)
    if errors:
        raise ValidationError(errors)

    report = (
        TaskReport.objects.select_for_update().filter(task=task, year=year, agency_id=duty.agency_id).first()
    )
    if report is None:
        report = TaskReport(
            task=task, year=year, agency_id=duty.agency_id, submitted_at=moment, submitted_by=actor
        )
    report.role = duty.role
    report.status = status or ""
    report.progress = progress
    report.narrative = narrative
    report.updated_at = moment
    report._history_user = actor
    if submitted_at is not None:
        report._history_date = submitted_at
    report.save()
    for upload, kind in zip(files, kinds, strict=True):
        attachment = ReportAttachment(
            report=report,
            name=upload.name[:255],
            size=upload.size,
            kind=kind,
            uploaded_at=moment,
            uploaded_by=actor,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment._history_user = actor
        attachment.save()
    return report


@transaction.atomic
def attachment_remove(*, attachment: ReportAttachment, actor: User) -> None:
    """Remove an attachment from a report: a user of the agency that filed it (programme.access)."""
    graph = AgencyGraph()
    if attachment.report.agency_id not in access.acting_agencies(actor, graph):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the agency that filed the report may remove its attachments."))
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment._history_user = actor
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))


# ---------------------------------------------------------------- budgets


@transaction.atomic
def budget_entry_record(
    *,
    line: BudgetLine,
    year: int,
    kind: str,
    amount: Decimal,
    actor: User,
    on: datetime.date | None = None,
    reference: str = "",
    note: str = "",
    recorded_at: datetime.datetime | None = None,
) -> BudgetEntry:
    """Record money allocated to `line` in `year`, or disbursed from it (triệu đồng).

    The year must fall in the line's period; a disbursement cannot take the line's disbursements
    past its allocations. Administrators and the plan's province officers only.
    """
    access.ensure_can_manage_budget(actor, line)
    line = BudgetLine.objects.select_for_update().select_related("plan").get(pk=line.pk)
    errors: dict[str, list[str]] = {}
    if kind not in BudgetEntry.Kind.values:
        errors.setdefault("kind", []).append(_("Choose allocated or disbursed."))
    if amount is None or amount <= 0:
        errors.setdefault("amount", []).append(_("The amount must be more than zero."))
    if not line.period_start <= year <= line.period_end:
        errors.setdefault("year", []).append(
            _("The year must fall in the line's period %(period)s.") % {"period": line.period}
        )
    if not errors and kind == BudgetEntry.Kind.DISBURSEMENT:
        totals = line.entries.aggregate(
            allocated=Sum("amount", filter=Q(kind=BudgetEntry.Kind.ALLOCATION), default=Decimal(0)),
            disbursed=Sum("amount", filter=Q(kind=BudgetEntry.Kind.DISBURSEMENT), default=Decimal(0)),
        )
        if totals["disbursed"] + amount > totals["allocated"]:
            errors.setdefault("amount", []).append(
                _(
                    "Disbursements would reach %(disbursed)s million VND, more than the %(allocated)s allocated "
                    "to this line."
                )
                % {
                    "disbursed": _amount(totals["disbursed"] + amount),
                    "allocated": _amount(totals["allocated"]),
                }
            )
    if errors:
        raise ValidationError(errors)
    entry = BudgetEntry(
        line=line,
        year=year,
        kind=kind,
        amount=amount,
        on=on,
        reference=reference.strip(),
        note=note.strip(),
        recorded_by=actor,
        recorded_at=_when(recorded_at),
    )
    entry._history_user = actor
    if recorded_at is not None:
        entry._history_date = recorded_at
    entry.full_clean()
    entry.save()
    return entry


def _amount(value: Decimal) -> str:
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=0 if value == value.to_integral() else 2, force_grouping=True)


# ---------------------------------------------------------------- reminders


@dataclass
class RemindReport:
    sent: list[Reminder] = field(default_factory=list)
    already_sent: int = 0
    without_address: list[str] = field(default_factory=list)


# Days the last reminder (7 days after the deadline, by default) stays due: a late run still sends
# it, a run months later does not remind anyone of a year long past.
REMINDER_LAST_WINDOW = 30


def due_stage(programme: Programme, year: int, today: datetime.date) -> tuple[str, int] | None:
    """The reminder stage `today` falls in for `year`'s deadline: the last one whose day has come; the
    last stage of all lasts REMINDER_LAST_WINDOW days, so that an old year is never reminded of."""
    deadline = programme.deadline(year)
    due = [s for s in programme.stages() if deadline + datetime.timedelta(days=s[1]) <= today]
    if not due:
        return None
    stage = due[-1]
    if today > deadline + datetime.timedelta(days=stage[1] + REMINDER_LAST_WINDOW):
        return None
    return stage


def reminders_send(
    *, today: datetime.date | None = None, plans: Iterable[Plan] | None = None
) -> RemindReport:
    """E-mail every agency whose reports are missing, before and after each deadline.

    For each programme and each year whose deadline is near (the stage of programme.stages() that
    `today` falls in: 14 and 3 days before, 1 and 7 days after, by default), one message per agency
    lists its missing tasks and goes to its active users with an address. A Reminder row, unique per
    (plan, year, agency, stage), is written with the sending in one transaction: run it every day,
    twice, on two machines, each reminder goes out once. An agency without addresses is reported
    and reminded when it gets one, within the stage.
    """
    from .queries import missing_lead_reports

    today = today or timezone.localdate()
    result = RemindReport()
    programmes = Programme.objects.select_related("plan")
    if plans is not None:
        programmes = programmes.filter(plan__in=list(plans))
    graph = AgencyGraph()
    for programme in programmes:
        for year in (today.year - 1, today.year, today.year + 1):
            if year not in programme.years:
                continue
            stage = due_stage(programme, year, today)
            if stage is None:
                continue
            missing = missing_lead_reports(programme, year, graph=graph)
            if not missing:
                continue
            done = set(
                Reminder.objects.filter(plan=programme.plan, year=year, stage=stage[0]).values_list(
                    "agency_id", flat=True
                )
            )
            users = _recipients([a for a in missing if a not in done])
            for agency_id, tasks in missing.items():
                if agency_id in done:
                    result.already_sent += 1
                    continue
                addresses = users.get(agency_id, [])
                if not addresses:
                    result.without_address.append(graph[agency_id].name)
                    continue
                sent = _send_reminder(programme, year, stage, graph[agency_id], tasks, addresses, today)
                if sent is None:
                    result.already_sent += 1
                else:
                    result.sent.append(sent)
    return result


def _recipients(agency_ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for agency_id, email in (
        User.objects.filter(agency_id__in=agency_ids, role=Role.AGENCY, is_active=True)
        .exclude(email="")
        .order_by("username")
        .values_list("agency_id", "email")
    ):
        found.setdefault(agency_id, []).append(email)
    return found


def _send_reminder(programme, year, stage, agency, tasks, addresses, today) -> Reminder | None:
    deadline = programme.deadline(year)
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                plan=programme.plan,
                year=year,
                agency_id=agency.id,
                stage=stage[0],
                deadline=deadline,
                sent_at=timezone.now(),
                recipients=", ".join(addresses),
                tasks=len(tasks),
            )
            subject, body = reminder_message(programme, year, stage, agency, tasks, today)
            EmailMessage(subject, body, to=addresses).send()
    except IntegrityError:
        return None  # another run sent it meanwhile
    return reminder


def reminder_message(programme, year, stage, agency, tasks, today) -> tuple[str, str]:
    """The reminder's subject and body, in the site's language (Vietnamese)."""
    from django.conf import settings
    from django.urls import reverse

    deadline = programme.deadline(year)
    with translation.override(settings.LANGUAGE_CODE):
        day = date_format(deadline, "SHORT_DATE_FORMAT")
        plan = programme.plan
        if stage[1] < 0:
            subject = _("Reminder: your %(year)s task reports are due on %(day)s") % {
                "year": year,
                "day": day,
            }
            opening = _(
                "The reports of %(agency)s on the tasks below, for %(year)s, are due on %(day)s (in %(days)d days) "
                "and have not been filed yet."
            ) % {"agency": agency.name, "year": year, "day": day, "days": (deadline - today).days}
        else:
            subject = _("Overdue: your %(year)s task reports were due on %(day)s") % {
                "year": year,
                "day": day,
            }
            opening = _(
                "The reports of %(agency)s on the tasks below, for %(year)s, were due on %(day)s and are still "
                "missing."
            ) % {"agency": agency.name, "year": year, "day": day}
        lines = [opening, "", str(plan), ""]
        lines += [f"- {t.ref} {t.title}" for t in tasks]
        path = reverse("programme:agency", kwargs={"pk": agency.id})
        lines += ["", _("File them on the agency's page: %(path)s") % {"path": path}]
    return subject, "\n".join(lines)
