"""The reports page: the reports of the user's area, a form to write one, and the downloads.

Thin views: the form validates, documents.services writes, the templates render. Reports are fetched
through documents.access (out of scope and missing: the same 404); the area asked for is checked
with indicators.queries.ensure_unit_visible.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hoptac.indicators.queries import ensure_unit_visible

from . import services
from .access import get_report_for_user, visible_reports
from .forms import ReportForm
from .models import AnnualReport

LISTED = 50


def _announce(request: HttpRequest, report: AnnualReport) -> None:
    if report.state == AnnualReport.State.DONE:
        messages.success(request, _("The report is ready: download it below."))
    elif report.state == AnnualReport.State.FAILED:
        messages.error(request, report.message)
    else:
        messages.info(
            request, _("The report is being written in the background; this page shows when it is ready.")
        )


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    can_generate = services.can_generate(request.user)
    form = ReportForm(request.POST or None, user=request.user) if can_generate else None
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            ensure_unit_visible(request.user, unit)
            try:
                report = services.report_request(
                    actor=request.user,
                    unit=unit,
                    year=form.cleaned_data["year"],
                    number=form.cleaned_data["number"],
                    signer_name=form.cleaned_data["signer_name"],
                    signer_title=form.cleaned_data["signer_title"],
                )
            except services.ReportError as error:
                form.add_error(None, str(error))
            else:
                _announce(request, report)
                return redirect("documents:index")
    reports = (
        visible_reports(request.user)
        .select_related("unit", "snapshot", "created_by")
        .order_by("-created_at", "-id")[:LISTED]
    )
    return render(
        request,
        "documents/index.html",
        {"form": form, "reports": reports, "can_generate": can_generate},
    )


@login_required
@require_GET
def report_row(request: HttpRequest, pk: int) -> HttpResponse:
    """The htmx fragment the page polls while a report is being written."""
    report = get_report_for_user(request.user, pk)
    return render(
        request,
        "documents/_report_row.html",
        {"report": report, "can_generate": services.can_generate(request.user)},
    )


@login_required
@require_POST
def report_again(request: HttpRequest, pk: int) -> HttpResponse:
    """Write a report again from the same data snapshot: the same figures, whatever changed since."""
    source = get_report_for_user(request.user, pk)
    if not services.can_generate(request.user):
        raise PermissionDenied
    if source.snapshot is None:
        raise Http404
    report = services.report_request(
        actor=request.user,
        unit=source.unit,
        year=source.year,
        snapshot=source.snapshot,
        number=source.number,
        signer_name=source.signer_name,
        signer_title=source.signer_title,
    )
    _announce(request, report)
    return redirect("documents:index")


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int, fmt: str) -> FileResponse:
    report = get_report_for_user(request.user, pk)
    if fmt not in services.FORMATS or report.state != AnnualReport.State.DONE:
        raise Http404
    stored = report.file_for(fmt)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{services.file_stem(report.unit, report.year)}.{fmt}",
        content_type=services.CONTENT_TYPES[fmt],
    )
