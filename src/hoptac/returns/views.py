"""The reporting round of a year, the return form, and its htmx validation.

Organisations are fetched through returns.access (404 when out of scope, as if missing); every
write goes through returns.services.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hoptac.accounts.models import Role
from hoptac.registry.models import Organisation

from . import access, services
from .fields import FIELDS, FIELDS_BY_NAME, data_period
from .forms import ReasonForm, ReturnForm, RoundFilterForm, young_manager_max_age
from .models import AnnualReturn
from .queries import (
    ROUND_STATUS_LABELS,
    current_reporting_year,
    round_counts,
    round_queryset,
    round_rows,
)
from .validation import Finding, figures_of, format_value, previous_return, return_validate

FILTER_KEYS = ("q", "unit", "status")


def _check_round_year(year: int) -> None:
    if year < services.FIRST_YEAR or year > current_reporting_year():
        raise Http404


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The current round; a cooperative representative goes straight to his own return."""
    year = current_reporting_year()
    user = request.user
    if user.role == Role.COOPERATIVE and user.organisation_id:
        return redirect("returns:form", year=year, org_pk=user.organisation_id)
    return redirect("returns:round", year=year)


@login_required
@require_GET
def round_view(request: HttpRequest, year: int) -> HttpResponse:
    """Who has reported for `year`: counts, progress, filters, and the list with bulk approval."""
    _check_round_year(year)
    form = RoundFilterForm(request.GET, user=request.user)
    filters = form.filters()
    qs = round_queryset(request.user, year, **filters)
    counts = round_counts(qs)
    paginator = Paginator(qs, settings.HOPTAC_PAGE_SIZE)
    paginator.count = counts.total  # the counts query has it already
    page = paginator.get_page(request.GET.get("page"))
    rows = round_rows(list(page.object_list), user=request.user)
    start, end = data_period(year)
    context = {
        "year": year,
        "year_text": str(year),
        "years": list(range(current_reporting_year(), current_reporting_year() - 6, -1)),
        "period_start": start,
        "period_end": end,
        "form": form,
        "notices": form.notices(),
        "counts": counts,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "rows": rows,
        "any_approvable": any(r.approvable for r in rows),
        "may_approve": access.may_approve_returns(request.user),
        "may_enter": access.may_enter_returns(request.user),
        "filter_query": urlencode({k: v for k, v in request.GET.items() if k in FILTER_KEYS and v}),
        "status_labels": ROUND_STATUS_LABELS,
    }
    return render(request, "returns/round.html", context)


@login_required
@require_POST
def round_approve(request: HttpRequest, year: int) -> HttpResponse:
    """Approve the selected returns; report what was approved and what was refused, and why."""
    _check_round_year(year)
    ids = request.POST.getlist("ids")
    back = reverse("returns:round", kwargs={"year": year})
    query = urlencode({k: request.POST[k] for k in (*FILTER_KEYS, "page") if request.POST.get(k)})
    if query:
        back = f"{back}?{query}"
    if not ids:
        messages.warning(request, _("Select the returns to approve first."))
        return redirect(back)
    approved, refused = services.returns_approve_bulk(ids=ids, actor=request.user)
    if approved:
        messages.success(
            request,
            _("%(count)d return(s) approved: %(names)s.")
            % {"count": len(approved), "names": ", ".join(r.organisation.name for r in approved)},
        )
    for refusal in refused:
        if refusal.organisation:
            text = _("Not approved: %(name)s: %(reason)s") % {
                "name": refusal.organisation,
                "reason": refusal.reason,
            }
        else:
            text = refusal.reason
        messages.error(request, text)
    return redirect(back)


def _form_context(
    request: HttpRequest,
    *,
    org: Organisation,
    year: int,
    ret: AnnualReturn | None,
    form: ReturnForm,
    findings: list[Finding],
    stale: str = "",
    reason_form: ReasonForm | None = None,
    reason_action: str = "",
) -> dict[str, Any]:
    user = request.user
    prev = previous_return(AnnualReturn(organisation=org, year=year))
    prev_values = figures_of(prev)
    can_enter = access.can_enter(user, org)
    can_approve = bool(ret and access.can_approve(user, ret))
    editable = can_enter and (ret is None or ret.is_editable)
    by_field: dict[str, list[Finding]] = {}
    for finding in findings:
        by_field.setdefault(finding.field, []).append(finding)
    groups = form.groups()
    for group in groups:
        for row in group["rows"]:
            name = row["spec"].name
            row["prev"] = format_value(prev_values.get(name)) if prev is not None else ""
            if row["spec"].choices and prev is not None and prev_values.get(name):
                row["prev"] = dict(row["spec"].choices).get(prev_values[name], prev_values[name])
            row["findings"] = by_field.pop(name, [])
    start, end = data_period(year)
    status = ret.status if ret else None
    history = []
    if ret is not None:
        history = list(
            ret.history.select_related("history_user").order_by("-history_date", "-history_id")[:20]
        )
        for entry in history:
            entry.action_label = HISTORY_ACTIONS.get(entry.history_change_reason or "", "")
    return {
        "org": org,
        "year": year,
        "ret": ret,
        "prev": prev,
        "form": form,
        "groups": groups,
        "other_findings": [f for fs in by_field.values() for f in fs],
        "findings": findings,
        "errors_count": sum(1 for f in findings if f.is_error),
        "warnings_count": sum(1 for f in findings if not f.is_error),
        "stale": stale,
        "period_start": start,
        "period_end": end,
        "editable": editable,
        "can_enter": can_enter,
        "can_submit": editable,
        "can_approve": can_approve and status == AnnualReturn.Status.SUBMITTED,
        "can_send_back": can_approve and status == AnnualReturn.Status.SUBMITTED,
        "can_reopen": can_approve and status == AnnualReturn.Status.APPROVED,
        "reason_form": reason_form or ReasonForm(initial={"version": ret.version if ret else 0}),
        "reason_action": reason_action,
        "status_label": ROUND_STATUS_LABELS[status or "missing"],
        "status_key": status or "missing",
        "history": history,
        "young_age": young_manager_max_age(),
        # Years as text: a number in a template gets a thousand separator (2.024).
        "year_text": str(year),
        "prev_year_text": str(year - 1),
        "next_year_text": str(year + 1),
        "current_year": current_reporting_year(),
    }


HISTORY_ACTIONS = {
    "create": _("Created"),
    "save": _("Figures saved"),
    "submit": _("Submitted"),
    "approve": _("Approved"),
    "send_back": _("Sent back"),
    "reopen": _("Reopened"),
}


def _get_return(org: Organisation, year: int) -> AnnualReturn | None:
    return (
        AnnualReturn.objects.filter(organisation=org, year=year)
        .select_related("submitted_by", "approved_by", "returned_by", "reopened_by", "updated_by")
        .first()
    )


def _org_and_return(request: HttpRequest, year: int, org_pk: int, *, write: bool = False):
    org = access.get_organisation_for_returns(request.user, org_pk, write=write)
    ret = _get_return(org, year)
    if ret is None:
        try:
            services.check_year(org, year)
        except ValidationError:
            raise Http404 from None
    return org, ret


def _initial(ret: AnnualReturn | None) -> dict[str, Any]:
    if ret is None:
        return {"version": 0}
    return {"version": ret.version, **{spec.name: getattr(ret, spec.name) for spec in FIELDS}}


def _findings_into_form(form: ReturnForm, findings: list[Finding]) -> None:
    for finding in findings:
        if finding.is_error:
            form.add_error(finding.field if finding.field in form.fields else None, finding.message)


@login_required
@require_http_methods(["GET", "POST"])
def return_form(request: HttpRequest, year: int, org_pk: int) -> HttpResponse:
    """The return of organisation `org_pk` for `year`: figures, findings, actions by state and role."""
    org, ret = _org_and_return(request, year, org_pk)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action in ("save", "submit"):
            return _post_figures(request, org, year, ret, submit=action == "submit")
        if action in ("approve", "send_back", "reopen"):
            return _post_transition(request, org, year, ret, action)
        return HttpResponseBadRequest(_("Unknown action."))
    editable = access.can_enter(request.user, org) and (ret is None or ret.is_editable)
    form = ReturnForm(initial=_initial(ret), organisation=org, disabled=not editable)
    findings = return_validate(ret) if ret is not None and ret.version > 0 else []
    return render(
        request,
        "returns/return_form.html",
        _form_context(request, org=org, year=year, ret=ret, form=form, findings=findings),
    )


def _post_figures(
    request: HttpRequest, org: Organisation, year: int, ret: AnnualReturn | None, *, submit: bool
) -> HttpResponse:
    if not access.can_enter(request.user, org):
        raise Http404
    form = ReturnForm(request.POST, organisation=org)
    findings: list[Finding] = []
    stale = ""
    if form.is_valid():
        try:
            with transaction.atomic():
                ret, _created = services.return_create_or_get(organisation=org, year=year, actor=request.user)
                ret, warnings = services.return_save(
                    ret=ret,
                    actor=request.user,
                    data=form.figures(),
                    expected_version=form.cleaned_data["version"],
                )
                if submit:
                    ret = services.return_submit(ret=ret, actor=request.user, expected_version=ret.version)
        except services.StaleReturnError as err:
            stale = err.messages[0]
        except services.ReturnInvalidError as err:
            findings = err.findings
            _findings_into_form(form, findings)
        except ValidationError as err:
            if hasattr(err, "error_dict"):
                for name, errors in err.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, err.messages)
        else:
            if submit:
                messages.success(request, _("The return has been submitted for approval."))
            elif warnings:
                messages.warning(request, _("Saved, with warnings: check the figures marked below."))
            else:
                messages.success(request, _("Saved."))
            return redirect("returns:form", year=year, org_pk=org.pk)
    ret = _get_return(org, year)
    context = _form_context(request, org=org, year=year, ret=ret, form=form, findings=findings, stale=stale)
    return render(request, "returns/return_form.html", context, status=409 if stale else 200)


def _post_transition(
    request: HttpRequest, org: Organisation, year: int, ret: AnnualReturn | None, action: str
) -> HttpResponse:
    if ret is None:
        raise Http404
    if not access.can_approve(request.user, ret):
        # The organisation is in the user's scope (or we would have answered 404): his role may not.
        raise PermissionDenied(_("You may not approve, send back or reopen returns."))
    reason_form = ReasonForm(request.POST) if action in ("send_back", "reopen") else None
    version = request.POST.get("version")
    try:
        expected = int(version) if version not in (None, "") else None
    except ValueError:
        expected = None
    if reason_form is not None and not reason_form.is_valid():
        form = ReturnForm(initial=_initial(ret), organisation=org, disabled=True)
        context = _form_context(
            request, org=org, year=year, ret=ret, form=form, findings=return_validate(ret),
            reason_form=reason_form, reason_action=action,
        )  # fmt: skip
        return render(request, "returns/return_form.html", context)
    try:
        if action == "approve":
            services.return_approve(ret=ret, actor=request.user, expected_version=expected)
            messages.success(request, _("The return has been approved."))
        elif action == "send_back":
            services.return_send_back(
                ret=ret,
                actor=request.user,
                reason=reason_form.cleaned_data["reason"],
                expected_version=expected,
            )
            messages.success(request, _("The return has been sent back for correction."))
        else:
            services.return_reopen(
                ret=ret,
                actor=request.user,
                reason=reason_form.cleaned_data["reason"],
                expected_version=expected,
            )
            messages.success(request, _("The return has been reopened: it is a draft again."))
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
    return redirect("returns:form", year=year, org_pk=org.pk)


@login_required
@require_POST
def return_check(request: HttpRequest, year: int, org_pk: int) -> HttpResponse:
    """htmx: the findings for the figures being typed, without saving (out-of-band swaps per field)."""
    org, ret = _org_and_return(request, year, org_pk, write=True)
    if not access.can_enter(request.user, org):
        raise Http404
    form = ReturnForm(request.POST, organisation=org)
    form.is_valid()
    candidate = AnnualReturn(organisation=org, year=year)
    if ret is not None:
        for spec in FIELDS:
            setattr(candidate, spec.name, getattr(ret, spec.name))
    findings: list[Finding] = []
    for name in form.fields:
        if name not in FIELDS_BY_NAME:
            continue
        if name in form.errors:
            findings.extend(
                Finding(field=name, severity="error", code="format", message=m) for m in form.errors[name]
            )
        elif hasattr(form, "cleaned_data") and name in form.cleaned_data:
            value = form.cleaned_data[name]
            setattr(
                candidate,
                name,
                "" if value is None and FIELDS_BY_NAME[name].type in ("text", "choice") else value,
            )
    findings.extend(return_validate(candidate))
    by_field: dict[str, list[Finding]] = {}
    for finding in findings:
        by_field.setdefault(finding.field, []).append(finding)
    context = {
        "fields": [(name, by_field.get(name, [])) for name in form.fields if name in FIELDS_BY_NAME],
        "errors_count": sum(1 for f in findings if f.is_error),
        "warnings_count": sum(1 for f in findings if not f.is_error),
        "other_findings": [f for name, fs in by_field.items() if name not in form.fields for f in fs],
        "oob": True,
    }
    return render(request, "returns/_findings.html", context)
