"""Every write to the registry. The web forms, the imports, the admin and the API call these."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import User
from hoptac.core.text import fold
from hoptac.units.models import Unit
from hoptac.units.services import current_successor, legacy_predecessor

from .models import Kind, Organisation, Status, StatusChange

ORGANISATION_FIELDS = (
    "code",
    "name",
    "kind",
    "sector",
    "subsector",
    "unit",
    "address",
    "phone",
    "email",
    "representative",
    "founded_on",
    "law",
    "charter_capital",
    "supporter",
    "union_member",
    "notes",
)


def resolve_location(org: Organisation) -> None:
    """Fill the current and legacy communes and their paths from `org.unit`.

    A legacy commune resolves to its main successor; a current one to the legacy commune it mostly
    came from. A district or province given as `unit` (an import that knows only the district)
    keeps the paths of that unit.
    """
    unit = org.unit
    if unit.level != Unit.Level.COMMUNE:
        current = current_successor(unit) if unit.is_legacy else unit
        org.current_commune = None
        org.legacy_commune = None
        org.current_path = current.path if current else ""
        org.legacy_path = unit.path if unit.is_legacy else ""
        return
    current = current_successor(unit)
    legacy = legacy_predecessor(unit)
    org.current_commune = current
    org.legacy_commune = legacy
    org.current_path = current.path if current else ""
    org.legacy_path = legacy.path if legacy else ""


def _clean(org: Organisation) -> None:
    org.code = (org.code or "").strip() or None
    org.name = " ".join((org.name or "").split())
    org.name_folded = fold(org.name)
    errors: dict[str, list[str]] = {}
    if org.founded_on and org.founded_on > timezone.localdate():
        errors.setdefault("founded_on", []).append(_("The founding date cannot be in the future."))
    if org.subsector_id and org.subsector.parent_id != org.sector_id:
        errors.setdefault("subsector", []).append(_("This sub-sector does not belong to the chosen sector."))
    if org.charter_capital is not None and org.charter_capital < 0:
        errors.setdefault("charter_capital", []).append(_("Charter capital cannot be negative."))
    if org.code and Organisation.objects.filter(code=org.code).exclude(pk=org.pk).exists():
        errors.setdefault("code", []).append(
            _("Another organisation already has the code %(code)s.") % {"code": org.code}
        )
    if org.union_member and org.kind == Kind.THT:
        errors.setdefault("union_member", []).append(
            _("A cooperative group cannot be a member of the cooperative union.")
        )
    if errors:
        raise ValidationError(errors)


def _ensure_in_scope(actor: User, org: Organisation) -> None:
    if not access.can_write_registry(actor):
        raise PermissionDenied(_("You may not change the registry."))
    if not access.editable_organisations(actor).filter(pk=org.pk).exists():
        raise ValidationError({"unit": _("This commune is outside your area.")})


@transaction.atomic
def organisation_create(*, actor: User, **fields: Any) -> Organisation:
    """Register an organisation. Its status starts as operating, from its founding date."""
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    org = Organisation(**fields)
    _clean(org)
    resolve_location(org)
    org._history_user = actor
    org.save()
    _ensure_in_scope(actor, org)
    StatusChange.objects.create(
        organisation=org,
        status=Status.ACTIVE,
        effective_on=org.founded_on or timezone.localdate(),
        reason=_("Registered"),
        recorded_by=actor,
    )
    return org


@transaction.atomic
def organisation_update(*, org: Organisation, actor: User, **fields: Any) -> Organisation:
    """Change an organisation's facts (not its status: see organisation_change_status)."""
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    _ensure_in_scope(actor, locked)
    for name, value in fields.items():
        setattr(locked, name, value)
    _clean(locked)
    if "unit" in fields:
        resolve_location(locked)
    if locked.founded_on and locked.ended_on and locked.founded_on > locked.ended_on:
        raise ValidationError({"founded_on": _("The founding date is after the organisation ended.")})
    locked._history_user = actor
    locked.save()
    _ensure_in_scope(actor, locked)
    return locked


def _derive_status(org: Organisation) -> None:
    """Status and end date from the status changes: the latest one in force today rules."""
    today = timezone.localdate()
    changes = list(org.status_changes.filter(effective_on__lte=today).order_by("effective_on", "id"))
    latest = changes[-1] if changes else None
    org.status = latest.status if latest else Status.ACTIVE
    ended = [c for c in changes if c.status in Status.ended()]
    org.ended_on = ended[-1].effective_on if ended and org.status in Status.ended() else None


@transaction.atomic
def organisation_change_status(
    *,
    org: Organisation,
    actor: User,
    status: str,
    effective_on: datetime.date,
    decision_number: str = "",
    reason: str = "",
) -> StatusChange:
    """Record a dated change of legal status (dissolution, suspension, resumption …).

    Refused, with nothing written: a date before founding or in the future, a change on an
    organisation that has already ended (except correcting it by a later resumption is also refused:
    an ended organisation stays ended), a date before the latest recorded change, a suspension over
    12 months is allowed but the next change should come within 12 months (Nghị định 92/2024).
    """
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    _ensure_in_scope(actor, locked)
    errors: dict[str, list[str]] = {}
    if status not in Status.values:
        errors.setdefault("status", []).append(_("Unknown status."))
    if effective_on > timezone.localdate():
        errors.setdefault("effective_on", []).append(_("The date cannot be in the future."))
    if locked.founded_on and effective_on < locked.founded_on:
        errors.setdefault("effective_on", []).append(
            _("The date is before the organisation was founded (%(date)s).")
            % {"date": locked.founded_on.strftime("%d/%m/%Y")}
        )
    last = locked.status_changes.order_by("-effective_on", "-id").first()
    if last and effective_on < last.effective_on:
        errors.setdefault("effective_on", []).append(
            _("The date is before the latest recorded change (%(date)s).")
            % {"date": last.effective_on.strftime("%d/%m/%Y")}
        )
    if locked.status in Status.ended():
        errors.setdefault("status", []).append(
            _("This organisation has already ended; its status cannot change.")
        )
    elif status == locked.status:
        errors.setdefault("status", []).append(_("The organisation already has this status."))
    if status in Status.ended() and not decision_number.strip():
        errors.setdefault("decision_number", []).append(
            _("A dissolution or termination needs its decision number.")
        )
    if errors:
        raise ValidationError(errors)
    change = StatusChange.objects.create(
        organisation=locked,
        status=status,
        effective_on=effective_on,
        decision_number=decision_number.strip(),
        reason=reason.strip(),
        recorded_by=actor,
    )
    _derive_status(locked)
    locked._history_user = actor
    locked._change_reason = _("Status: %(status)s") % {"status": change.get_status_display()}
    locked.save()
    return change


@transaction.atomic
def organisation_set_archived(*, org: Organisation, actor: User, archived: bool) -> Organisation:
    """Archive (hide from lists) or restore an organisation. Organisations are never deleted."""
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    _ensure_in_scope(actor, locked)
    locked.archived = archived
    locked._history_user = actor
    locked.save(update_fields=["archived", "updated_at"])
    return locked
