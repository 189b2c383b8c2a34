"""Admin: schemes are data an administrator completes (the unconfirmed values) — a version that scored
sheets is read-only and is changed by making a new version; sheets change only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import schemes
from .models import ClassThreshold, Criterion, Scheme, SchemeChoice, SchemeRule, ScoreLine, ScoreSheet


class _LockedInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and not (obj and obj.is_locked)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_locked)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_locked)


class CriterionInline(_LockedInline):
    model = Criterion
    fk_name = "scheme"
    fields = (
        "number", "parent", "order", "title_vi", "title_en", "max_points", "rule", "expression", "precondition",
        "bands", "value_unit", "guidance_vi", "guidance_en", "confirmed", "source_note",
    )  # fmt: skip

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        parent = formset.form.base_fields.get("parent")
        if parent is not None:
            parent.queryset = Criterion.objects.filter(scheme=obj) if obj else Criterion.objects.none()
        return formset


class ThresholdInline(_LockedInline):
    model = ClassThreshold
    fields = ("klass", "min_points", "confirmed", "source_note")


class RuleInline(_LockedInline):
    model = SchemeRule
    fields = ("kind", "condition", "months", "klass", "confirmed", "source_note")


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = ("name_vi", "code", "version", "active", "shipped", "priority", "created_at")
    list_filter = ("active", "code")
    search_fields = ("name_vi", "name_en", "code")
    inlines = [ThresholdInline, RuleInline, CriterionInline]
    actions = ["make_new_version", "activate"]
    readonly_fields = ("parent", "shipped", "created_at", "created_by")
    fields = (
        "code", "version", "name_vi", "name_en", "legal_basis", "kinds", "sectors", "priority", "total_points",
        "active", "source_note", "version_note", "parent", "shipped", "created_at", "created_by",
    )  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            # A version that scored sheets never changes: only which version is in force may.
            return [f for f in self.fields if f != "active"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        if obj.active:
            Scheme.objects.filter(code=obj.code, active=True).exclude(pk=obj.pk).update(active=False)
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_locked)

    @admin.action(description=_("Make a new version to edit (inactive copy)"))
    def make_new_version(self, request, queryset) -> None:
        for scheme in queryset:
            try:
                new = schemes.scheme_new_version(
                    scheme=scheme,
                    actor=request.user,
                    note=_g("Made from version %(v)d.") % {"v": scheme.version},
                )
            except PermissionDenied as err:
                self.message_user(request, str(err), messages.ERROR)
                return
            self.message_user(
                request,
                _g("%(name)s: version %(v)d made; edit it, then activate it.")
                % {"name": new.name, "v": new.version},
            )

    @admin.action(description=_("Put in force (the other versions stop)"))
    def activate(self, request, queryset) -> None:
        for scheme in queryset:
            schemes.scheme_activate(scheme=scheme, actor=request.user)
        self.message_user(request, _g("Done."))


@admin.register(SchemeChoice)
class SchemeChoiceAdmin(admin.ModelAdmin):
    list_display = ("unit", "sector", "scheme_code")


class ScoreLineInline(admin.TabularInline):
    model = ScoreLine
    extra = 0
    fields = ("criterion", "points", "value", "computed", "evidence")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ScoreSheet)
class ScoreSheetAdmin(SimpleHistoryAdmin):
    """Read-only: sheets change through the page and the services, so that the workflow holds."""

    list_display = ("organisation", "year", "scheme", "total", "klass", "status")
    list_filter = ("year", "status", "klass", "scheme")
    search_fields = ("organisation__name", "organisation__code")
    list_select_related = ("organisation", "scheme")
    inlines = [ScoreLineInline]

    def get_readonly_fields(self, request, obj=None) -> Any:
        return [f.name for f in ScoreSheet._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
