"""The classification round of a year, the self-assessment form with its live total, and the schemes.

Organisations are fetched through scoring.access (the returns' rules: 404 when out of scope, as if
missing); every write goes through scoring.services.
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

from hoptac.accounts.access import user_scope_unit
from hoptac.accounts.models import Role
from hoptac.registry.models import Organisation
from hoptac.returns.queries import current_reporting_year
from hoptac.returns.services import FIRST_YEAR, check_year

from . import access, services
from .forms import ReasonForm, RoundFilterForm, SheetForm
from .models import Scheme, SchemeChoice, ScoreSheet
from .queries import CLASS_LABELS, ROUND_STATUS_LABELS, round_counts, round_queryset, round_rows
from .rules import evaluate, load_scheme, scheme_problems
from .schemes import SchemeChooser, schemes_with_data

FILTER_KEYS = ("q", "unit", "status", "klass")
HISTORY_ACTIONS = {
    "create": _("Scored"),
    "compute": _("Recomputed from the return"),
    "save": _("Points saved"),
    "submit": _("Submitted"),
    "confirm": _("Confirmed"),
    "send_back": _("Sent back"),
    "reopen": _("Reopened"),
}


def _check_round_year(year: int) -> None:
    if year < FIRST_YEAR or year > current_reporting_year():
        raise Http404


def _years() -> list[int]:
    last = current_reporting_year()
    return list(range(last, last - 6, -1))


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Last year's round (the one being classified); a representative goes to his own sheet."""
    year = current_reporting_year() - 1
    user = request.user
    if user.role == Role.COOPERATIVE and user.organisation_id:
        return redirect("scoring:form", year=year, org_pk=user.organisation_id)
    return redirect("scoring:round", year=year)


@login_required
@require_GET
def round_view(request: HttpRequest, year: int) -> HttpResponse:
    """Who is classified for `year`: counts by state and class, filters, the list, the bulk scoring."""
    _check_round_year(year)
    form = RoundFilterForm(request.GET, user=request.user)
    filters = form.filters()
    chooser = SchemeChooser.load()
    qs = round_queryset(request.user, year, kinds=chooser.rated_kinds, **filters)
    counts = round_counts(qs)
    paginator = Paginator(qs, settings.HOPTAC_PAGE_SIZE)
    paginator.count = counts.total
    page = paginator.get_page(request.GET.get("page"))
    rows = round_rows(list(page.object_list), year, chooser)
    context = {
        "year": year,
        "year_text": str(year),
        "years": _years(),
        "form": form,
        "notices": form.notices(),
        "counts": counts,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number),
        "rows": rows,
        "may_bulk": access.may_confirm_scores(request.user),
        "filter_query": urlencode({k: v for k, v in request.GET.items() if k in FILTER_KEYS and v}),
    }
    return render(request, "scoring/round.html", context)


@login_required
@require_POST
def round_compute(request: HttpRequest, year: int) -> HttpResponse:
    """Bulk scoring of the round (in the area filtered, else the user's): report what needs a person."""
    _check_round_year(year)
    if not access.may_confirm_scores(request.user):
        raise Http404
    form = RoundFilterForm(request.POST, user=request.user)
    unit = form.filters()["unit"] or user_scope_unit(request.user)
    back = reverse("scoring:round", kwargs={"year": year})
    query = urlencode({k: request.POST[k] for k in FILTER_KEYS if request.POST.get(k)})
    if query:
        back = f"{back}?{query}"
    report = services.scores_compute_bulk(unit=unit, year=year, actor=request.user, dry_run=False)
    counts = report.counts()
    messages.success(
        request,
        _(
            "Bulk scoring for %(year)s: %(scored)d scored, %(needs)d need criteria entered by a person, "
            "%(no_return)d without an approved return, %(not_rated)d not rated, %(locked)d already submitted "
            "or confirmed."
        )
        % {
            "year": year,
            "scored": counts.get("scored", 0),
            "needs": counts.get("needs_input", 0),
            "no_return": counts.get("no_return", 0),
            "not_rated": counts.get("not_rated", 0),
            "locked": counts.get("locked", 0),
        },
    )
    for outcome in report.needs_input[:30]:
        messages.warning(request, f"{outcome.organisation.name}: {outcome.detail}")
    return redirect(back)


# -- the sheet ---------------------------------------------------------------------------------------------------


def _org_and_sheet(request: HttpRequest, year: int, org_pk: int) -> tuple[Organisation, ScoreSheet | None]:
    _check_round_year(year)
    org = access.get_organisation_for_scores(request.user, org_pk)
    sheet = (
        ScoreSheet.objects.filter(organisation=org, year=year)
        .select_related(
            "scheme", "submitted_by", "confirmed_by", "returned_by", "reopened_by", "annual_return"
        )
        .first()
    )
    if sheet is None:
        try:
            check_year(org, year)
        except ValidationError:
            raise Http404 from None
    return org, sheet


def _state(org: Organisation, year: int, sheet: ScoreSheet | None) -> dict[str, Any]:
    """The scheme, whether the organisation is rated, its returns, and the evaluation of what is stored."""
    if sheet is not None:
        data = load_scheme(sheet.scheme)
    else:
        scheme = SchemeChooser.load().scheme_for(org)
        data = load_scheme(scheme) if scheme is not None else None
    ret, prev = services.returns_for(org, year)
    not_rated = ""
    if data is not None and (sheet is None or sheet.is_editable):
        not_rated = services.not_rated_reason(org, year, data) or ""
    evaluation = None
    if data is not None:
        evaluation = evaluate(
            data,
            org=org,
            ret=ret,
            prev=prev,
            entered=services.sheet_entries(sheet),
            fined=bool(sheet and sheet.fined),
        )
    return {"data": data, "ret": ret, "prev": prev, "not_rated": not_rated, "evaluation": evaluation}


def _context(
    request: HttpRequest,
    org: Organisation,
    year: int,
    sheet: ScoreSheet | None,
    state: dict[str, Any],
    form: SheetForm | None,
    *,
    stale: str = "",
    reason_form: ReasonForm | None = None,
    reason_action: str = "",
) -> dict[str, Any]:
    user = request.user
    can_enter = access.can_enter(user, org)
    can_confirm = access.can_confirm(user, org)
    status = sheet.status if sheet else "missing"
    rated = state["evaluation"] is not None and not state["not_rated"]
    editable = rated and can_enter and (sheet is None or sheet.is_editable)
    history = []
    if sheet is not None:
        history = list(
            sheet.history.select_related("history_user").order_by("-history_date", "-history_id")[:20]
        )
        for entry in history:
            entry.action_label = HISTORY_ACTIONS.get(entry.history_change_reason or "", "")
    return {
        "org": org,
        "year": year,
        "year_text": str(year),
        "prev_year_text": str(year - 1),
        "next_year_text": str(year + 1),
        "current_year": current_reporting_year(),
        "sheet": sheet,
        "status_key": status,
        "status_label": ROUND_STATUS_LABELS.get(status, status),
        "scheme": state["data"].scheme if state["data"] else None,
        "problems": state["evaluation"].problems if state["evaluation"] else [],
        "evaluation": state["evaluation"],
        "ret": state["ret"],
        "not_rated": state["not_rated"],
        "form": form,
        "rows": form.rows() if form is not None else [],
        "editable": editable,
        "can_confirm": bool(sheet and can_confirm and sheet.status == ScoreSheet.Status.SUBMITTED),
        "can_send_back": bool(sheet and can_confirm and sheet.status == ScoreSheet.Status.SUBMITTED),
        "can_reopen": bool(sheet and can_confirm and sheet.status == ScoreSheet.Status.CONFIRMED),
        "reason_form": reason_form or ReasonForm(initial={"version": sheet.version if sheet else 0}),
        "reason_action": reason_action,
        "stale": stale,
        "history": history,
        "class_labels": CLASS_LABELS,
    }


def _form(
    state: dict[str, Any], sheet: ScoreSheet | None, *, data=None, disabled: bool = False
) -> SheetForm | None:
    evaluation = state["evaluation"]
    if evaluation is None:
        return None
    initial = SheetForm.initial_for(
        evaluation,
        version=sheet.version if sheet else 0,
        fined=bool(sheet and sheet.fined),
        fine_note=sheet.fine_note if sheet else "",
    )
    return SheetForm(data, evaluation=evaluation, initial=initial, disabled=disabled)


@login_required
@require_http_methods(["GET", "POST"])
def sheet_form(request: HttpRequest, year: int, org_pk: int) -> HttpResponse:
    """The classification of organisation `org_pk` for `year`: criteria, points, total, class, actions."""
    org, sheet = _org_and_sheet(request, year, org_pk)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action in ("save", "submit"):
            return _post_points(request, org, year, sheet, submit=action == "submit")
        if action in ("confirm", "send_back", "reopen"):
            return _post_transition(request, org, year, sheet, action)
        return HttpResponseBadRequest(_("Unknown action."))
    state = _state(org, year, sheet)
    editable = (
        access.can_enter(request.user, org)
        and (sheet is None or sheet.is_editable)
        and not state["not_rated"]
    )
    form = _form(state, sheet, disabled=not editable)
    return render(request, "scoring/sheet_form.html", _context(request, org, year, sheet, state, form))


def _post_points(
    request: HttpRequest, org: Organisation, year: int, sheet: ScoreSheet | None, *, submit: bool
) -> HttpResponse:
    if not access.can_enter(request.user, org):
        raise Http404
    state = _state(org, year, sheet)
    form = _form(state, sheet, data=request.POST)
    stale = ""
    if form is not None and form.is_valid():
        try:
            with transaction.atomic():
                if sheet is None:
                    sheet, _created = services.score_compute(organisation=org, year=year, actor=request.user)
                    expected = sheet.version
                else:
                    expected = form.cleaned_data.get("version")
                fine = {}
                if "fined" in form.fields:
                    fine = {"fined": form.cleaned_data["fined"], "fine_note": form.cleaned_data["fine_note"]}
                sheet = services.score_save(
                    sheet=sheet, actor=request.user, entries=form.entries(), expected_version=expected, **fine
                )
                if submit:
                    sheet = services.score_submit(
                        sheet=sheet, actor=request.user, expected_version=sheet.version
                    )
        except services.StaleSheetError as err:
            stale = err.messages[0]
        except ValidationError as err:
            form.add_service_errors(err)
        else:
            messages.success(
                request,
                _("The classification has been submitted for confirmation.") if submit else _("Saved."),
            )
            return redirect("scoring:form", year=year, org_pk=org.pk)
    sheet = ScoreSheet.objects.filter(organisation=org, year=year).select_related("scheme").first()
    context = _context(request, org, year, sheet, state, form, stale=stale)
    return render(request, "scoring/sheet_form.html", context, status=409 if stale else 200)


def _post_transition(
    request: HttpRequest, org: Organisation, year: int, sheet: ScoreSheet | None, action: str
) -> HttpResponse:
    if sheet is None:
        raise Http404
    if not access.can_confirm(request.user, org):
        raise PermissionDenied(_("You may not confirm, send back or reopen classifications."))
    reason_form = ReasonForm(request.POST) if action in ("send_back", "reopen") else None
    version = request.POST.get("version")
    try:
        expected = int(version) if version not in (None, "") else None
    except ValueError:
        expected = None
    if reason_form is not None and not reason_form.is_valid():
        state = _state(org, year, sheet)
        form = _form(state, sheet, disabled=True)
        context = _context(
            request, org, year, sheet, state, form, reason_form=reason_form, reason_action=action
        )
        return render(request, "scoring/sheet_form.html", context)
    try:
        if action == "confirm":
            services.score_confirm(sheet=sheet, actor=request.user, expected_version=expected)
            messages.success(request, _("The classification has been confirmed."))
        elif action == "send_back":
            services.score_return(
                sheet=sheet,
                actor=request.user,
                reason=reason_form.cleaned_data["reason"],
                expected_version=expected,
            )
            messages.success(request, _("The classification has been sent back for correction."))
        else:
            services.score_reopen(
                sheet=sheet,
                actor=request.user,
                reason=reason_form.cleaned_data["reason"],
                expected_version=expected,
            )
            messages.success(request, _("The classification has been reopened: it is a draft again."))
    except ValidationError as err:
        messages.error(request, " ".join(err.messages))
    return redirect("scoring:form", year=year, org_pk=org.pk)


@login_required
@require_POST
def sheet_check(request: HttpRequest, year: int, org_pk: int) -> HttpResponse:
    """htmx: the total and the class of the points being typed, without saving."""
    org, sheet = _org_and_sheet(request, year, org_pk)
    if not access.can_enter(request.user, org):
        raise Http404
    state = _state(org, year, sheet)
    if state["evaluation"] is None:
        raise Http404
    form = _form(state, sheet, data=request.POST)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    entered = dict(services.sheet_entries(sheet))
    for pk, row in form.enterable.items():
        name = f"p_{pk}"
        if name in cleaned:
            entered[row.criterion.number] = (cleaned[name], cleaned.get(f"e_{pk}") or "")
    fined = bool(cleaned.get("fined")) if "fined" in form.fields else False
    evaluation = evaluate(
        state["data"], org=org, ret=state["ret"], prev=state["prev"], entered=entered, fined=fined
    )
    return render(request, "scoring/_sheet_total.html", {"evaluation": evaluation, "oob": True})


# -- the schemes ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    """Every scheme and version: criteria, points, bands, thresholds, rules, and what is unconfirmed."""
    schemes = schemes_with_data(Scheme.objects.order_by("-active", "code", "-version"))
    entries = []
    for scheme in schemes:
        data = load_scheme(scheme)
        entries.append(
            {
                "scheme": scheme,
                "data": data,
                "rows": [(c, depth, data.max_of(c)) for c, depth in data.walk()],
                "problems": scheme_problems(data),
                "unconfirmed": [c for c in data.criteria if not c.confirmed],
            }
        )
    choices = SchemeChoice.objects.select_related("unit", "sector")
    return render(request, "scoring/schemes.html", {"entries": entries, "choices": choices})
