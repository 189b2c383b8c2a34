"""The annual report: the data snapshot it was written from, and the files generated from it.

A snapshot freezes every figure a report shows (JSON), as the approved data stood at its cut-off
(`taken_at`), so that the same report can be generated again later, with the same figures, even after
new returns were approved or the registry changed. A generated report is the three files (DOCX,
XLSX, PDF) rendered from one snapshot.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportSnapshot(models.Model):
    """The figures of one unit's annual report, frozen at a cut-off.

    `figures` holds everything the report shows (see documents.figures: counts, breakdowns, targets'
    progress, tasks, budget) with numbers as JSON numbers or exact decimal strings. `returns_digest`
    and `registry_digest` fingerprint the approved returns and the organisations read, so that a page
    can tell when newer data exists.
    """

    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("area"), on_delete=models.PROTECT, related_name="report_snapshots"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    taken_at = models.DateTimeField(
        _("data as of"), help_text=_("The cut-off: the approved data as it stood at this moment.")
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    schema = models.PositiveSmallIntegerField(default=1, editable=False)
    figures = models.JSONField(_("figures"), default=dict)
    returns_count = models.PositiveIntegerField(_("approved returns"), default=0)
    returns_digest = models.CharField(max_length=64, blank=True, editable=False)
    registry_digest = models.CharField(max_length=64, blank=True, editable=False)
    seconds = models.FloatField(_("seconds to compute"), default=0)

    class Meta:
        verbose_name = _("report data snapshot")
        verbose_name_plural = _("report data snapshots")
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} @ {self.taken_at:%Y-%m-%d %H:%M}"


def report_path(report: AnnualReport, filename: str) -> str:
    return f"reports/{report.unit_id}/{report.year}/{report.pk or 'new'}/{filename}"


class AnnualReport(models.Model):
    """One generation of the annual report: its three files, rendered from one snapshot."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Being written")
        DONE = "done", pgettext_lazy("report", "Ready")
        FAILED = "failed", _("Failed")

    # None until the snapshot is taken (by the task worker, for a large unit).
    snapshot = models.ForeignKey(
        ReportSnapshot,
        verbose_name=_("data snapshot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    # The unit and year again, so that lists and scope filters need no join.
    unit = models.ForeignKey(
        "units.Unit", verbose_name=_("area"), on_delete=models.PROTECT, related_name="annual_reports"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.CharField(
        _("number"),
        max_length=20,
        blank=True,
        help_text=_(
            "The document's number, when the office has given it (Số: 125/BC-UBND); blank for a draft."
        ),
    )
    signer_name = models.CharField(_("signed by"), max_length=120, blank=True)
    signer_title = models.CharField(_("signer's title"), max_length=120, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annual_reports",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    docx = models.FileField(upload_to=report_path, max_length=300, blank=True)
    xlsx = models.FileField(upload_to=report_path, max_length=300, blank=True)
    pdf = models.FileField(upload_to=report_path, max_length=300, blank=True)
    seconds = models.FloatField(_("seconds to write"), default=0)

    class Meta:
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} {self.year} ({self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.RUNNING}

    def file_for(self, fmt: str):
        return {"docx": self.docx, "xlsx": self.xlsx, "pdf": self.pdf}.get(fmt)
