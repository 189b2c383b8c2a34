"""The registry in Django's admin. Writes go through the same services as the web pages and the imports.

A ModelAdmin saves in `save_model`, after the form was found valid: too late to show a refusal beside
its field. So the forms below run the service in `clean()` inside a savepoint that is always rolled
back (a rehearsal: every rule is checked, nothing stays), and `save_model` runs it for real.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from hoptac.accounts import access

from . import services
from .models import Organisation, Sector, StatusChange, UnionMembership


class _Rehearsal(Exception):
    """Raised inside the savepoint of a rehearsal so that everything the service wrote is rolled back."""


def rehearse(form: forms.BaseForm, call) -> None:
    """Run `call()` and roll it back; put its ValidationError on the form's fields (or on the form)."""
    try:
        with transaction.atomic():
            call()
            raise _Rehearsal
    except _Rehearsal:
        pass
    except PermissionDenied as err:
        form.add_error(None, str(err) or _("You may not change the registry."))
    except ValidationError as err:
        if not hasattr(err, "error_dict"):
            form.add_error(None, err)
            return
        for field, errors in err.error_dict.items():
            target = field if field in form.fields else None
            if target is not None and target in form.errors:
                continue
            form.add_error(target, ValidationError(errors).messages[0])


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ("code", "name_vi", "name_en", "parent", "order")
    list_editable = ("order",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("code", "name_vi", "name_en", "synonyms")
    ordering = ("order", "code")


class StatusChangeInline(admin.TabularInline):
    """The status history, read-only: a status changes on the organisation's page (with its checks)."""

    model = StatusChange
    fields = ("status", "effective_on", "decision_number", "reason", "recorded_by", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrganisationAdminForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = services.ORGANISATION_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        fields = self.service_fields()
        if self.instance.pk is None:
            rehearse(self, lambda: services.organisation_create(actor=self.request.user, **fields))
        elif fields:
            rehearse(
                self,
                lambda: services.organisation_update(org=self.instance, actor=self.request.user, **fields),
            )
        return cleaned

    def service_fields(self) -> dict[str, Any]:
        """For a new organisation every field; for a change only those that changed."""
        names = [name for name in services.ORGANISATION_FIELDS if name in self.cleaned_data]
        if self.instance.pk is None:
            return {name: self.cleaned_data[name] for name in names}
        return {name: self.cleaned_data[name] for name in names if name in self.changed_data}

    # The service checks the code's uniqueness and says which organisation has it.
    def validate_unique(self) -> None:
        pass

    def validate_constraints(self) -> None:
        pass


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    form = OrganisationAdminForm
    list_display = ("name", "code", "kind", "sector", "unit", "founded_on", "status", "archived")
    list_filter = ("kind", "status", "law", "archived", "supporter", "union_member", "sector")
    search_fields = ("name", "name_folded", "code")
    list_select_related = ("sector", "unit")
    raw_id_fields = ("unit",)
    readonly_fields = ("status", "ended_on", "archived", "current_commune", "legacy_commune", "created_at")
    fieldsets = (
        (None, {"fields": ("code", "name", "kind", "sector", "subsector")}),
        (_("Address and contacts"), {"fields": ("unit", "address", "representative", "phone", "email")}),
        (
            _("Legal facts"),
            {"fields": ("founded_on", "law", "charter_capital", "supporter", "union_member", "notes")},
        ),
        (
            _("Derived (changed by the services)"),
            {"fields": readonly_fields},
        ),
    )
    inlines = (StatusChangeInline,)
    actions = ("archive_selected", "restore_selected")
    date_hierarchy = "founded_on"

    def get_queryset(self, request: HttpRequest):
        return access.visible_organisations(request.user).select_related("sector", "unit")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        # The rehearsal in clean() needs the acting user.
        return type(form_class.__name__, (form_class,), {"request": request})

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: forms.ModelForm, change: bool
    ) -> None:
        fields = form.service_fields()
        if change:
            if fields:
                services.organisation_update(org=obj, actor=request.user, **fields)
            return
        created = services.organisation_create(actor=request.user, **fields)
        # The admin goes on with `obj` (inlines, log entry, redirect): make it the saved organisation.
        obj.__dict__.update(created.__dict__)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # organisations are archived, never deleted

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True  # a revert would bypass the status history; edit the facts instead

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _set_archived(self, request: HttpRequest, queryset, archived: bool) -> None:
        done = 0
        for org in queryset:
            try:
                services.organisation_set_archived(org=org, actor=request.user, archived=archived)
                done += 1
            except (PermissionDenied, ValidationError) as err:
                self.message_user(request, f"{org.name}: {err}", messages.ERROR)
        self.message_user(request, _("%(count)d organisations updated.") % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Archive the selected organisations"))
    def archive_selected(self, request: HttpRequest, queryset) -> None:
        self._set_archived(request, queryset, True)

    @admin.action(description=_("Restore the selected organisations"))
    def restore_selected(self, request: HttpRequest, queryset) -> None:
        self._set_archived(request, queryset, False)


@admin.register(StatusChange)
class StatusChangeAdmin(admin.ModelAdmin):
    """Read-only: the history of legal statuses is written by organisation_change_status only."""

    list_display = ("organisation", "status", "effective_on", "decision_number", "recorded_by", "recorded_at")
    list_filter = ("status",)
    search_fields = ("organisation__name", "organisation__code", "decision_number")
    list_select_related = ("organisation", "recorded_by")
    date_hierarchy = "effective_on"

    def get_queryset(self, request: HttpRequest):
        return (
            super().get_queryset(request).filter(access.organisation_scope_q(request.user, "organisation__"))
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UnionMembershipAdminForm(forms.ModelForm):
    class Meta:
        model = UnionMembership
        fields = ("union", "member", "joined_on", "left_on")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        user = self.request.user
        if self.instance.pk is None:
            if cleaned.get("left_on"):
                self.add_error("left_on", _("Record the membership first, then the date it ended."))
                return cleaned
            rehearse(
                self,
                lambda: services.union_membership_add(
                    union=cleaned["union"],
                    member=cleaned["member"],
                    actor=user,
                    joined_on=cleaned.get("joined_on"),
                ),
            )
        elif "left_on" in self.changed_data and cleaned.get("left_on"):
            rehearse(
                self,
                lambda: services.union_membership_end(
                    membership=self.instance, actor=user, left_on=cleaned["left_on"]
                ),
            )
        return cleaned

    # union_membership_add says why a second membership is refused.
    def validate_unique(self) -> None:
        pass

    def validate_constraints(self) -> None:
        pass


@admin.register(UnionMembership)
class UnionMembershipAdmin(admin.ModelAdmin):
    form = UnionMembershipAdminForm
    list_display = ("union", "member", "joined_on", "left_on")
    search_fields = ("union__name", "member__name", "member__code")
    list_select_related = ("union", "member")
    raw_id_fields = ("union", "member")

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).filter(access.organisation_scope_q(request.user, "union__"))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        # Once recorded, a membership only gets its end date (once).
        if obj is None:
            return ()
        return ("union", "member", "joined_on") + (("left_on",) if obj.left_on else ())

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        return type(form_class.__name__, (form_class,), {"request": request})

    def save_model(
        self, request: HttpRequest, obj: UnionMembership, form: forms.ModelForm, change: bool
    ) -> None:
        if not change:
            created = services.union_membership_add(
                union=obj.union, member=obj.member, actor=request.user, joined_on=obj.joined_on
            )
            obj.__dict__.update(created.__dict__)
        elif "left_on" in form.changed_data and obj.left_on:
            services.union_membership_end(membership=obj, actor=request.user, left_on=obj.left_on)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a membership ends with its date; the record stays
