"""Every write to import jobs: upload, mapping, start, run (inline or by the task worker).

A job goes: uploaded (its columns detected, waiting for the user to confirm them) → queued or
running → checked (a dry run found no error), invalid (errors, with an annotated copy), done
(written) or failed (the file could not be read at all). Files of more than
HOPTAC_IMPORT_INLINE_ROWS rows (2,000 by default) run in the background through django.tasks, and
the page follows their progress; smaller ones run within the request.
"""

from __future__ import annotations

import io
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import User
from hoptac.units.models import Unit

from .annotate import write_annotated
from .columns import REGISTRY_FIELDS, FieldSet, MappingError, apply_mapping, data_rows
from .models import ImportJob
from .reader import ImportFileError, Workbook, check_size, read_bytes
from .registry import RegistryImport
from .returns import RETURN_FIELDS, ReturnsImport
from .sheet import ImportIssue, SheetImport, layout_of
from .values import as_text

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 10
# Errors kept on the job for the page; all of them are in the annotated copy.
STORED_ERRORS = 2000
STORED_ACTIONS = 2000
ACCEPTED_EXTENSIONS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods", ".csv", ".txt")


def inline_rows() -> int:
    return settings.HOPTAC_IMPORT_INLINE_ROWS


def get_job_for_user(user: User, pk: int) -> ImportJob:
    """The job `pk` if `user` started it (admins see every job); else 404, as if missing."""
    qs = ImportJob.objects.select_related("user", "area")
    if not (user.is_authenticated and user.is_admin_role):
        qs = qs.filter(user_id=user.pk)
    try:
        return qs.get(pk=pk)
    except (ImportJob.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


Kind = ImportJob.Kind
FIELDSETS: dict[str, FieldSet] = {Kind.REGISTRY: REGISTRY_FIELDS, Kind.RETURNS: RETURN_FIELDS}
IMPORTERS: dict[str, type[SheetImport]] = {Kind.REGISTRY: RegistryImport, Kind.RETURNS: ReturnsImport}


def may_import(user: User, kind: str) -> bool:
    """Registry files: whoever writes the registry. Returns: whoever enters returns (each row is then
    checked against the organisations he may enter)."""
    from hoptac.returns.access import may_enter_returns

    if kind == Kind.RETURNS:
        return may_enter_returns(user)
    return access.can_write_registry(user)


def _ensure_can_import(user: User, kind: str = Kind.REGISTRY) -> None:
    if not may_import(user, kind):
        if kind == Kind.RETURNS:
            raise PermissionDenied(_("You may not enter yearly returns."))
        raise PermissionDenied(_("You may not change the registry."))


def importer(
    kind: str, workbook: Workbook, *, user: User, year: int | None = None, **kwargs: Any
) -> SheetImport:
    """The importer of a job's kind, over `workbook`."""
    if kind == Kind.RETURNS:
        return ReturnsImport(workbook, actor=user, year=year, **kwargs)
    return RegistryImport(workbook, actor=user, **kwargs)


def _read_upload(upload: UploadedFile) -> bytes:
    name = (upload.name or "").lower()
    if not name.endswith(ACCEPTED_EXTENSIONS):
        raise ImportFileError(
            _(
                "This file is not a spreadsheet: upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file."
            )
        )
    check_size(upload.size or 0)
    data = b"".join(upload.chunks())
    check_size(len(data))
    return data


def job_create(
    *,
    user: User,
    upload: UploadedFile,
    area: Unit | None = None,
    kind: str = Kind.REGISTRY,
    year: int | None = None,
) -> ImportJob:
    """Store an uploaded file (of organisations, or of the returns of `year`) and detect its columns;
    raises ImportFileError if unusable.

    Nothing is stored when the file cannot be read: the user gets the message on the form.
    """
    _ensure_can_import(user, kind)
    data = _read_upload(upload)
    workbook = read_bytes(data)
    # The columns as detected: the user confirms or corrects them before anything is checked.
    layout = layout_of(workbook, FIELDSETS[kind])
    rows = list(data_rows(layout, FIELDSETS[kind]))
    if not rows:
        raise ImportFileError(_("The file has no rows of data under its headers."))
    job = ImportJob(
        user=user,
        kind=kind,
        year=year,
        token=secrets.token_hex(12),
        filename=(upload.name or "upload")[-200:],
        size=len(data),
        area=area,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        mapping=layout.mapping(),
        columns=[
            {
                "letter": c.letter,
                "header": c.header,
                "field": c.field or "",
                "auto_field": c.auto_field or "",
                "recognised": bool(c.quality),
            }
            for c in layout.columns
        ],
        preview=[
            {"row": number, "cells": [as_text(v) for v in cells[: len(layout.columns)]]}
            for number, cells in rows[:PREVIEW_ROWS]
        ],
        header_rows=layout.header_row_numbers,
        total=len(rows),
    )
    job.upload.save(_safe_name(upload.name), ContentFile(data), save=False)
    job.save()
    return job


def _safe_name(name: str | None) -> str:
    base = (name or "upload").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base)[-120:] or "upload"


def job_set_mapping(*, job: ImportJob, user: User, mapping: dict[str, str]) -> ImportJob:
    """Record the user's corrected mapping (column letter → field key, "" to ignore); MappingError if wrong."""
    _ensure_can_import(user, job.kind)
    if job.is_running:
        raise MappingError(_("This file is being processed; wait until it finishes."))
    workbook = read_bytes(job.upload.open("rb").read())
    job.upload.close()
    layout = layout_of(workbook, FIELDSETS[job.kind])
    apply_mapping(layout, FIELDSETS[job.kind], mapping)
    missing = IMPORTERS[job.kind].missing_columns(set(layout.mapped()))
    if missing:
        raise MappingError(missing)
    job.mapping = layout.mapping()
    for column in job.columns:
        column["field"] = job.mapping.get(column["letter"], "")
    job.state = ImportJob.State.UPLOADED
    job.save(update_fields=["mapping", "columns", "state"])
    return job


def job_start(*, job: ImportJob, user: User, write: bool) -> ImportJob:
    """Check (write=False) or import (write=True): inline for small files, else on the task worker."""
    _ensure_can_import(user, job.kind)
    if job.is_running:
        return job
    if write and job.state != ImportJob.State.CHECKED:
        raise MappingError(_("Check the file first: it is imported only once the check finds no error."))
    job.write = write
    job.done = 0
    job.phase = ""
    job.message = ""
    job.language = translation.get_language() or job.language
    if job.total > inline_rows():
        from .tasks import run_import_job

        job.state = ImportJob.State.QUEUED
        job.save(update_fields=["write", "done", "phase", "message", "language", "state"])
        result = run_import_job.enqueue(job.pk)
        ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
        job.task_id = str(result.id)
        return job
    job.save(update_fields=["write", "done", "phase", "message", "language"])
    job_run(job_id=job.pk)
    job.refresh_from_db()
    return job


def job_run(*, job_id: int) -> None:
    """Run a job's check or import and store the outcome. Never raises for a bad file."""
    job = ImportJob.objects.select_related("user", "area").get(pk=job_id)
    with translation.override(job.language):
        _run(job)


def _run(job: ImportJob) -> None:
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportJob.State.RUNNING, started_at=timezone.now(), finished_at=None, done=0, phase="reading"
    )

    def progress(phase: str, done: int, total: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(phase=phase, done=done, total=total)

    try:
        with job.upload.open("rb") as handle:
            data = handle.read()
        workbook = read_bytes(data)
        run = importer(
            job.kind,
            workbook,
            user=job.user,
            year=job.year,
            mapping=job.mapping or None,
            area=job.area,
            source=job.filename,
            progress=progress,
        )
        result = run.run() if job.write else run.check()
    except (ImportFileError, MappingError) as err:
        _finish(job, state=ImportJob.State.FAILED, message=str(err))
        return
    except Exception:
        logger.exception("Import job %s failed", job.pk)
        _finish(
            job,
            state=ImportJob.State.FAILED,
            message=_("The import stopped on an unexpected error; nothing was written. Please report it."),
        )
        return
    job.counts = result.counts()
    job.actions = [a.as_dict() for a in result.actions[:STORED_ACTIONS]]
    job.errors = [e.as_dict() for e in result.errors[:STORED_ERRORS]]
    job.error_count = len(result.errors)
    job.warnings = [w.as_dict() for w in result.warnings[:STORED_ERRORS]]
    job.warning_count = len(result.warnings)
    if result.errors:
        if any(e.row is not None for e in result.errors):
            _store_annotated(job, workbook, run, result.errors)
        state = ImportJob.State.INVALID
    else:
        state = ImportJob.State.DONE if result.written else ImportJob.State.CHECKED
    _finish(job, state=state, total=result.rows)


def _store_annotated(job: ImportJob, workbook, run: SheetImport, errors: list[ImportIssue]) -> None:
    buffer = io.BytesIO()
    write_annotated(buffer, workbook, sheet_name=run.layout.sheet.name, issues=errors)
    stem = _safe_name(job.filename).rsplit(".", 1)[0]
    if job.annotated:
        job.annotated.delete(save=False)
    job.annotated.save(f"{stem}-loi.xlsx", ContentFile(buffer.getvalue()), save=False)


def _finish(job: ImportJob, *, state: str, message: str = "", total: int | None = None) -> None:
    job.state = state
    job.message = message
    job.finished_at = timezone.now()
    job.phase = ""
    fields = [
        "state",
        "message",
        "finished_at",
        "phase",
        "counts",
        "actions",
        "errors",
        "error_count",
        "warnings",
        "warning_count",
        "annotated",
    ]
    if total is not None:
        job.total = job.done = total
        fields += ["total", "done"]
    with transaction.atomic():
        job.save(update_fields=fields)


def issues(job: ImportJob) -> list[ImportIssue]:
    return [ImportIssue.from_dict(e) for e in job.errors]


def field_choices(kind: str = Kind.REGISTRY) -> list[tuple[str, Any]]:
    return [("", _("— not imported —")), *FIELDSETS[kind].choices()]
