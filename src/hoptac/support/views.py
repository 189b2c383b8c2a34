"""The support pages: the list of support records, the loan book, the forms, the Farmers' Union's counts.

Every organisation, record, loan and count is fetched through hoptac.support.access (built on
hoptac.accounts.access: out of scope and missing give the same 404); every write goes through
hoptac.support.services.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from hoptac.accounts.access import get_organisation_for_user
from hoptac.registry.forms import add_service_errors

from . import access, exports, services
from .forms import (
    LoanFilterForm,
    LoanForm,
    RepaymentForm,
    SupportFilterForm,
    SupportRecordForm,
    UnionActivityForm,
    UnionFilterForm,
    WriteOffForm,
)
from .loans import loan_schedule, position
from .models import Repayment
from .queries import (
    loan_book,
    loan_rows,
    loans_queryset,
    support_queryset,
    support_totals,
    union_activity_queryset,
)

EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def _org_url(org_pk: int) -> str:
    return reverse("registry:organisation-detail", args=[org_pk]) + "#support"


def _history(*querysets) -> list:
    """Historical records (of one object, or of the repayments of a loan, deleted ones included),
    newest first; one query each."""
    entries = []
    for qs in querysets:
        entries += list(qs.select_related("history_user"))
    return sorted(entries, key=lambda h: h.history_date, reverse=True)


# -- support records ---------------------------------------------------------------------------------------


@login_required
@require_safe
def support_list(request: HttpRequest) -> HttpResponse:
    """Support records in the user's area, with filters, totals by purpose and by sector, and exports."""
    form = SupportFilterForm(request.GET, user=request.user)
    qs = support_queryset(request.user, form.filters())
    totals = support_totals(qs)
    paginator = Paginator(qs, settings.HOPTAC_PAGE_SIZE)
    paginator.count = totals.records
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "support/support_list.html",
        {
            "form": form,
            "notices": form.notices(),
            "page": page,
            "records": page.object_list,
            "totals": totals,
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        },
    )


@login_required
@require_safe
def support_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Exactly the filtered list (every page) as XLSX or CSV."""
    if fmt not in EXPORT_TYPES:
        raise Http404
    form = SupportFilterForm(request.GET, user=request.user)
    qs = support_queryset(request.user, form.filters())
    today = timezone.localdate()
    content = exports.support_export(qs.iterator(chunk_size=2000), fmt, today=today)
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"ho-tro-{today:%Y-%m-%d}.{fmt}")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_organisation_for_user(request.user, org_pk, write=True)
    form = SupportRecordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.support_record_create(actor=request.user, organisation=org, **form.values())
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The support to %(name)s has been recorded.") % {"name": org.name})
            return redirect(_org_url(org.pk))
    return render(request, "support/record_form.html", {"form": form, "org": org, "record": None})


@login_required
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = access.get_record_for_user(request.user, pk, write=True)
    org = record.organisation
    form = SupportRecordForm(request.POST if request.method == "POST" else None, instance=record)
    if request.method == "POST" and form.is_valid():
        changed = form.values()
        if not changed:
            messages.info(request, _("Nothing was changed."))
            return redirect(_org_url(org.pk))
        try:
            services.support_record_update(record=record, actor=request.user, **changed)
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect(_org_url(org.pk))
    return render(
        request,
        "support/record_form.html",
        {"form": form, "org": org, "record": record, "history": _history(record.history.all())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; a POST deletes (the history keeps the record)."""
    record = access.get_record_for_user(request.user, pk, write=True)
    org = record.organisation
    if request.method == "POST":
        services.support_record_delete(record=record, actor=request.user)
        messages.success(request, _("The support record has been deleted."))
        return redirect(_org_url(org.pk))
    return render(
        request,
        "support/confirm_delete.html",
        {"org": org, "what": f"{record.topic.name} — {record.given_on:%d/%m/%Y}", "cancel": _org_url(org.pk)},
    )


# -- loans --------------------------------------------------------------------------------------------------


@login_required
@require_safe
def loan_book_view(request: HttpRequest) -> HttpResponse:
    """The fund's loans in the user's area on a day: outstanding, overdue, by sector and by status."""
    form = LoanFilterForm(request.GET, user=request.user)
    filters, as_of = form.filters(), form.as_of_date()
    rows = loan_rows(loans_queryset(request.user, filters), as_of, status=filters.status)
    return render(
        request,
        "support/loan_book.html",
        {"form": form, "notices": form.notices(), "book": loan_book(rows, as_of)},
    )


@login_required
@require_safe
def loans_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_TYPES:
        raise Http404
    form = LoanFilterForm(request.GET, user=request.user)
    filters, as_of = form.filters(), form.as_of_date()
    rows = loan_rows(loans_queryset(request.user, filters), as_of, status=filters.status)
    response = HttpResponse(exports.loans_export(rows, fmt, as_of=as_of), content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"khoan-vay-{as_of:%Y-%m-%d}.{fmt}")
    return response


@login_required
@require_http_methods(["GET", "POST"])
def loan_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    org = get_organisation_for_user(request.user, org_pk, write=True)
    form = LoanForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            loan = services.loan_create(actor=request.user, organisation=org, **form.values())
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The loan to %(name)s has been recorded.") % {"name": org.name})
            return redirect("support:loan-detail", pk=loan.pk)
    return render(request, "support/loan_form.html", {"form": form, "org": org, "loan": None})


@login_required
@require_http_methods(["GET", "POST"])
def loan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    loan = access.get_loan_for_user(request.user, pk, write=True)
    form = LoanForm(request.POST if request.method == "POST" else None, instance=loan)
    if request.method == "POST" and form.is_valid():
        changed = form.values()
        if not changed:
            messages.info(request, _("Nothing was changed."))
            return redirect("support:loan-detail", pk=loan.pk)
        try:
            services.loan_update(loan=loan, actor=request.user, **changed)
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("support:loan-detail", pk=loan.pk)
    return render(request, "support/loan_form.html", {"form": form, "org": loan.organisation, "loan": loan})


@login_required
@require_safe
def loan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A loan: its terms, where it stands today, its schedule, its repayments and its history."""
    loan = access.get_loan_for_user(request.user, pk)
    repayments = list(loan.repayments.select_related("recorded_by").order_by("paid_on", "id"))
    today = timezone.localdate()
    pos = position(loan, repayments, today)
    schedule_rows = []
    repaid_total = sum((r.principal for r in repayments), 0)
    for inst in loan_schedule(loan):
        schedule_rows.append(
            {"inst": inst, "paid": repaid_total >= inst.cumulative, "past": inst.due_on < today}
        )
    can_write = access.can_write_for(request.user, loan.organisation)
    return render(
        request,
        "support/loan_detail.html",
        {
            "loan": loan,
            "org": loan.organisation,
            "position": pos,
            "repayments": repayments,
            "schedule": schedule_rows,
            "can_write": can_write,
            "is_open": pos.is_open and not loan.written_off_on,
            "history": _history(loan.history.all(), Repayment.history.filter(loan_id=loan.pk)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def repayment_create(request: HttpRequest, pk: int) -> HttpResponse:
    loan = access.get_loan_for_user(request.user, pk, write=True)
    form = RepaymentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.repayment_record(
                loan=loan,
                actor=request.user,
                paid_on=form.cleaned_data["paid_on"],
                principal=form.cleaned_data.get("principal"),
                interest=form.cleaned_data.get("interest"),
                note=form.cleaned_data.get("note") or "",
            )
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The repayment has been recorded."))
            return redirect("support:loan-detail", pk=loan.pk)
    pos = position(loan, list(loan.repayments.all()), timezone.localdate())
    return render(
        request,
        "support/repayment_form.html",
        {"form": form, "loan": loan, "org": loan.organisation, "position": pos},
    )


@login_required
@require_http_methods(["GET", "POST"])
def repayment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; a POST deletes the repayment (its history keeps it)."""
    repayment = access.get_repayment_for_user(request.user, pk)
    loan = repayment.loan
    if request.method == "POST":
        try:
            services.repayment_cancel(repayment=repayment, actor=request.user)
        except ValidationError as err:
            messages.error(request, err.messages[0])
        else:
            messages.success(request, _("The repayment has been deleted."))
        return redirect("support:loan-detail", pk=loan.pk)
    return render(
        request,
        "support/confirm_delete.html",
        {
            "org": loan.organisation,
            "what": _("Repayment of %(date)s") % {"date": f"{repayment.paid_on:%d/%m/%Y}"},
            "cancel": reverse("support:loan-detail", args=[loan.pk]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def loan_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    loan = access.get_loan_for_user(request.user, pk, write=True)
    form = WriteOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.loan_write_off(
                loan=loan,
                actor=request.user,
                written_off_on=form.cleaned_data["written_off_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The loan has been written off."))
            return redirect("support:loan-detail", pk=loan.pk)
    return render(
        request, "support/write_off_form.html", {"form": form, "loan": loan, "org": loan.organisation}
    )


# -- the Farmers' Union's counts -----------------------------------------------------------------------------


@login_required
@require_safe
def union_list(request: HttpRequest) -> HttpResponse:
    form = UnionFilterForm(request.GET, user=request.user)
    unit, year = form.filters()
    activities = list(union_activity_queryset(request.user, unit=unit, year=year))
    return render(
        request,
        "support/union_list.html",
        {
            "form": form,
            "notices": form.notices(),
            "activities": activities,
            "can_write": access.may_write(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def union_create(request: HttpRequest) -> HttpResponse:
    if not access.may_write(request.user):
        raise Http404
    form = UnionActivityForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.union_activity_create(actor=request.user, **form.values())
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The count has been recorded."))
            return redirect("support:union")
    return render(request, "support/union_form.html", {"form": form, "activity": None})


@login_required
@require_http_methods(["GET", "POST"])
def union_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_union_activity_for_user(request.user, pk, write=True)
    form = UnionActivityForm(
        request.POST if request.method == "POST" else None, user=request.user, instance=activity
    )
    if request.method == "POST" and form.is_valid():
        changed = form.values()
        if not changed:
            messages.info(request, _("Nothing was changed."))
            return redirect("support:union")
        try:
            services.union_activity_update(activity=activity, actor=request.user, **changed)
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The changes have been saved."))
            return redirect("support:union")
    return render(
        request,
        "support/union_form.html",
        {"form": form, "activity": activity, "history": _history(activity.history.all())},
    )


@login_required
@require_http_methods(["GET", "POST"])
def union_delete(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access.get_union_activity_for_user(request.user, pk, write=True)
    if request.method == "POST":
        services.union_activity_delete(activity=activity, actor=request.user)
        messages.success(request, _("The count has been deleted."))
        return redirect("support:union")
    return render(
        request,
        "support/confirm_delete.html",
        {
            "org": None,
            "what": f"{activity.unit.name} {activity.year} — {activity.topic.name}: {activity.count}",
            "cancel": reverse("support:union"),
        },
    )
