"""The registry import: a user's sheet of organisations in, created or updated, all or nothing.

Each data row creates an organisation or updates the one it names: by cooperative code, else by
name and commune. Blank cells leave the existing facts as they are. Every row is checked first with
the rules of `hoptac.registry.services` (founding date not in the future, capital not negative, no
code twice, a cooperative group is no union member, no legacy commune after the reform, a dissolution
after the founding and not in the future, a status change no earlier than the last one, no change
once ended, scope), and every error is collected. If there is any, nothing is written. Otherwise
everything is written in one transaction with bulk statements (organisations with their history,
status changes), so that 100,000 rows take seconds, not hours.

The per-object services are not called row by row: they cost several queries each. This module
applies the same rules to the whole file at once, from lookups loaded beforehand (units, sectors,
the existing organisations the file names), and writes what `organisation_create`,
`organisation_update` and `organisation_change_status` would have written.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from hoptac.registry.models import Kind, Organisation, Status, StatusChange, UnionMembership
from hoptac.units.models import LEGACY_END, Unit

from . import bulk
from .columns import REGISTRY_FIELDS, data_rows
from .places import Location, Placement
from .reader import ImportFileError, Workbook
from .sheet import (
    CHUNK,
    ImportIssue,
    ImportResult,
    Progress,
    RowAction,
    SheetImport,
    chunks,
    money_scale,
    parse_code,
)
from .values import (
    CellError,
    SectorLookup,
    as_text,
    guess_kind,
    parse_bool,
    parse_date,
    parse_number,
    parse_text,
    parse_year,
    vocabulary,
)

MEMBER_KINDS = (Kind.HTX, Kind.QTDND)
ENDED = frozenset(Status.ended())


@dataclass(slots=True)
class _Row:
    number: int
    cells: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    failed: set[str] = field(default_factory=set)  # fields whose cell could not be read
    org: Organisation | None = None  # the existing organisation this row updates
    target: Organisation | None = None  # the organisation as it will be written
    location: Location | None = None
    changes: list[str] = field(default_factory=list)
    status_change: tuple[str, datetime.date, str] | None = None
    action: str = ""
    ok: bool = True


class _ReadBack(Exception):
    """The registry changed between the check and the write."""


class RegistryImport(SheetImport):
    """One registry import of one file by one user. `check()` and `run()` give an ImportResult."""

    fieldset = REGISTRY_FIELDS

    def __init__(self, workbook: Workbook, **kwargs: Any):
        super().__init__(workbook, **kwargs)
        self.today = timezone.localdate()

    @classmethod
    def missing_columns(cls, fields: set[str]) -> str:
        if "name" not in fields:
            return _("No column holds the organisations' names: map one to the field “Name”.")
        return ""

    def _run_all(self, *, write: bool) -> ImportResult:
        result = ImportResult(layout=self.layout)
        self._issues = result.errors
        rows = [_Row(number, cells) for number, cells in data_rows(self.layout, REGISTRY_FIELDS)]
        if not rows:
            raise ImportFileError(_("The file has no rows of data under its headers."))
        result.rows = len(rows)
        self.sectors = SectorLookup()
        self._setup_places()
        self._prepare_parsers()
        for i, row in enumerate(rows):
            self._parse(row)
            if i % 1000 == 999:
                self.progress("checking", (i + 1) // 2, len(rows))
        self._match(rows)
        for i, row in enumerate(rows):
            self._plan(row)
            if i % 1000 == 999:
                self.progress("checking", (len(rows) + i + 1) // 2, len(rows))
        self._check_against_history(rows)
        self._check_duplicates(rows)
        self.progress("checking", len(rows), len(rows))
        for row in rows:
            if row.ok and row.action:
                result.actions.append(
                    RowAction(row.number, row.action, row.target.name, row.target.code or "", row.changes)
                )
        result.errors.sort(key=lambda e: (e.row or 0, e.col_index if e.col_index is not None else -1))
        if result.errors:
            return result
        result.count_actions()
        if write:
            self.progress("writing", len(rows), len(rows))
            try:
                self._write(rows)
            except (_ReadBack, IntegrityError):
                result.errors.append(
                    ImportIssue(
                        None,
                        "",
                        "",
                        "",
                        _(
                            "The registry changed while the file was being imported; nothing was written. Try again."
                        ),
                    )
                )
                return result
            result.written = True
        return result

    def _parsers(self) -> dict[str, tuple[Callable[[Any], Any], bool]]:
        """field → (parser, whether its results are worth caching by cell value)."""
        sector_lookup = self.sectors.lookup
        today = self.today

        def sub(value):
            sector, subsector = sector_lookup(value)
            if subsector is None:
                raise CellError(_("“%(value)s” is a sector, not a sub-sector.") % {"value": as_text(value)})
            return sector, subsector

        def email(value):
            text = parse_text(value, max_length=254)
            try:
                validate_email(text)
            except ValidationError:
                raise CellError(_("“%(value)s” is not an e-mail address.") % {"value": text}) from None
            return text

        scale = self._capital_scale
        tenth, limit = Decimal("0.1"), Decimal(10) ** 13  # built once: amounts are mostly distinct

        def capital(value):
            number = parse_number(value) * scale
            number = number.quantize(tenth, rounding=ROUND_HALF_UP)
            if abs(number) >= limit:
                raise CellError(_("“%(value)s” is too large.") % {"value": as_text(value)})
            return number

        return {
            "code": (parse_code, False),
            "name": (lambda v: parse_text(v, max_length=255), False),
            "kind": (vocabulary("kind").lookup, True),
            "sector": (sector_lookup, True),
            "subsector": (sub, True),
            "commune": (lambda v: parse_text(v, max_length=120), True),
            "legacy_commune": (lambda v: parse_text(v, max_length=120), True),
            "district": (lambda v: parse_text(v, max_length=120), True),
            "province": (lambda v: parse_text(v, max_length=120), True),
            "address": (lambda v: parse_text(v, max_length=255), False),
            "phone": (lambda v: parse_text(v, max_length=40), False),
            "email": (email, False),
            "representative": (lambda v: parse_text(v, max_length=120), False),
            "founded_on": (lambda v: parse_date(v, today=today), True),
            "founded_year": (parse_year, True),
            "law": (vocabulary("law").lookup, True),
            "charter_capital": (capital, True),
            "supporter": (vocabulary("supporter").lookup, True),
            "union_member": (parse_bool, True),
            "status": (vocabulary("status").lookup, True),
            "ended_on": (lambda v: parse_date(v, today=today), True),
            "decision_number": (lambda v: parse_text(v, max_length=80), False),
            "notes": (parse_text, False),
        }

    @property
    def _capital_scale(self) -> Decimal:
        column = self.columns.get("charter_capital")
        return money_scale(column.header if column else "")

    # --- one row -----------------------------------------------------------------------------------

    def _plan(self, row: _Row) -> None:
        v = row.values
        if "name" not in v:
            if "name" not in row.failed:
                self._error(row, "name", _("The name is missing."))
            return
        name = v["name"]
        code = v.get("code")
        org = self.by_code.get(code) if code else None
        if org is not None and not self._in_scope(org):
            self._error(
                row,
                "code",
                _("Another organisation, outside your area, already has the code %(code)s.") % {"code": code},
            )
            return

        founded = v.get("founded_on")
        year_only = False
        if founded is None and "founded_year" in v:
            founded, year_only = datetime.date(v["founded_year"], 1, 1), True
        ended = v.get("ended_on")
        if founded is not None and founded > self.today:
            key = "founded_on" if "founded_on" in v else "founded_year"
            self._error(row, key, _("The founding date cannot be in the future."))
            return

        placement = self._place(row, org, founded, ended)
        if placement is False:
            return
        if org is None:
            org = self._match_by_name(row, name, code, placement)
            if org is False:
                return
        # The era rule needs the organisation's own dates when the file gives none.
        if (
            org is not None
            and placement is not None
            and not (founded or ended)
            and (org.founded_on or org.ended_on)
        ):
            placement = self._place(row, org, founded, ended)
            if placement is False:
                return
        row.org = org
        if org is None:
            self._plan_create(row, name, code, founded, ended, placement)
        else:
            self._plan_update(row, org, name, code, founded, year_only, ended, placement)

    def _location_for(self, row: _Row, placement: Placement) -> Location | None:
        location, allowed = self._located(placement.unit.id)
        if not allowed:
            key = (
                "commune" if "commune" in self.columns else "district" if "district" in self.columns else None
            )
            if placement.unit.level == Unit.Level.DISTRICT:
                message = _(
                    "Only the former district %(name)s is given, which places the organisation outside "
                    "your area: give its commune or ward."
                ) % {"name": placement.unit.name}
            else:
                message = _("%(name)s is outside your area.") % {"name": placement.unit.name}
            self._error(row, key, message)
            return None
        return location

    def _plan_create(self, row: _Row, name, code, founded, ended, placement: Placement | None) -> None:
        v = row.values
        if placement is None:
            key = "commune" if "commune" in self.columns else "address" if "address" in self.columns else None
            self._error(row, key, _("The commune or ward is missing."))
            return
        location = self._location_for(row, placement)
        if location is None:
            return
        sector, subsector = self._sector_pair(row, None)
        if sector is None:
            if "sector" not in row.failed and "subsector" not in row.failed:
                self._error(row, "sector", _("The sector is missing: a new organisation needs one."))
            return
        kind = v.get("kind") or guess_kind(name) or Kind.HTX
        org = _new_organisation(
            code=code,
            name=name,
            name_folded=v["name_folded"],
            kind=kind,
            sector_id=sector.pk,
            subsector_id=subsector.pk if subsector else None,
            address=v.get("address", ""),
            phone=v.get("phone", ""),
            email=v.get("email", ""),
            representative=v.get("representative", ""),
            founded_on=founded,
            law=v.get("law", ""),
            charter_capital=v.get("charter_capital"),
            supporter=v.get("supporter", ""),
            union_member=v.get("union_member", False),
            notes=v.get("notes", ""),
            # The location with the rest: a new instance has no related object cached to forget,
            # which is all that _apply_location does more.
            unit_id=location.unit_id,
            current_commune_id=location.current_commune_id,
            legacy_commune_id=location.legacy_commune_id,
            current_path=location.current_path,
            legacy_path=location.legacy_path,
        )
        row.target, row.location, row.action = org, location, "create"
        self._check_rules(row, org)
        status = self._status(row, None, founded, ended)
        if status is not None:
            org.status = status[0]
            org.ended_on = status[1] if status[0] in ENDED else None
            if status[0] != Status.ACTIVE:
                row.status_change = status

    def _plan_update(self, row: _Row, org, name, code, founded, year_only, ended, placement) -> None:
        v = row.values
        target = _copy(org)
        changes = row.changes

        def put(attr, value, key=None):
            if getattr(target, attr) != value:
                setattr(target, attr, value)
                changes.append(key or attr)

        if name != org.name:
            put("name", name)
            target.name_folded = v["name_folded"]
        if code and not org.code:
            put("code", code)
        if "kind" in v:
            put("kind", v["kind"])
        sector, subsector = self._sector_pair(row, org)
        if sector is not None:
            put("sector_id", sector.pk, "sector")
            keep_sub = subsector.pk if subsector else (org.subsector_id if _sub_fits(org, sector) else None)
            put("subsector_id", keep_sub, "subsector")
        for key in (
            "address",
            "phone",
            "email",
            "representative",
            "law",
            "supporter",
            "union_member",
            "notes",
        ):
            if key in v:
                put(key, v[key])
        if "charter_capital" in v:
            put("charter_capital", v["charter_capital"])
        if founded is not None and not (year_only and org.founded_on and org.founded_on.year == founded.year):
            put("founded_on", founded)
        location = Location(
            org.unit_id, org.current_commune_id, org.legacy_commune_id, org.current_path, org.legacy_path
        )
        if placement is not None and org.unit_id not in placement.acceptable:
            location = self._location_for(row, placement)
            if location is None:
                return
            _apply_location(target, location)
            changes.append("unit")
        row.target, row.location = target, location
        self._check_rules(row, target)
        status = self._status(row, org, target.founded_on, ended)
        if status is not None and status[0] != org.status:
            target.status = status[0]
            target.ended_on = status[1] if status[0] in ENDED else None
            row.status_change = status
            changes.append("status")
        row.action = "update" if changes else "unchanged"

    def _sector_pair(self, row: _Row, org):
        v = row.values
        sector, subsector = v.get("sector", (None, None))
        if "subsector" in v:
            sub_parent, sub = v["subsector"]
            if sector is not None and sub_parent.pk != sector.pk:
                self._error(row, "subsector", _("This sub-sector does not belong to the chosen sector."))
                return None, None
            sector, subsector = sub_parent, sub
        return sector, subsector

    def _check_rules(self, row: _Row, org: Organisation) -> None:
        """registry.services._clean's rules that the cells alone do not already enforce."""
        if org.founded_on and org.founded_on > self.today:
            key = "founded_on" if "founded_on" in row.values else "founded_year"
            self._error(row, key, _("The founding date cannot be in the future."))
        if org.charter_capital is not None and org.charter_capital < 0:
            self._error(row, "charter_capital", _("Charter capital cannot be negative."))
        if org.union_member and org.kind == Kind.THT:
            self._error(
                row, "union_member", _("A cooperative group cannot be a member of the cooperative union.")
            )
        unit = self.places.units[org.unit_id]
        if unit.is_legacy and org.founded_on and org.founded_on > LEGACY_END:
            key = "commune" if "commune" in self.columns else "legacy_commune"
            self._error(
                row,
                key,
                _(
                    "%(unit)s ceased to exist on 30/06/2025, before the founding date: "
                    "choose the current commune or ward."
                )
                % {"unit": unit.name},
            )

    def _status(self, row: _Row, org, founded, ended) -> tuple[str, datetime.date, str] | None:
        """(status, effective date, decision number) the row asks for, or None to leave the status be."""
        v = row.values
        if "status" in row.failed or "ended_on" in row.failed:
            return None
        status = v.get("status")
        decision = v.get("decision_number", "")
        if ended is not None and status is None:
            status = Status.DISSOLVED
        if status is None:
            return None
        if ended is not None and status not in ENDED:
            self._error(
                row,
                "ended_on",
                _("A date of dissolution is given, but the status is “%(status)s”.")
                % {"status": Status(status).label},
            )
            return None
        if ended is not None and ended > self.today:
            self._error(row, "ended_on", _("The date of dissolution cannot be in the future."))
            return None
        if ended is not None and founded and ended < founded:
            self._error(
                row,
                "ended_on",
                _("The organisation cannot end before it was founded (%(date)s).")
                % {"date": founded.strftime("%d/%m/%Y")},
            )
            return None
        if org is not None and status == org.status:
            if status in ENDED and ended is not None and org.ended_on and ended != org.ended_on:
                self._error(
                    row,
                    "ended_on",
                    _("This organisation ended on %(date)s; the file gives %(file_date)s.")
                    % {"date": org.ended_on.strftime("%d/%m/%Y"), "file_date": ended.strftime("%d/%m/%Y")},
                )
            return None
        if org is not None and org.status in ENDED:
            self._error(row, "status", _("This organisation has already ended; its status cannot change."))
            return None
        if status in ENDED and ended is None:
            key = "ended_on" if "ended_on" in self.columns else "status"
            self._error(row, key, _("The date of the dissolution, bankruptcy or termination is missing."))
            return None
        effective = ended if status in ENDED else self.today
        return status, effective, decision

    # --- rules that need the history of existing organisations -------------------------------------

    def _check_against_history(self, rows: list[_Row]) -> None:
        """A new founding date no later than the first change after registration; a new status no
        earlier than the last recorded change; a kind change that memberships allow."""
        updated = [r for r in rows if r.ok and r.action == "update"]
        founding = {r.org.pk: r for r in updated if "founded_on" in r.changes}
        status = {r.org.pk: r for r in updated if r.status_change}
        kinds = {r.org.pk: r for r in updated if "kind" in r.changes}
        self._registrations: dict[int, StatusChange] = {}
        if founding:
            changes: dict[int, list[StatusChange]] = {}
            for pk_chunk in chunks(list(founding)):
                for change in StatusChange.objects.filter(organisation_id__in=pk_chunk).order_by(
                    "organisation_id", "effective_on", "id"
                ):
                    changes.setdefault(change.organisation_id, []).append(change)
            for pk, row in founding.items():
                self._check_founding(row, changes.get(pk, []))
        if status:
            latest = {}
            for pk_chunk in chunks(list(status)):
                latest.update(
                    StatusChange.objects.filter(organisation_id__in=pk_chunk)
                    .values("organisation_id")
                    .annotate(last=Max("effective_on"))
                    .values_list("organisation_id", "last")
                )
            for pk, row in status.items():
                last = latest.get(pk)
                effective = row.status_change[1]
                if last and effective < last:
                    key = "ended_on" if row.status_change[0] in ENDED else "status"
                    self._error(
                        row,
                        key,
                        _("The date is before the latest recorded change (%(date)s).")
                        % {"date": last.strftime("%d/%m/%Y")},
                    )
        if kinds:
            unions, members = set(), set()
            for pk_chunk in chunks(list(kinds)):
                active = UnionMembership.objects.filter(left_on__isnull=True)
                unions |= set(active.filter(union_id__in=pk_chunk).values_list("union_id", flat=True))
                members |= set(active.filter(member_id__in=pk_chunk).values_list("member_id", flat=True))
            for pk, row in kinds.items():
                if pk in unions and row.target.kind != Kind.LHHTX:
                    self._error(
                        row,
                        "kind",
                        _("This union still has member cooperatives: end their memberships first."),
                    )
                if pk in members and row.target.kind not in MEMBER_KINDS:
                    self._error(
                        row,
                        "kind",
                        _(
                            "This organisation is a member of a union of cooperatives, which only cooperatives "
                            "and people's credit funds can be: end the membership first."
                        ),
                    )

    def _check_founding(self, row: _Row, changes: list[StatusChange]) -> None:
        org, target = row.org, row.target
        first = changes[0] if changes else None
        is_registration = (
            first is not None
            and first.status == Status.ACTIVE
            and (org.founded_on is None or first.effective_on == org.founded_on)
        )
        later = changes[1:] if is_registration else changes
        key = "founded_on" if "founded_on" in row.values else "founded_year"
        if target.founded_on and later and target.founded_on > later[0].effective_on:
            self._error(
                row,
                key,
                _("The founding date is after the status change of %(date)s (%(status)s).")
                % {
                    "date": later[0].effective_on.strftime("%d/%m/%Y"),
                    "status": later[0].get_status_display(),
                },
            )
            return
        if target.founded_on and target.ended_on and target.founded_on > target.ended_on:
            self._error(row, key, _("The founding date is after the organisation ended."))
            return
        if is_registration and target.founded_on:
            self._registrations[org.pk] = first

    def _check_duplicates(self, rows: list[_Row]) -> None:
        codes: dict[str, int] = {}
        orgs: dict[int, int] = {}
        places: dict[tuple[str, int], int] = {}
        for row in rows:
            code = row.values.get("code")
            if code:
                if code in codes:
                    self._error(
                        row,
                        "code",
                        _("The code %(code)s is also on row %(row)d.") % {"code": code, "row": codes[code]},
                    )
                else:
                    codes[code] = row.number
            if row.org is not None:
                if row.org.pk in orgs:
                    self._error(
                        row,
                        "name",
                        _("Row %(row)d already names this organisation.") % {"row": orgs[row.org.pk]},
                    )
                else:
                    orgs[row.org.pk] = row.number
            elif row.target is not None and not code:
                key = (row.target.name_folded, row.location.current_commune_id or row.location.unit_id)
                if key in places:
                    self._error(
                        row,
                        "name",
                        _("Row %(row)d has the same name in the same commune; give each its code.")
                        % {"row": places[key]},
                    )
                else:
                    places[key] = row.number

    # --- writing -----------------------------------------------------------------------------------

    def _write(self, rows: list[_Row]) -> None:
        creates = [r for r in rows if r.action == "create"]
        updates = [r for r in rows if r.action == "update"]
        actor = self.actor if self.actor is not None and self.actor.pk else None
        actor_id = actor.pk if actor is not None else None
        reason = _("Imported from %(file)s") % {"file": self.source} if self.source else _("Imported")
        now = timezone.now()
        with transaction.atomic():
            self._lock_unchanged(updates)
            bulk.insert_with_history(
                Organisation, [r.target for r in creates], now=now, user=actor, reason=reason
            )
            if updates:
                fields = {"updated_at"}
                for r in updates:
                    r.target.updated_at = now
                    for change in r.changes:
                        fields.update(_CHANGED_FIELDS.get(change, (change,)))
                bulk_update_with_history(
                    [r.target for r in updates],
                    Organisation,
                    sorted(fields),
                    batch_size=CHUNK,
                    default_user=actor,
                    default_change_reason=reason[:100],
                    default_date=now,
                )
            # Status changes as plain rows: the registration of every new organisation, dated from its
            # founding (as organisation_create writes it), then the statuses the file gives.
            registered = _("Registered")
            names = (
                "organisation_id",
                "status",
                "effective_on",
                "decision_number",
                "reason",
                "recorded_by_id",
                "recorded_at",
            )
            changes = [
                (r.target.pk, Status.ACTIVE, r.target.founded_on or self.today, "", registered, actor_id, now)
                for r in creates
            ]
            for r in (*creates, *updates):
                if r.status_change:
                    status, effective, decision = r.status_change
                    changes.append((r.target.pk, status, effective, decision, reason, actor_id, now))
            bulk.insert_rows(StatusChange, names, changes)
            moved = []
            for r in updates:
                entry = self._registrations.get(r.org.pk)
                if entry is not None and "founded_on" in r.changes:
                    entry.effective_on = r.target.founded_on
                    moved.append(entry)
            if moved:
                StatusChange.objects.bulk_update(moved, ["effective_on"], batch_size=CHUNK)

    def _lock_unchanged(self, updates: list[_Row]) -> None:
        """Lock the organisations to update, and stop if any changed since they were read."""
        seen = {r.org.pk: r.org.updated_at for r in updates}
        for pk_chunk in chunks(list(seen)):
            for pk, updated_at in (
                Organisation.objects.select_for_update()
                .filter(pk__in=pk_chunk)
                .values_list("pk", "updated_at")
            ):
                if updated_at != seen[pk]:
                    raise _ReadBack
            # A row deleted meanwhile is caught by the count.
            if Organisation.objects.filter(pk__in=pk_chunk).count() != len(pk_chunk):
                raise _ReadBack


# A change (as RowAction.changes names it) → the model fields bulk_update must write.
_CHANGED_FIELDS = {
    "name": ("name", "name_folded"),
    "sector_id": ("sector",),
    "subsector_id": ("subsector",),
    "sector": ("sector",),
    "subsector": ("subsector",),
    "unit": ("unit", "current_commune", "legacy_commune", "current_path", "legacy_path"),
    "status": ("status", "ended_on"),
}


def _apply_location(org: Organisation, location: Location) -> None:
    # Straight into __dict__: the foreign-key descriptors' checks cost more than the rest of a row.
    org.__dict__.update(
        unit_id=location.unit_id,
        current_commune_id=location.current_commune_id,
        legacy_commune_id=location.legacy_commune_id,
        current_path=location.current_path,
        legacy_path=location.legacy_path,
    )
    for relation in ("unit", "current_commune", "legacy_commune"):
        org._state.fields_cache.pop(relation, None)


def _new_organisation(**values: Any) -> Organisation:
    return bulk.new(Organisation, **values)


def _copy(org: Organisation) -> Organisation:
    clone = Organisation()
    clone.__dict__.update({k: v for k, v in org.__dict__.items() if k != "_state"})
    clone._state.adding = False
    clone._state.db = org._state.db
    return clone


def _sub_fits(org: Organisation, sector) -> bool:
    return bool(org.subsector_id) and org.sector_id == sector.pk


def import_registry(
    workbook: Workbook,
    *,
    actor=None,
    mapping: dict[str, str] | None = None,
    area: Unit | None = None,
    dry_run: bool = False,
    source: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Import a registry workbook (see RegistryImport): check only with dry_run, else check and write."""
    job = RegistryImport(workbook, actor=actor, mapping=mapping, area=area, source=source, progress=progress)
    return job.check() if dry_run else job.run()
