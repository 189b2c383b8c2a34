"""The import pages (registry, yearly returns): upload, mapping and check, progress, annotated copy,
templates, and the export of a year's returns in the returns template's shape.

Thin views: the forms validate, hoptac.imports.jobs acts. A bad file is a message on the form, never
a server error; jobs are fetched through jobs.get_job_for_user (another user's job is a 404).
"""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from hoptac.accounts import access

from . import jobs
from . import returns as returns_import
from .columns import MappingError
from .forms import MappingForm, UploadForm
from .models import ImportJob
from .reader import ImportFileError
from .template import registry_template, returns_csv, returns_template, returns_workbook

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_writer(request: HttpRequest) -> None:
    if not access.can_write_registry(request.user):
        raise PermissionDenied


def _upload(request: HttpRequest, *, kind: str, year: int | None = None) -> HttpResponse:
    """The upload form of either import: a bad file is a message on the form, never a server error."""
    if not jobs.may_import(request.user, kind):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create(
                user=request.user,
                upload=form.cleaned_data["file"],
                area=form.cleaned_data["area"],
                kind=kind,
                year=year,
            )
        except ImportFileError as err:
            form.add_error("file", str(err))
        except Exception:
            # A file that breaks a reader in a way nobody foresaw is still the user's file, not a 500.
            logger.exception("Unreadable upload %s", request.FILES.get("file"))
            form.add_error("file", _("The spreadsheet could not be read: the file is damaged."))
        else:
            return redirect("imports:job", pk=job.pk)
    recent = ImportJob.objects.filter(user=request.user, kind=kind)
    if year is not None:
        recent = recent.filter(year=year)
    recent = recent.only("pk", "filename", "state", "created_at", "counts", "total", "kind", "year")[:10]
    context = {"form": form, "recent": recent, "kind": kind, "year": year, "year_text": str(year or "")}
    return render(request, "imports/upload.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def registry_upload(request: HttpRequest) -> HttpResponse:
    return _upload(request, kind=ImportJob.Kind.REGISTRY)


def _check_year(year: int) -> None:
    if returns_import.year_error(year):
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def returns_upload(request: HttpRequest, year: int) -> HttpResponse:
    """The import of a year's returns: the same flow as the registry's, for the figures of `year`."""
    _check_year(year)
    return _upload(request, kind=ImportJob.Kind.RETURNS, year=year)


@login_required
@require_http_methods(["GET", "POST"])
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The mapping screen, the preview, and the outcome of the check or the import."""
    job = jobs.get_job_for_user(request.user, pk)
    form = MappingForm(request.POST or None, job=job)
    if request.method == "POST":
        if not jobs.may_import(request.user, job.kind):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "import":
                job = jobs.job_start(job=job, user=request.user, write=True)
            elif form.is_valid():
                jobs.job_set_mapping(job=job, user=request.user, mapping=form.mapping())
                job = jobs.job_start(job=job, user=request.user, write=False)
            else:
                return _render_job(request, job, form, status=200)
        except (MappingError, ImportFileError) as err:
            messages.error(request, str(err))
        else:
            if job.state == ImportJob.State.DONE:
                messages.success(request, _("The file was imported."))
                if job.kind == ImportJob.Kind.RETURNS:
                    messages.info(
                        request,
                        _(
                            "The imported returns are drafts: submit them from the reporting round when ready."
                        ),
                    )
        return redirect("imports:job", pk=job.pk)
    return _render_job(request, job, form)


def _labels(kind: str) -> dict[str, str]:
    return {**dict(jobs.FIELDSETS[kind].choices()), "unit": _("Commune or ward")}


def _job_context(request: HttpRequest, job: ImportJob) -> dict:
    return {
        "job": job,
        "labels": _labels(job.kind),
        "can_write": jobs.may_import(request.user, job.kind),
        "year_text": str(job.year or ""),
    }


def _render_job(request, job, form, status=200):
    context = {**_job_context(request, job), "form": form}
    return render(request, "imports/job_detail.html", context, status=status)


@login_required
@require_GET
def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment the page polls every second while the job runs."""
    job = jobs.get_job_for_user(request.user, pk)
    return render(request, "imports/_job_state.html", _job_context(request, job))


@login_required
@require_GET
def job_annotated(request: HttpRequest, pk: int) -> FileResponse:
    job = jobs.get_job_for_user(request.user, pk)
    if not job.annotated:
        raise Http404
    try:
        handle = job.annotated.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    stem = job.filename.rsplit(".", 1)[0]
    return FileResponse(handle, as_attachment=True, filename=f"{stem}-loi.xlsx", content_type=XLSX)


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    response = HttpResponse(registry_template(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="mau-nhap-to-chuc.xlsx"'
    return response


def _round_filters(request: HttpRequest) -> dict:
    from hoptac.returns.forms import RoundFilterForm

    return RoundFilterForm(request.GET, user=request.user).filters()


@login_required
@require_GET
def returns_template_download(request: HttpRequest, year: int) -> HttpResponse:
    """The returns template of `year`, prefilled with the organisations of the user's area (of the
    round's unit filter, if any)."""
    _check_year(year)
    if not jobs.may_import(request.user, ImportJob.Kind.RETURNS):
        raise PermissionDenied
    content = returns_template(request.user, year=year, unit=_round_filters(request)["unit"])
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"mau-bao-cao-nam-{year}.xlsx")
    return response


RETURNS_EXPORT_TYPES = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}


@login_required
@require_GET
def returns_export(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """The returns of `year` of the round as the user filtered it (every page), in the template's shape."""
    from hoptac.returns.queries import round_queryset

    _check_year(year)
    if fmt not in RETURNS_EXPORT_TYPES:
        raise Http404
    rows = returns_import.sheet_rows(round_queryset(request.user, year, **_round_filters(request)), year=year)
    if fmt == "xlsx":
        with translation.override("vi"):
            title = _("Yearly returns %(year)s, exported on %(date)s") % {
                "year": year,
                "date": timezone.localdate().strftime("%d/%m/%Y"),
            }
        content = returns_workbook(rows, year=year, title=title)
    else:
        content = returns_csv(rows)
    response = HttpResponse(content, content_type=RETURNS_EXPORT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"bao-cao-nam-{year}.{fmt}")
    return response
