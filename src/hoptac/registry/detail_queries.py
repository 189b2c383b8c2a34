"""Reads behind an organisation's page: its places, status history, change history and union links.

A fixed number of queries whatever the length of the histories: the historical records, the status
changes and the memberships come in one query each, and every unit and sector they name in one more.
"""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import F
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import User
from hoptac.units.models import Unit

from .models import Kind, Organisation, Sector, StatusChange, UnionMembership

# Derived by the services from `unit`, or bookkeeping: showing them would repeat the commune change.
_HIDDEN_IN_HISTORY = {"id", "created_at", "current_commune", "legacy_commune"}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime.datetime
    user: User | None
    created: bool
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


@dataclass(frozen=True)
class Places:
    """Where an organisation is: the unit as entered, and the current and legacy communes it resolves to."""

    unit: Unit
    current_commune: Unit | None
    legacy_commune: Unit | None


def _tracked_fields() -> list[models.Field]:
    history_model = Organisation.history.model
    return [f for f in history_model.tracked_fields if f.name not in _HIDDEN_IN_HISTORY]


def _display(model_field: models.Field, value: Any, sectors: dict, units: dict) -> str:
    """A historical value as the page shows it: labels for choices and links, local dates and numbers."""
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = (sectors if model_field.related_model is Sector else units).get(value)
        if related is None:
            return f"#{value}"
        return related.label_with_parents() if isinstance(related, Unit) else related.label
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, decimal.Decimal):
        return floatformat(value, "-1g")
    return str(value)


def _diff(previous: Any, record: Any, fields: list[models.Field]) -> list[tuple[models.Field, Any, Any]]:
    """(field, old, new) for each field that differs between two historical records, ids for links.

    Not HistoricalChanges.diff_against: it reads records through model_to_dict, which skips the
    fields that are not editable in forms, and the end date (`ended_on`) is one of them.
    """
    return [
        (f, getattr(previous, f.attname), getattr(record, f.attname))
        for f in fields
        if getattr(previous, f.attname) != getattr(record, f.attname)
    ]


def change_history(org: Organisation, units: dict[int, Unit] | None = None) -> list[HistoryEntry]:
    """Every recorded version of `org`, newest first, each with who, when and which fields changed old → new.

    `units` may already hold units the caller loaded; the others named by the history are fetched
    in one query, and the sectors in one more.
    """
    records = list(org.history.select_related("history_user").order_by("history_date", "history_id"))
    fields = _tracked_fields()
    diffs = [
        _diff(previous, record, fields) if previous is not None else None
        for previous, record in zip([None, *records[:-1]], records, strict=True)
    ]
    sector_ids, unit_ids = set(), set()
    for diff in diffs:
        for f, old, new in diff or ():
            if isinstance(f, models.ForeignKey):
                (sector_ids if f.related_model is Sector else unit_ids).update(v for v in (old, new) if v)
    units = dict(units or {})
    missing = unit_ids - set(units)
    if missing:
        units.update(Unit.objects.select_related("parent__parent").in_bulk(missing))
    sectors = Sector.objects.in_bulk(sector_ids) if sector_ids else {}
    entries = []
    for record, diff in zip(records, diffs, strict=True):
        # A save that changed nothing the page shows (only derived paths) is not worth a row.
        if diff is not None and not diff and not record.history_change_reason:
            continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                created=record.history_type == "+",
                reason=record.history_change_reason or "",
                changes=[
                    FieldChange(
                        label=capfirst(str(f.verbose_name)),
                        old=_display(f, old, sectors, units),
                        new=_display(f, new, sectors, units),
                    )
                    for f, old, new in diff or ()
                ],
            )
        )
    entries.reverse()
    return entries


def organisation_page(org: Organisation, user: User) -> dict[str, Any]:
    """Everything the organisation page shows besides `org` itself."""
    unit_ids = {i for i in (org.unit_id, org.current_commune_id, org.legacy_commune_id) if i}
    units = Unit.objects.select_related("parent__parent").in_bulk(unit_ids)
    places = Places(
        unit=units[org.unit_id],
        current_commune=units.get(org.current_commune_id),
        legacy_commune=units.get(org.legacy_commune_id),
    )
    status_changes = list(
        StatusChange.objects.filter(organisation=org)
        .select_related("recorded_by")
        .order_by("effective_on", "id")
    )
    memberships: list[UnionMembership] = []
    if org.kind == Kind.LHHTX:
        memberships = list(
            org.memberships.select_related("member").order_by(
                F("left_on").asc(nulls_first=True), "member__name", "pk"
            )
        )
        linked = [m.member_id for m in memberships]
    else:
        memberships = list(
            org.unions.select_related("union").order_by(
                F("left_on").asc(nulls_first=True), "union__name", "pk"
            )
        )
        linked = [m.union_id for m in memberships]
    # The other side of a membership may lie outside the user's area: named, but not linked.
    visible_ids = (
        set(access.visible_organisations(user).filter(pk__in=linked).values_list("pk", flat=True))
        if linked
        else set()
    )
    return {
        "places": places,
        "status_changes": status_changes,
        "history": change_history(org, units),
        "memberships": memberships,
        "visible_ids": visible_ids,
        "is_union": org.kind == Kind.LHHTX,
        "can_join_union": org.kind in (Kind.HTX, Kind.QTDND),
    }
