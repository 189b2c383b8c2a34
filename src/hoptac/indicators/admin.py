"""Indicator definitions, plans and targets in Django's admin, for system administrators.

Definitions are checked by Indicator.clean() (the filters' grammar, the figures, the aggregation) before
they are saved through services.indicator_save; targets by Target.clean().
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Indicator, Plan, Target


def _is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_admin_role)


class AdminOnly:
    """Only system administrators change definitions, plans and targets; staff may read them."""

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return _is_admin(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _is_admin(request) and super().has_delete_permission(request, obj)


@admin.register(Indicator)
class IndicatorAdmin(AdminOnly, SimpleHistoryAdmin):
    list_display = ("code", "name_vi", "unit", "source", "aggregation", "period", "order")
    list_filter = ("source", "aggregation", "period", "unit")
    search_fields = ("code", "name_vi", "name_en", "description", "references")
    ordering = ("order", "code")
    autocomplete_fields = ("base",)
    fieldsets = (
        (
            None,
            {"fields": ("code", "name_vi", "name_en", "unit", "description", "order", "higher_is_better")},
        ),
        (
            _("How it is computed"),
            {
                "fields": (
                    "source",
                    "aggregation",
                    "period",
                    "filters",
                    "subset",
                    "figures",
                    "base",
                    "base_year",
                )
            },
        ),
        (_("Sources"), {"fields": ("references",)}),
    )

    def save_model(self, request, obj, form, change):
        services.indicator_save(indicator=obj, actor=request.user)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    fields = (
        "indicator",
        "area",
        "year",
        "comparator",
        "value",
        "min_value",
        "max_value",
        "unit",
        "each_year",
        "cumulative_from",
        "base_year",
        "source_ref",
        "order",
    )
    autocomplete_fields = ("indicator", "area")
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(AdminOnly, SimpleHistoryAdmin):
    list_display = ("slug", "number", "issuer", "area", "start_year", "end_year")
    search_fields = ("slug", "number", "title", "issuer")
    autocomplete_fields = ("area",)
    inlines = (TargetInline,)


@admin.register(Target)
class TargetAdmin(AdminOnly, SimpleHistoryAdmin):
    list_display = (
        "plan",
        "indicator",
        "year",
        "comparator",
        "value",
        "min_value",
        "max_value",
        "unit",
        "area",
    )
    list_filter = ("plan", "year")
    search_fields = ("indicator__code", "indicator__name_vi", "note")
    autocomplete_fields = ("indicator", "area")
    list_select_related = ("plan", "indicator", "area")
