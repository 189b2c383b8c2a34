"""Import jobs: one uploaded file, its mapping, its check and its import, with their progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def upload_path(job: ImportJob, filename: str) -> str:
    return f"imports/{job.user_id}/{job.token}/{filename}"


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        REGISTRY = "registry", _("Registry")
        RETURNS = "returns", _("Yearly returns")

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded: check the columns")
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("In progress")
        CHECKED = "checked", _("Checked: ready to import")
        INVALID = "invalid", _("Refused: the file has errors")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.REGISTRY)
    # A random name for the job's folder in MEDIA_ROOT, so that stored files cannot be guessed.
    token = models.CharField(max_length=32, editable=False)
    filename = models.CharField(_("file name"), max_length=255)
    upload = models.FileField(_("file"), upload_to=upload_path, max_length=400)
    annotated = models.FileField(_("annotated copy"), upload_to=upload_path, max_length=400, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    area = models.ForeignKey(
        "units.Unit",
        verbose_name=_("area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The year of the returns a returns import fills in (none for the registry).
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    language = models.CharField(max_length=8, default="vi")
    # Column letter → field key ("" for an ignored column), as detected then corrected by the user.
    mapping = models.JSONField(default=dict, blank=True)
    # [{"letter", "header", "field", "auto_field"}] and the first rows, for the mapping screen.
    columns = models.JSONField(default=list, blank=True)
    preview = models.JSONField(default=list, blank=True)
    header_rows = models.JSONField(default=list, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.UPLOADED)
    write = models.BooleanField(_("write"), default=False, help_text=_("Import (not only check) when run."))
    phase = models.CharField(max_length=16, blank=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows done"), default=0)
    counts = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list, blank=True)
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    # Findings that do not block (the returns' warning rules), as `errors`.
    warnings = models.JSONField(default=list, blank=True)
    warning_count = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_state_display()})"

    @property
    def is_running(self) -> bool:
        return self.state in {self.State.QUEUED, self.State.RUNNING}

    @property
    def percent(self) -> int:
        if not self.total:
            return 0
        return min(100, round(100 * self.done / self.total))
