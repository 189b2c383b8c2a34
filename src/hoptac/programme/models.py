"""The action programme: agencies, the tasks a plan gives them, their yearly reports, and budgets.

Agencies, tasks, deadlines and budget lines are data (fixtures loaded by `hoptac loadplan`), because
provinces rename and merge their departments and write their own plans. Reports and budget entries
are written through programme.services only.
"""

from __future__ import annotations

import datetime
import re
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from hoptac.indicators.models import Plan
from hoptac.units.models import Unit


class Agency(models.Model):
    """A Sở, Ban, ngành, mass organisation or local government that leads or joins tasks.

    Names change (Sở Kế hoạch và Đầu tư became part of Sở Tài chính on 01/03/2025), so an agency
    has a validity period and may point to the agency that succeeded it. A plan often assigns a task
    to several agencies at once ("Các sở, ban, ngành, UBND các huyện, thành phố"): such a group is an
    agency of kind GROUP whose members report each for itself.
    """

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department (Sở)")
        BOARD = "board", _("Board or committee (Ban)")
        SECTOR = "sector", _("Sector agency (ngành)")
        LOCAL_GOVERNMENT = "local_government", _("People's committee (UBND)")
        UNION = "union", _("Union of cooperatives (Liên minh HTX)")
        MASS_ORGANISATION = "mass_organisation", _("Mass organisation (Mặt trận, Hội, Đoàn)")
        OTHER = "other", _("Other (school, press …)")
        GROUP = "group", _("Group of agencies")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("area"),
        on_delete=models.PROTECT,
        related_name="agencies",
        help_text=_("The province (or commune) whose government the agency belongs to."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid until"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("succeeded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
    )
    members = models.ManyToManyField(
        "self",
        verbose_name=_("members"),
        symmetrical=False,
        blank=True,
        related_name="groups",
        help_text=_("Groups only: the agencies that each report on a task given to the group."),
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_group(self) -> bool:
        return self.kind == self.Kind.GROUP

    def is_valid_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_from > self.valid_to:
            raise ValidationError({"valid_to": gettext("The end of validity comes before its start.")})
        if self.successor_id and self.successor_id == self.pk:
            raise ValidationError({"successor": gettext("An agency cannot succeed itself.")})
        if self.successor_id and not self.valid_to:
            raise ValidationError(
                {"valid_to": gettext("An agency with a successor needs the date it ended.")}
            )


class Programme(models.Model):
    """How a plan's tasks are reported on: the yearly deadline (data: 05/12 in Sơn La, 10/12 in Kon
    Tum …), to whom, from which year, and when reminders go out."""

    plan = models.OneToOneField(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="programme"
    )
    deadline_month = models.PositiveSmallIntegerField(_("deadline month"), validators=[MaxValueValidator(12)])
    deadline_day = models.PositiveSmallIntegerField(_("deadline day"), validators=[MaxValueValidator(31)])
    report_to = models.ForeignKey(
        Agency,
        verbose_name=_("reports go to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_year = models.PositiveSmallIntegerField(
        _("first year reported"),
        null=True,
        blank=True,
        help_text=_("Empty: the plan's first year."),
    )
    reminder_days_before = models.CharField(
        _("reminders before the deadline (days)"),
        max_length=40,
        default="14,3",
        blank=True,
        help_text=_("Comma-separated numbers of days, e.g. 14,3."),
    )
    reminder_days_after = models.CharField(
        _("reminders after the deadline (days)"),
        max_length=40,
        default="1,7",
        blank=True,
        help_text=_("Comma-separated numbers of days, e.g. 1,7."),
    )
    deadline_note = models.TextField(_("where the deadline comes from"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme reporting rule")
        verbose_name_plural = _("programme reporting rules")

    def __str__(self) -> str:
        return str(self.plan)

    def deadline(self, year: int) -> datetime.date:
        return datetime.date(year, self.deadline_month, self.deadline_day)

    @property
    def years(self) -> range:
        return range(self.first_year or self.plan.start_year, self.plan.end_year + 1)

    def stages(self) -> list[tuple[str, int]]:
        """The reminders as (name, days from the deadline), in the order they fall: before-14, before-3, after-1 …"""
        before = [(f"before-{d}", -d) for d in _days(self.reminder_days_before)]
        after = [(f"after-{d}", d) for d in _days(self.reminder_days_after)]
        return sorted(set(before + after), key=lambda s: s[1])

    def clean(self) -> None:
        super().clean()
        errors: dict[str, str] = {}
        try:
            datetime.date(
                2024, self.deadline_month or 0, self.deadline_day or 0
            )  # a leap year: 29/02 is allowed
        except ValueError:
            errors["deadline_day"] = gettext("This day does not exist in that month.")
        for field in ("reminder_days_before", "reminder_days_after"):
            if not re.fullmatch(r"\s*(\d{1,3}\s*(,\s*\d{1,3}\s*)*)?", getattr(self, field) or ""):
                errors[field] = gettext("Give whole numbers of days separated by commas, e.g. 14,3.")
        if errors:
            raise ValidationError(errors)


def _days(text: str) -> list[int]:
    return [int(part) for part in re.findall(r"\d+", text or "")]


class TaskGroup(models.Model):
    """A numbered part of a plan's task list (I, II … in seed 001's appendix; an agency's section elsewhere)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="task_groups"
    )
    number = models.CharField(_("number"), max_length=10)
    title = models.TextField(_("title"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("task group")
        verbose_name_plural = _("task groups")
        ordering = ["plan", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="taskgroup_plan_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Task(models.Model):
    """One task of a plan: who leads it, who helps, when, and what it should produce."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    group = models.ForeignKey(
        TaskGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="tasks"
    )
    number = models.CharField(_("number"), max_length=10)
    title = models.TextField(_("task"))
    lead = models.ForeignKey(
        Agency, verbose_name=_("lead agency"), on_delete=models.PROTECT, related_name="led_tasks"
    )
    lead_text = models.CharField(
        _("lead agency as written"), max_length=300, blank=True, help_text=_("The words of the document.")
    )
    coordinating = models.ManyToManyField(
        Agency, verbose_name=_("coordinating agencies"), blank=True, related_name="coordinated_tasks"
    )
    coordinating_text = models.CharField(_("coordinating agencies as written"), max_length=300, blank=True)
    timeframe_text = models.CharField(
        _("time frame as written"), max_length=40, help_text=_("“Hàng năm”, “2021 - 2025”, “2021” …")
    )
    start_year = models.PositiveSmallIntegerField(
        _("from year"), null=True, blank=True, help_text=_("Empty for a yearly task: the plan's years.")
    )
    end_year = models.PositiveSmallIntegerField(_("to year"), null=True, blank=True)
    expected_output = models.TextField(_("expected output"), blank=True)
    note = models.TextField(_("note"), blank=True)
    source_ref = models.CharField(_("where in the document"), max_length=120, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "group__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["group", "number"], name="task_group_number_unique")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        """`II.4`: the group's number and the task's."""
        return f"{self.group.number}.{self.number}"

    @property
    def is_yearly(self) -> bool:
        return self.start_year is None

    def years(self, programme: Programme | None = None) -> range:
        """The years the task is reported on: its own, within the programme's (or the plan's) years."""
        if programme is not None:
            first, last = programme.years.start, programme.years.stop - 1
        else:
            first, last = self.plan.start_year, self.plan.end_year
        start = first if self.start_year is None else max(first, self.start_year)
        end = last if self.end_year is None else min(last, self.end_year)
        return range(start, end + 1)

    def clean(self) -> None:
        super().clean()
        if (self.start_year is None) != (self.end_year is None):
            raise ValidationError({"end_year": gettext("Give both years of the time frame, or neither.")})
        if self.start_year and self.end_year and self.start_year > self.end_year:
            raise ValidationError({"end_year": gettext("The last year comes before the first year.")})
        if self.group_id and self.plan_id and self.group.plan_id != self.plan_id:
            raise ValidationError({"group": gettext("The group belongs to another plan.")})


class TaskReport(models.Model):
    """An agency's yearly report on a task: the lead agency's report, or a coordinating agency's contribution."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead agency's report")
        CONTRIBUTION = "contribution", _("Coordinating agency's contribution")

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(_("year"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="task_reports"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, blank=True)
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    narrative = models.TextField(_("what was done"))
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("last changed"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("task report")
        verbose_name_plural = _("task reports")
        ordering = ["task", "year", "role", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "year", "agency"], name="taskreport_task_year_agency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.task.ref} {self.year} – {self.agency}"


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    # The stored name is not the uploaded one: the original goes to `name`, the path stays plain ASCII.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    report = instance.report
    return f"programme/reports/{report.year}/{report.task_id}/{report.agency_id}-{uuid.uuid4().hex[:12]}.{suffix}"


class ReportAttachment(models.Model):
    """A PDF or office file attached to a task report (type and size checked by the service)."""

    report = models.ForeignKey(
        TaskReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    kind = models.CharField(_("file type"), max_length=8)
    uploaded_at = models.DateTimeField(_("uploaded"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["report", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """One reminder e-mail sent to an agency about its missing reports: the unique key makes it once."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="reminders"
    )
    stage = models.CharField(_("stage"), max_length=16, help_text=_("before-14, before-3, after-1 …"))
    deadline = models.DateField(_("deadline"))
    sent_at = models.DateTimeField(_("sent"))
    recipients = models.TextField(_("recipients"))
    tasks = models.PositiveSmallIntegerField(_("tasks missing"))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "year", "agency", "stage"], name="reminder_plan_year_agency_stage_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.year} {self.agency} {self.stage}"


class BudgetLine(models.Model):
    """What a plan asks for one purpose from one source over a period (triệu đồng)."""

    class Source(models.TextChoices):
        CENTRAL = "central", _("Central budget")
        PROVINCIAL = "provincial", _("Provincial budget")
        INTEGRATED = "integrated", _("Integrated national target and public investment programmes")
        OTHER = "other", _("Other sources")

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    period_start = models.PositiveSmallIntegerField(_("period from"))
    period_end = models.PositiveSmallIntegerField(_("period to"))
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    purpose = models.CharField(_("purpose"), max_length=300)
    planned = models.DecimalField(_("planned (million VND)"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True, help_text=_("The words of the document."))
    source_ref = models.CharField(_("where in the document"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["plan", "period_start", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period_start", "period_end", "source", "purpose"], name="budgetline_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.get_source_display()} · {self.purpose}"

    @property
    def period(self) -> str:
        return f"{self.period_start}-{self.period_end}"

    def clean(self) -> None:
        super().clean()
        if self.period_start and self.period_end and self.period_start > self.period_end:
            raise ValidationError({"period_end": gettext("The last year comes before the first year.")})
        if self.planned is not None and self.planned < 0:
            raise ValidationError({"planned": gettext("An amount cannot be negative.")})


class BudgetEntry(models.Model):
    """Money allocated to a budget line in a year (a decision), or disbursed from it."""

    class Kind(models.TextChoices):
        ALLOCATION = "allocation", _("Allocated")
        DISBURSEMENT = "disbursement", _("Disbursed")

    line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="entries"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    amount = models.DecimalField(_("amount (million VND)"), max_digits=14, decimal_places=2)
    on = models.DateField(_("date"), null=True, blank=True)
    reference = models.CharField(_("decision or voucher"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget entry")
        verbose_name_plural = _("budget entries")
        ordering = ["line", "year", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.line} {self.year} {self.get_kind_display()} {self.amount}"


ZERO = Decimal(0)
