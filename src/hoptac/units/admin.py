"""Administrative units in the admin: read-only, since `hoptac loadunits` and the package are the source.

A correction made here would be undone by the next load; it belongs in `vietnam-provinces` (or in
a later data fixture loaded by the same service).
"""

from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hoptac.core.text import fold

from .models import Unit, UnitSuccession
from .services import UnitLookupError, resolve_unit


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    model = UnitSuccession
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SuccessorInline(ReadOnlyInline):
    fk_name = "predecessor"
    fields = ("successor", "partial", "rank", "effective_on")
    verbose_name = _("successor")
    verbose_name_plural = _("successors (what it became)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("successor")


class PredecessorInline(ReadOnlyInline):
    fk_name = "successor"
    fields = ("predecessor", "partial", "rank", "effective_on")
    verbose_name = _("predecessor")
    verbose_name_plural = _("predecessors (what it came from)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("predecessor")


def _key_or_folded_search(queryset, search_term, *, prefix=""):
    """A key (`commune:03595`) selects that unit; other text matches folded names word by word, or a code."""
    term = search_term.strip()
    if not term:
        return queryset
    if ":" in term:
        try:
            unit = resolve_unit(term)
        except UnitLookupError:
            return queryset.none()
        return queryset.filter(**{f"{prefix}pk": unit.pk})
    q = Q()
    for word in fold(term).split():
        q &= Q(**{f"{prefix}name_folded__contains": word}) | Q(**{f"{prefix}code": word})
    return queryset.filter(q)


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "key", "level", "era", "parent", "valid_from", "valid_to")
    list_filter = ("era", "level", "division_type")
    list_select_related = ("parent",)
    # 14,000 rows and more with each load: no exact count on every filter change.
    show_full_result_count = False
    list_per_page = 100
    search_fields = ("name_folded", "code")
    search_help_text = _("A name (accents optional), a code, or a key such as commune:03595.")
    fields = ("name", "division_type", "level", "era", "code", "parent", "valid_from", "valid_to", "path")
    inlines = (PredecessorInline, SuccessorInline)

    @admin.display(description=_("key"))
    def key(self, obj: Unit) -> str:
        return obj.key

    def get_search_results(self, request, queryset, search_term):
        return _key_or_folded_search(queryset, search_term), False


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReadOnlyAdmin):
    list_display = ("predecessor", "predecessor_key", "successor", "successor_key", "partial", "rank")
    list_filter = ("partial", "predecessor__level", "effective_on")
    list_select_related = ("predecessor", "successor")
    show_full_result_count = False
    list_per_page = 100
    search_fields = ("predecessor__name_folded", "successor__name_folded")
    search_help_text = _("A unit's name (accents optional) or key: the successions it is on either side of.")

    @admin.display(description=_("predecessor key"))
    def predecessor_key(self, obj: UnitSuccession) -> str:
        return obj.predecessor.key

    @admin.display(description=_("successor key"))
    def successor_key(self, obj: UnitSuccession) -> str:
        return obj.successor.key

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        matches = _key_or_folded_search(Unit.objects.all(), search_term).values("pk")
        return queryset.filter(Q(predecessor__in=matches) | Q(successor__in=matches)), False
