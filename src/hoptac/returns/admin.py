"""Admin: returns change only through the services (so the workflow, the rules and the version hold);
validation rules are data, edited here with their expressions checked."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .fields import FIELDS
from .models import AnnualReturn, ValidationRule

FIGURES = [spec.name for spec in FIELDS]
WORKFLOW_FIELDS = [
    "status",
    "version",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
    "submitted_at",
    "submitted_by",
    "approved_at",
    "approved_by",
    "returned_at",
    "returned_by",
    "returned_reason",
    "reopened_at",
    "reopened_by",
    "reopened_reason",
]


class _DryRun(Exception):
    """Raised to roll back the trial save of AnnualReturnAdminForm.clean."""


class AnnualReturnAdminForm(forms.ModelForm):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    actor: Any = None  # set by AnnualReturnAdmin.get_form

    class Meta:
        model = AnnualReturn
        fields = ["organisation", "year", *FIGURES]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def validate_unique(self) -> None:
        # An existing (organisation, year) is taken over by return_create_or_get, as the import does.
        pass

    def figures(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FIGURES if name in self.cleaned_data}

    def save_through_services(self) -> AnnualReturn:
        if self.instance.pk:
            ret = AnnualReturn.objects.get(pk=self.instance.pk)
            expected = self.cleaned_data.get("expected_version")
            expected = ret.version if expected is None else expected
        else:
            ret, _created = services.return_create_or_get(
                organisation=self.cleaned_data["organisation"],
                year=self.cleaned_data["year"],
                actor=self.actor,
            )
            expected = ret.version
        saved, _warnings = services.return_save(
            ret=ret, actor=self.actor, data=self.figures(), expected_version=expected
        )
        return saved

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors or self.actor is None:
            return data
        # A trial run of the services, rolled back, turns their refusals into form errors; the
        # real run is AnnualReturnAdmin.save_model.
        try:
            with transaction.atomic():
                self.save_through_services()
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as err:
            if hasattr(err, "error_dict"):
                for name, errors in err.message_dict.items():
                    self.add_error(name if name in self.fields else None, errors)
            else:
                self.add_error(None, err.messages)
        except PermissionDenied as err:
            self.add_error(None, str(err))
        return data


@admin.register(AnnualReturn)
class AnnualReturnAdmin(SimpleHistoryAdmin):
    form = AnnualReturnAdminForm
    list_display = ["organisation", "year", "status", "version", "updated_at", "updated_by"]
    list_filter = ["year", "status", "organisation__kind"]
    search_fields = ["organisation__name", "organisation__code"]
    raw_id_fields = ["organisation"]
    list_select_related = ["organisation", "updated_by"]
    actions = ["approve_selected"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def get_fields(self, request, obj=None):
        return ["organisation", "year", *FIGURES, "expected_version", *(WORKFLOW_FIELDS if obj else [])]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        locked = [] if obj.is_editable else FIGURES
        return ["organisation", "year", *locked, *WORKFLOW_FIELDS]

    def save_model(self, request, obj, form, change):
        saved = form.save_through_services()
        obj.pk = saved.pk
        obj.version = saved.version

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status == AnnualReturn.Status.APPROVED:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        # Bulk deletion would bypass the "no delete of an approved return" rule.
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Approve the selected submitted returns"))
    def approve_selected(self, request, queryset):
        approved, refused = services.returns_approve_bulk(
            ids=list(queryset.values_list("pk", flat=True)), actor=request.user
        )
        if approved:
            messages.success(request, gettext("%(count)d return(s) approved.") % {"count": len(approved)})
        for refusal in refused:
            messages.error(
                request,
                f"{refusal.organisation}: {refusal.reason}" if refusal.organisation else refusal.reason,
            )


@admin.register(ValidationRule)
class ValidationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "severity", "kinds", "fields", "active", "order"]
    list_filter = ["severity", "active"]
    search_fields = ["code", "message_vi", "message_en", "check_expression", "condition"]
    list_editable = ["active"]
    fieldsets = [
        (None, {"fields": ["code", "severity", "kinds", "fields", "active", "order"]}),
        (_("Expressions"), {"fields": ["condition", "check_expression"]}),
        (_("Messages"), {"fields": ["message_vi", "message_en", "description"]}),
    ]
