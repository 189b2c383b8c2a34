"""The programme in the admin. Agencies, tasks, reporting rules and budget lines are data a province
corrects (the fixtures load them first); reports, attachments, budget entries and reminders are
written by the services only, so the admin shows them read-only with their history."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agency,
    BudgetEntry,
    BudgetLine,
    Programme,
    Reminder,
    ReportAttachment,
    Task,
    TaskGroup,
    TaskReport,
)


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "kind", "unit", "valid_from", "valid_to", "successor")
    list_filter = ("kind", ("unit", admin.RelatedOnlyFieldListFilter), "valid_to")
    list_select_related = ("unit", "successor")
    search_fields = ("name", "short_name", "code")
    autocomplete_fields = ("unit", "successor", "members")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "code", "kind", "unit")}),
        (
            _("Validity"),
            {
                "fields": ("valid_from", "valid_to", "successor"),
                "description": _(
                    "An agency merged into another (Sở Kế hoạch và Đầu tư into Sở Tài chính on 01/03/2025) "
                    "keeps its rows: give it an end date and its successor."
                ),
            },
        ),
        (_("Group"), {"fields": ("members",), "classes": ("collapse",)}),
    )


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    pass


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "deadline_day", "deadline_month", "report_to", "first_year")
    list_select_related = ("plan", "report_to")
    autocomplete_fields = ("report_to",)


@admin.register(TaskGroup)
class TaskGroupAdmin(admin.ModelAdmin):
    list_display = ("plan", "number", "title", "order")
    list_filter = ("plan",)
    list_select_related = ("plan",)


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "plan", "lead", "timeframe_text")
    list_filter = ("plan",)
    list_select_related = ("plan", "group", "lead")
    search_fields = ("title", "lead__name", "lead_text")
    autocomplete_fields = ("lead", "coordinating")


@admin.register(TaskReport)
class TaskReportAdmin(ReadOnlyAdmin):
    list_display = ("task", "year", "agency", "role", "status", "progress", "submitted_at")
    list_filter = ("year", "role", "status", "task__plan")
    list_select_related = ("task__group", "agency")
    search_fields = ("task__title", "agency__name")


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "report", "kind", "size", "uploaded_at")
    list_select_related = ("report__task__group", "report__agency")


@admin.register(BudgetLine)
class BudgetLineAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "period", "source", "purpose", "planned")
    list_filter = ("plan", "source")
    list_select_related = ("plan",)


@admin.register(BudgetEntry)
class BudgetEntryAdmin(ReadOnlyAdmin):
    list_display = ("line", "year", "kind", "amount", "reference", "recorded_by")
    list_filter = ("year", "kind", "line__plan")
    list_select_related = ("line", "recorded_by")


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("plan", "year", "agency", "stage", "deadline", "sent_at", "tasks")
    list_filter = ("year", "stage", "plan")
    list_select_related = ("plan", "agency")
