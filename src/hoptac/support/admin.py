"""Support in Django's admin: the topics are data an administrator may correct; records, loans,
repayments and the Farmers' Union's counts are shown read-only (they are written through the pages,
which call the services and check the scope)."""

from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Loan, Repayment, SupportRecord, SupportTopic, UnionActivity


@admin.register(SupportTopic)
class SupportTopicAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_vi", "name_en", "kind", "part_of", "order", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name_vi", "name_en")
    ordering = ("order", "code")

    def get_readonly_fields(self, request, obj=None):
        # Indicator definitions refer to topics by code: a code is never changed once saved.
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class _ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SupportRecord)
class SupportRecordAdmin(_ReadOnly):
    list_display = ("given_on", "organisation", "topic", "form", "amount", "estimated_value", "agency")
    list_filter = ("topic", "form")
    search_fields = ("organisation__name", "organisation__code", "programme")
    date_hierarchy = "given_on"
    list_select_related = ("organisation", "topic", "agency")


class RepaymentInline(admin.TabularInline):
    model = Repayment
    extra = 0
    can_delete = False
    fields = ("paid_on", "principal", "interest", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Loan)
class LoanAdmin(_ReadOnly):
    list_display = ("organisation", "contract_number", "amount", "disbursed_on", "term_months", "closed_on")
    search_fields = ("organisation__name", "organisation__code", "contract_number")
    date_hierarchy = "disbursed_on"
    list_select_related = ("organisation",)
    inlines = [RepaymentInline]


@admin.register(UnionActivity)
class UnionActivityAdmin(_ReadOnly):
    list_display = ("year", "unit", "topic", "count", "sector", "organisation")
    list_filter = ("year", "topic")
    list_select_related = ("unit", "topic", "sector", "organisation")
