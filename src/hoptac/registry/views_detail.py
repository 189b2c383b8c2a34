"""An organisation's page, its create and edit forms, its status changes, archiving and union members.

Every organisation is fetched through hoptac.accounts.access (404 when out of scope, as if missing);
every write goes through hoptac.registry.services.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hoptac.accounts import access
from hoptac.accounts.access import get_organisation_for_user
from hoptac.returns.queries import returns_for_organisation
from hoptac.scoring.queries import scores_for_organisation
from hoptac.support.queries import support_for_organisation

from . import services
from .detail_queries import organisation_page
from .forms import (
    ArchiveForm,
    OrganisationForm,
    StatusChangeForm,
    UnionMemberForm,
    add_service_errors,
)
from .models import Kind, Organisation, UnionMembership


def _can_edit(user, org: Organisation) -> bool:
    return access.editable_organisations(user).filter(pk=org.pk).exists()


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """All the facts, the status history, the change history and the union memberships.

    A POST is the union's member form (add a member, or end a membership), for users who may write.
    """
    if request.method == "POST":
        return _union_members_post(request, pk)
    org = get_organisation_for_user(request.user, pk)
    can_edit = _can_edit(request.user, org)
    context = {
        "org": org,
        "can_edit": can_edit,
        **organisation_page(org, request.user),
        "org_returns": returns_for_organisation(request.user, org),
        "org_support": support_for_organisation(request.user, org),
        "org_scores": scores_for_organisation(request.user, org),
    }
    if can_edit and org.kind == Kind.LHHTX:
        context["member_form"] = UnionMemberForm(user=request.user, union=org)
    return render(request, "registry/organisation_detail.html", context)


def _union_members_post(request: HttpRequest, pk: int) -> HttpResponse:
    union = get_organisation_for_user(request.user, pk, write=True)
    if union.kind != Kind.LHHTX:
        raise Http404
    form = UnionMemberForm(user=request.user, union=union)
    if "end" in request.POST:
        try:
            membership = union.memberships.select_related("member").get(pk=request.POST["end"])
        except (UnionMembership.DoesNotExist, ValueError):
            raise Http404 from None
        try:
            services.union_membership_end(membership=membership, actor=request.user)
        except ValidationError as err:
            messages.error(request, err.messages[0])
        else:
            messages.success(request, _("%(name)s has left the union.") % {"name": membership.member.name})
    else:
        form = UnionMemberForm(request.POST, user=request.user, union=union)
        if form.is_valid():
            member = form.cleaned_data["member"]
            try:
                services.union_membership_add(
                    union=union, member=member, actor=request.user, joined_on=form.cleaned_data["joined_on"]
                )
            except ValidationError as err:
                add_service_errors(form, err)
            else:
                messages.success(request, _("%(name)s is now a member of the union.") % {"name": member.name})
                form = UnionMemberForm(user=request.user, union=union)
    context = {"org": union, "can_edit": True, "member_form": form, **organisation_page(union, request.user)}
    # htmx swaps only 2xx answers, so an invalid form comes back as 200 with its errors, like a page.
    if request.headers.get("HX-Request"):
        return render(request, "registry/_union_members.html", {**context, "fragment": True})
    if form.errors:
        return render(request, "registry/organisation_detail.html", context)
    return redirect("registry:organisation-detail", pk=union.pk)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    if not access.can_write_registry(request.user):
        raise Http404
    form = OrganisationForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organisation_create(actor=request.user, **form.changed_fields())
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("%(name)s has been registered.") % {"name": org.name})
            return redirect("registry:organisation-detail", pk=org.pk)
    return render(
        request,
        "registry/organisation_form.html",
        {"form": form, "org": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organisation_for_user(request.user, pk, write=True)
    form = OrganisationForm(
        request.POST if request.method == "POST" else None, user=request.user, instance=org
    )
    if request.method == "POST" and form.is_valid():
        changed = form.changed_fields()
        if not changed:
            messages.info(request, _("Nothing was changed."))
            return redirect("registry:organisation-detail", pk=org.pk)
        try:
            org = services.organisation_update(org=org, actor=request.user, **changed)
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(request, _("The changes to %(name)s have been saved.") % {"name": org.name})
            return redirect("registry:organisation-detail", pk=org.pk)
    return render(
        request,
        "registry/organisation_form.html",
        {"form": form, "org": org},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_status(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organisation_for_user(request.user, pk, write=True)
    form = StatusChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.organisation_change_status(org=org, actor=request.user, **form.cleaned_data)
        except ValidationError as err:
            add_service_errors(form, err)
        else:
            messages.success(
                request,
                _("The status of %(name)s is now “%(status)s” from %(date)s.")
                % {
                    "name": org.name,
                    "status": change.get_status_display(),
                    "date": date_format(change.effective_on, "SHORT_DATE_FORMAT"),
                },
            )
            return redirect("registry:organisation-detail", pk=org.pk)
    latest = org.status_changes.order_by("-effective_on", "-id").first()
    return render(
        request,
        "registry/organisation_status_form.html",
        {"form": form, "org": org, "latest": latest},
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """GET asks for confirmation; only a POST archives or restores. Nothing is ever deleted."""
    org = get_organisation_for_user(request.user, pk, write=True)
    form = ArchiveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        archived = form.cleaned_data["action"] == "archive"
        org = services.organisation_set_archived(org=org, actor=request.user, archived=archived)
        if archived:
            messages.success(request, _("%(name)s has been archived.") % {"name": org.name})
        else:
            messages.success(request, _("%(name)s has been restored.") % {"name": org.name})
        return redirect("registry:organisation-detail", pk=org.pk)
    return render(
        request,
        "registry/organisation_archive.html",
        {"form": form, "org": org},
    )
