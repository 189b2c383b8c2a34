"""Reads that span tables: breakdowns of the organisations of a unit at the end of a year (seed 003).

    from hoptac.indicators.queries import breakdown

    b = breakdown(than_uyen_district, 2023, by="sector", kind="htx")
    b.total, [(r.key, r.label, r.count, r.share) for r in b.rows]
    b.as_dict()   # {"unit": "legacy-district:110", "year": 2023, "total": 71, "rows": [...]}

The organisations counted are those existing on 31/12 of the year (founded by then, or without a
founding date, and not ended by then), archived ones left out, under the unit as the engine reads
it (current units by `current_path`, legacy units by `legacy_path`). Two queries at most, whatever
the number of organisations.

Scope: these functions take a unit, not a user. A view or an endpoint checks first that the user may
see the unit with `ensure_unit_visible`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import User
from hoptac.registry.models import Kind, Organisation, Sector, Status
from hoptac.units.models import Unit

from .engine import status_at_year_end

BY_CHOICES = ("sector", "status", "commune", "kind", "founding_year")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class BreakdownRow:
    key: Any  # a sector code, status, unit key, kind, or a year (int); None for "unknown"
    label: str
    count: int
    share: Decimal  # percent of the total, rounded half up to 0.01


@dataclass(frozen=True)
class Breakdown:
    unit: Unit
    year: int
    by: str
    total: int
    rows: list[BreakdownRow]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `hoptac breakdown --format json` (shares as numbers, 2 decimals)."""
        return {
            "unit": self.unit.key,
            "year": self.year,
            "total": self.total,
            "rows": [
                {"key": r.key, "label": r.label, "count": r.count, "share": float(r.share)} for r in self.rows
            ],
        }


def ensure_unit_visible(user: User, unit: Unit) -> None:
    """Http404, as for a missing unit, unless `user` may read the figures of `unit`."""
    if not access.visible_units(user).filter(pk=unit.pk).exists():
        raise Http404


def organisations_at_year_end(unit: Unit, year: int, *, kind: str | None = None) -> QuerySet[Organisation]:
    """The organisations under `unit` existing on 31/12 of `year` (archived ones left out)."""
    qs = (
        Organisation.objects.filter(archived=False)
        .filter(access.unit_scope_q(unit))
        .existing_on(datetime.date(year, 12, 31))
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def breakdown(unit: Unit, year: int, *, by: str, kind: str | None = None) -> Breakdown:
    """Counts and shares of the organisations existing at the end of `year` under `unit`, by `by`:

    - sector: the top-level sector (in the sectors' order);
    - status: the status in force on 31/12, read from the status history (in the statuses' order);
    - commune: the commune of the unit's era (legacy communes for a legacy unit), in path order;
      organisations registered at a district or province only make a row of that unit;
    - kind: THT, HTX, LHHTX, people's credit fund;
    - founding_year: the year of the founding date, oldest first (unknown last).
    """
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES}")
    qs = organisations_at_year_end(unit, year, kind=kind)
    if by == "sector":
        counts = dict(qs.values_list("sector_id").annotate(n=Count("pk")).order_by())
        sectors = Sector.objects.filter(pk__in=counts)
        rows = [BreakdownRow(s.code, s.label, counts[s.pk], Decimal(0)) for s in sectors]  # ordered by Meta
    elif by == "status":
        counts = dict(
            qs.annotate(st=status_at_year_end(year)).values_list("st").annotate(n=Count("pk")).order_by()
        )
        rows = [
            BreakdownRow(s.value, str(s.label), counts[s.value], Decimal(0))
            for s in Status
            if s.value in counts
        ]
        rows += [BreakdownRow(k, str(k), n, Decimal(0)) for k, n in counts.items() if k not in Status.values]
    elif by == "kind":
        counts = dict(qs.values_list("kind").annotate(n=Count("pk")).order_by())
        rows = [
            BreakdownRow(k.value, str(k.label), counts[k.value], Decimal(0))
            for k in Kind
            if k.value in counts
        ]
    elif by == "founding_year":
        counts = dict(
            qs.annotate(y=ExtractYear("founded_on")).values_list("y").annotate(n=Count("pk")).order_by()
        )
        rows = [
            BreakdownRow(y, str(y), counts[y], Decimal(0)) for y in sorted(y for y in counts if y is not None)
        ]
        if None in counts:
            rows.append(BreakdownRow(None, _("Unknown founding date"), counts[None], Decimal(0)))
    else:
        field = "legacy_path" if unit.is_legacy else "current_path"
        counts = dict(qs.values_list(field).annotate(n=Count("pk")).order_by())
        places = {u.path: u for u in Unit.objects.filter(path__in=[p for p in counts if p])}
        rows = []
        for path in sorted(p for p in counts if p):
            place = places.get(path)
            rows.append(
                BreakdownRow(
                    place.key if place else path, place.name if place else path, counts[path], Decimal(0)
                )
            )
        if counts.get("") or counts.get(None):
            rows.append(
                BreakdownRow(
                    None, _("No commune recorded"), counts.get("", 0) + counts.get(None, 0), Decimal(0)
                )
            )
    total = sum(r.count for r in rows)
    rows = [
        BreakdownRow(r.key, r.label, r.count, (Decimal(r.count) * 100 / total).quantize(CENT, ROUND_HALF_UP))
        for r in rows
    ]
    return Breakdown(unit=unit, year=year, by=by, total=total, rows=rows)
