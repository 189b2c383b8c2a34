"""Reads of the registry that span tables: the organisation list, its counts, and the export's rows.

Every read starts from `access.visible_organisations(user)`, so a filter can only narrow a user's
scope, never widen it (a unit outside the scope simply selects nothing).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hoptac.accounts import access
from hoptac.accounts.models import User
from hoptac.core.text import fold
from hoptac.units.models import Unit

from .models import Kind, Organisation, Sector, Status

# Everything a row of the list or of the export shows, fetched in the same query as the rows: the
# legacy commune's parent is the legacy district, the current commune's parent the province, and
# `unit__parent__parent` reaches the province of an organisation registered at a district.
LIST_RELATED = (
    "sector",
    "subsector",
    "unit__parent__parent",
    "current_commune__parent",
    "legacy_commune__parent",
)

# Sort keys accepted from the query string; anything else is refused by the filter form.
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name_folded",),
    "code": ("code",),
    "founded_on": ("founded_on",),
    "kind": ("kind",),
    "sector": ("sector__order", "sector__code"),
    "commune": ("current_commune__name_folded",),
    "status": ("status",),
}
SORT_LABELS = {
    "name": _("Name"),
    "code": _("Code"),
    "founded_on": _("Founded"),
    "kind": _("Kind"),
    "sector": _("Sector"),
    "commune": _("Commune"),
    "status": _("Status"),
}
DEFAULT_SORT = "name"


def sort_choices() -> list[tuple[str, str]]:
    """Every accepted `sort` value: `name`, `-name`, `code`, `-code` …"""
    out = []
    for key, label in SORT_LABELS.items():
        out.append((key, label))
        out.append((f"-{key}", label))
    return out


@dataclass(frozen=True)
class OrganisationFilters:
    """The list's filters, already validated (see filters.OrganisationFilterForm)."""

    q: str = ""
    unit: Unit | None = None
    kind: str = ""
    sector: Sector | None = None
    status: str = ""
    founded_from: int | None = None
    founded_to: int | None = None
    # None: any; "": organisations founded without a supporter; else a Supporter value.
    supporter: str | None = None
    union_member: bool | None = None
    show_archived: bool = False
    existing_in: int | None = None
    sort: str = DEFAULT_SORT
    # The organisations behind a figure of the dashboard (indicators.population): an indicator, the
    # part of it (population or numerator) and its year, or years for a flow added up over years.
    indicator: Any = None  # an indicators.models.Indicator
    part: str = "population"
    year: int | None = None  # also: `status` is then the status in force on 31/12 of that year
    first_year: int | None = None
    ended_in: int | None = None


@dataclass(frozen=True)
class ListCounts:
    total: int
    by_kind: list[tuple[str, str, int]] = field(default_factory=list)  # (value, label, count), non-zero
    by_status: list[tuple[str, str, int]] = field(default_factory=list)


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    fields = SORTS.get(key, SORTS[DEFAULT_SORT])
    # Missing codes, dates and communes go last in both directions; the name, then the id, break
    # ties so that pagination is stable.
    order = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields]
    return [*order, "name_folded", "id"]


def apply_filters(qs: QuerySet[Organisation], f: OrganisationFilters) -> QuerySet[Organisation]:
    """Narrow `qs` by the filters (no ordering, no select_related: counts reuse it)."""
    if not f.show_archived:
        qs = qs.filter(archived=False)
    if f.q.strip():
        words = fold(f.q).split()
        name_q = Q()
        for word in words:
            name_q &= Q(name_folded__contains=word)
        qs = qs.filter(name_q | Q(code__icontains=f.q.strip()))
    if f.unit is not None:
        qs = qs.filter(access.unit_scope_q(f.unit))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.sector is not None:
        # A top-level sector's organisations carry it in `sector` whatever their sub-sector.
        qs = qs.filter(Q(sector=f.sector) | Q(subsector=f.sector))
    if f.status and f.year is not None:
        from hoptac.indicators.engine import status_at_year_end

        qs = qs.annotate(_status_on_31_12=status_at_year_end(f.year)).filter(_status_on_31_12=f.status)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.ended_in is not None:
        qs = qs.filter(
            ended_on__gte=datetime.date(f.ended_in, 1, 1), ended_on__lte=datetime.date(f.ended_in, 12, 31)
        )
    if f.indicator is not None and f.year is not None:
        from hoptac.indicators.population import population

        behind = population(f.indicator, f.unit, f.year, part=f.part, first_year=f.first_year)
        qs = qs.filter(pk__in=behind.values("pk"))
    if f.founded_from is not None:
        qs = qs.filter(founded_on__gte=datetime.date(f.founded_from, 1, 1))
    if f.founded_to is not None:
        qs = qs.filter(founded_on__lte=datetime.date(f.founded_to, 12, 31))
    if f.supporter is not None:
        qs = qs.filter(supporter=f.supporter)
    if f.union_member is not None:
        qs = qs.filter(union_member=f.union_member)
    if f.existing_in is not None:
        qs = qs.existing_on(datetime.date(f.existing_in, 12, 31))
    return qs


def organisation_list_queryset(
    user: User, params: OrganisationFilters | Mapping[str, str]
) -> QuerySet[Organisation]:
    """The organisations `user` may see, filtered and sorted as `params` says, ready to page or export.

    `params` is either validated filters or the raw query string (a QueryDict or dict), which is then
    validated by the filter form: invalid values are dropped, never trusted. The rows carry their
    sector, sub-sector and communes, so a page costs one query whatever its length.
    """
    filters = params if isinstance(params, OrganisationFilters) else _filters_from_mapping(user, params)
    qs = apply_filters(access.visible_organisations(user), filters)
    return qs.select_related(*LIST_RELATED).order_by(*_ordering(filters.sort))


def _filters_from_mapping(user: User, params: Mapping[str, str]) -> OrganisationFilters:
    from .filters import OrganisationFilterForm

    return OrganisationFilterForm(params, user=user).filters()


def organisation_counts(qs: QuerySet[Organisation]) -> ListCounts:
    """Total, and counts by kind and by status, of a filtered list, in one grouped query."""
    by_kind: dict[str, int] = {}
    by_status: dict[str, int] = {}
    total = 0
    rows = qs.order_by().values_list("kind", "status").annotate(n=Count("pk"))
    for kind, status, n in rows:
        total += n
        by_kind[kind] = by_kind.get(kind, 0) + n
        by_status[status] = by_status.get(status, 0) + n
    return ListCounts(
        total=total,
        by_kind=[(v, str(label), by_kind[v]) for v, label in Kind.choices if by_kind.get(v)],
        by_status=[(v, str(label), by_status[v]) for v, label in Status.choices if by_status.get(v)],
    )
