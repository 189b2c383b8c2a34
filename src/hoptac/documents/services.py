"""Every write of the reports app: data snapshots, and the generation of the report's files.

    snapshot = snapshot_take(unit=province, year=2024, actor=user)          # the figures, frozen
    files = generate(snapshot)                                              # {"docx": b"…", "xlsx": …, "pdf": …}
    report = report_request(actor=user, unit=province, year=2024)          # the page: snapshot + files

A snapshot reads every figure in one transaction (REPEATABLE READ on PostgreSQL; SQLite's write lock
keeps writers out meanwhile), so that its figures agree with each other and with the cut-off it
records. `generate` reads nothing but the snapshot: the same snapshot gives the same figures, however
the data changed since. Reports of units with more than HOPTAC_REPORT_INLINE_ORGANISATIONS
organisations are written by the task worker (`hoptac db_worker`); smaller ones within the request.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import User
from hoptac.core.text import fold
from hoptac.registry.models import Organisation
from hoptac.units.models import Unit

from . import content, layout, render_docx, render_pdf, render_xlsx
from .figures import collect, fingerprint
from .models import AnnualReport, ReportSnapshot

logger = logging.getLogger(__name__)
FORMATS = ("docx", "xlsx", "pdf")
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
DEFAULT_INLINE_ORGANISATIONS = 20_000
FIRST_YEAR = 2000


class ReportError(ValueError):
    """A report that cannot be made as asked (a year out of range, a snapshot of another unit)."""


def inline_limit() -> int:
    return int(getattr(settings, "HOPTAC_REPORT_INLINE_ORGANISATIONS", DEFAULT_INLINE_ORGANISATIONS))


def can_generate(user: User) -> bool:
    """Officers who keep the registry (and administrators) write reports; viewers and agencies read them."""
    return access.can_write_registry(user)


def check_year(year: int) -> None:
    last = timezone.localdate().year
    if not FIRST_YEAR <= year <= last:
        raise ReportError(
            _("The year must be between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": last}
        )


@contextlib.contextmanager
def consistent_read() -> Iterator[None]:
    """One transaction in which every query sees the same state of the data."""
    if connection.in_atomic_block:  # inside a caller's transaction (tests): its snapshot applies
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def snapshot_take(*, unit: Unit, year: int, actor: User | None = None) -> ReportSnapshot:
    """Read and freeze the figures of `unit`'s report for `year`, as the approved data stand now."""
    check_year(year)
    started = time.perf_counter()
    with consistent_read():
        # The fingerprint's queries open the read; the cut-off is taken after them, so every return
        # the snapshot reads was approved at or before it.
        fp = fingerprint(unit)
        taken_at = timezone.now()
        with translation.override("vi"):
            figures = collect(unit, year)
    return ReportSnapshot.objects.create(
        unit=unit,
        year=year,
        taken_at=taken_at,
        taken_by=actor if actor is not None and actor.pk else None,
        figures=figures,
        returns_count=fp["returns_count"],
        returns_digest=fp["returns_digest"],
        registry_digest=fp["registry_digest"],
        seconds=round(time.perf_counter() - started, 3),
    )


def snapshot_is_current(snapshot: ReportSnapshot) -> bool:
    """Whether the approved returns and the organisations under the unit are still those it read."""
    fp = fingerprint(snapshot.unit)
    return (
        fp["returns_digest"] == snapshot.returns_digest and fp["registry_digest"] == snapshot.registry_digest
    )


def build(
    snapshot: ReportSnapshot, *, number: str = "", signer_name: str = "", signer_title: str = ""
) -> content.Report:
    """The report written from the snapshot, in Vietnamese (an official document)."""
    meta = content.Meta(
        taken_at=snapshot.taken_at,
        snapshot_id=snapshot.pk,
        number=number,
        signer_name=signer_name,
        signer_title=signer_title,
    )
    with translation.override("vi"):
        return content.build(snapshot.figures, meta)


def generate(
    snapshot: ReportSnapshot,
    *,
    number: str = "",
    signer_name: str = "",
    signer_title: str = "",
    formats: tuple[str, ...] = FORMATS,
) -> dict[str, bytes]:
    """The report's files from a snapshot alone: {"docx": …, "xlsx": …, "pdf": …}."""
    report = build(snapshot, number=number, signer_name=signer_name, signer_title=signer_title)
    out: dict[str, bytes] = {}
    with translation.override("vi"):
        blocks = layout.blocks(report) if {"docx", "pdf"} & set(formats) else []
        if "docx" in formats:
            out["docx"] = render_docx.render(report, blocks)
        if "xlsx" in formats:
            out["xlsx"] = render_xlsx.render(report)
        if "pdf" in formats:
            out["pdf"] = render_pdf.render(report, blocks)
    return out


def file_stem(unit: Unit | dict, year: int) -> str:
    name = unit["name"] if isinstance(unit, dict) else unit.name
    slug = "-".join(fold(name).replace(",", " ").split())
    return f"bao-cao-kinh-te-tap-the-{year}-{slug}"


def report_request(
    *,
    actor: User,
    unit: Unit,
    year: int,
    snapshot: ReportSnapshot | None = None,
    number: str = "",
    signer_name: str = "",
    signer_title: str = "",
) -> AnnualReport:
    """Ask for a report of `unit` for `year` (from `snapshot` when given, else from the data now).

    The caller has checked that the actor may see the unit (indicators.queries.ensure_unit_visible).
    Small units are written within the call; large ones are queued for the task worker.
    """
    if not can_generate(actor):
        raise PermissionDenied(_("You may not write reports."))
    check_year(year)
    if snapshot is not None and (snapshot.unit_id != unit.pk or snapshot.year != year):
        raise ReportError(_("This data snapshot is of another area or year."))
    report = AnnualReport.objects.create(
        snapshot=snapshot,
        unit=unit,
        year=year,
        number=number.strip(),
        signer_name=signer_name.strip(),
        signer_title=signer_title.strip(),
        created_by=actor,
        state=AnnualReport.State.QUEUED,
    )
    organisations = Organisation.objects.filter(access.unit_scope_q(unit)).count()
    if organisations > inline_limit():
        from .tasks import write_report

        result = write_report.enqueue(report.pk)
        AnnualReport.objects.filter(pk=report.pk).update(task_id=str(result.id))
        report.task_id = str(result.id)
        return report
    report_run(report_id=report.pk)
    report.refresh_from_db()
    return report


def report_run(*, report_id: int) -> None:
    """Take the snapshot if the report has none, write the three files, record the outcome.

    Never raises: a failure is recorded on the report (and logged) for the page to show.
    """
    report = AnnualReport.objects.select_related("snapshot", "unit", "created_by").get(pk=report_id)
    AnnualReport.objects.filter(pk=report.pk).update(state=AnnualReport.State.RUNNING)
    started = time.perf_counter()
    try:
        if report.snapshot is None:
            report.snapshot = snapshot_take(unit=report.unit, year=report.year, actor=report.created_by)
            AnnualReport.objects.filter(pk=report.pk).update(snapshot=report.snapshot)
        files = generate(
            report.snapshot,
            number=report.number,
            signer_name=report.signer_name,
            signer_title=report.signer_title,
        )
        stem = file_stem(report.unit, report.year)
        for fmt, data in files.items():
            getattr(report, fmt).save(f"{stem}.{fmt}", ContentFile(data), save=False)
        report.state = AnnualReport.State.DONE
        report.message = ""
    except Exception as error:
        logger.exception("Annual report %s failed", report.pk)
        report.state = AnnualReport.State.FAILED
        report.message = _("The report could not be written: %(error)s") % {"error": error}
    report.seconds = round(time.perf_counter() - started, 3)
    report.save(update_fields=["snapshot", "state", "message", "docx", "xlsx", "pdf", "seconds"])
