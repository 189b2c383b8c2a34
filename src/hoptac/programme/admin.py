"""Agencies in the admin. They are data (a province renames and merges its departments), so the admin edits them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Agency


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "code", "unit", "valid_from", "valid_to", "successor")
    list_filter = (("unit", admin.RelatedOnlyFieldListFilter), "valid_to")
    list_select_related = ("unit", "successor")
    search_fields = ("name", "short_name", "code")
    autocomplete_fields = ("unit", "successor")
    fieldsets = (
        (None, {"fields": ("name", "short_name", "code", "unit")}),
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
    )
