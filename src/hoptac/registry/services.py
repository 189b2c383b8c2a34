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
from hoptac.units.models import LEGACY_END, Unit
from hoptac.units.services import current_successor, legacy_predecessor

from .models import Kind, Organisation, Status, StatusChange, UnionMembership

# Kinds that may be official members of a union of cooperatives (LHHTX).
MEMBER_KINDS = (Kind.HTX, Kind.QTDND)

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
    resolves to the current province that succeeded its province, so that the province's officers
    still see it; the few legacy communes the official table does not map fall back the same way.
    """
    unit = org.unit
    if unit.level == Unit.Level.COMMUNE:
        current = current_successor(unit)
        legacy = legacy_predecessor(unit)
        org.current_commune, org.legacy_commune = current, legacy
    else:
        current = None if unit.is_legacy else unit
        org.current_commune = org.legacy_commune = None
    current_path = current.path if current else ""
    if not current_path and unit.is_legacy:
        province = _legacy_province(unit)
        successor = current_successor(province) if province else None
        current_path = successor.path if successor else ""
    org.current_path = current_path
    if unit.level == Unit.Level.COMMUNE:
        org.legacy_path = org.legacy_commune.path if org.legacy_commune else ""
    else:
        org.legacy_path = unit.path if unit.is_legacy else ""


def _legacy_province(unit: Unit) -> Unit | None:
    node: Unit | None = unit
    while node is not None and node.level != Unit.Level.PROVINCE:
        node = node.parent
    return node


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
    # A commune abolished on 30/06/2025 cannot be the address of an organisation founded later.
    if org.unit_id and org.unit.is_legacy and org.founded_on and org.founded_on > LEGACY_END:
        errors.setdefault("unit", []).append(
            _(
                "%(unit)s ceased to exist on 30/06/2025, before the founding date: "
                "choose the current commune or ward."
            )
            % {"unit": org.unit.name}
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
    """Change an organisation's facts (not its status: see organisation_change_status).

    A new founding date moves the registration entry of the status history with it, and may not
    fall after any later status change. A union with members stays a union, and a member of a
    union stays a cooperative or credit fund, until those memberships end.
    """
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    _ensure_in_scope(actor, locked)
    old_founded_on, old_kind = locked.founded_on, locked.kind
    for name, value in fields.items():
        setattr(locked, name, value)
    _clean(locked)
    if "unit" in fields:
        resolve_location(locked)
    registration = None
    if locked.founded_on != old_founded_on:
        registration = _check_founding_against_history(locked, old_founded_on)
    if locked.kind != old_kind:
        _check_kind_against_memberships(locked)
    locked._history_user = actor
    locked.save()
    _ensure_in_scope(actor, locked)
    if registration is not None:
        registration.effective_on = locked.founded_on
        registration.save(update_fields=["effective_on"])
    return locked


def _check_founding_against_history(
    org: Organisation, old_founded_on: datetime.date | None
) -> StatusChange | None:
    """Refuse a founding date after a recorded status change; return the registration entry to move."""
    changes = list(org.status_changes.order_by("effective_on", "id"))
    first = changes[0] if changes else None
    # The entry written by organisation_create, dated from the founding date (or the day of entry).
    is_registration = (
        first is not None
        and first.status == Status.ACTIVE
        and (old_founded_on is None or first.effective_on == old_founded_on)
    )
    later = changes[1:] if is_registration else changes
    if org.founded_on and later and org.founded_on > later[0].effective_on:
        raise ValidationError(
            {
                "founded_on": _("The founding date is after the status change of %(date)s (%(status)s).")
                % {
                    "date": later[0].effective_on.strftime("%d/%m/%Y"),
                    "status": later[0].get_status_display(),
                }
            }
        )
    if org.founded_on and org.ended_on and org.founded_on > org.ended_on:
        raise ValidationError({"founded_on": _("The founding date is after the organisation ended.")})
    return first if is_registration and org.founded_on else None


def _check_kind_against_memberships(org: Organisation) -> None:
    if org.kind != Kind.LHHTX and org.memberships.filter(left_on__isnull=True).exists():
        raise ValidationError(
            {"kind": _("This union still has member cooperatives: end their memberships first.")}
        )
    if org.kind not in MEMBER_KINDS and org.unions.filter(left_on__isnull=True).exists():
        raise ValidationError(
            {
                "kind": _(
                    "This organisation is a member of a union of cooperatives, which only cooperatives "
                    "and people's credit funds can be: end the membership first."
                )
            }
        )


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
    """Record a dated change of legal status (suspension, resumption, dissolution …).

    The organisation's current status and end date are then derived from its status history.
    Refused with nothing written, each error on its field: an unknown status, or the status the
    organisation already has; a date in the future, before the founding date or before the latest
    recorded change; any change once the organisation has ended (dissolved, bankrupt or
    terminated: that is final); an ending without its decision number. The 12-month limit on a
    suspension (Nghị định 92/2024/NĐ-CP, Điều 27) is not enforced here: it is a reminder to follow
    up, not a reason to refuse the record.
    """
    locked = Organisation.objects.select_for_update().get(pk=org.pk)
    _ensure_in_scope(actor, locked)
    errors: dict[str, list[str]] = {}
    if status not in Status.values:
        errors.setdefault("status", []).append(_("Choose one of the listed statuses."))
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
            _("A dissolution, bankruptcy or termination needs the number of its decision.")
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


def _ensure_member_writable(actor: User, org: Organisation, field: str) -> None:
    if not access.can_write_registry(actor):
        raise PermissionDenied(_("You may not change the registry."))
    if not access.editable_organisations(actor).filter(pk=org.pk).exists():
        raise ValidationError({field: _("%(name)s is outside your area.") % {"name": org.name}})


@transaction.atomic
def union_membership_add(
    *,
    union: Organisation,
    member: Organisation,
    actor: User,
    joined_on: datetime.date | None = None,
) -> UnionMembership:
    """Record that a cooperative (or people's credit fund) joined a union of cooperatives.

    Both must lie in the actor's area. Refused, with nothing written: a union that is not an LHHTX,
    a member of another kind, a member that is already (or was once) in this union, an organisation
    that has ended, and a joining date in the future or before either was founded.
    """
    _ensure_member_writable(actor, union, "union")
    _ensure_member_writable(actor, member, "member")
    errors: dict[str, list[str]] = {}
    if union.kind != Kind.LHHTX:
        errors.setdefault("union", []).append(
            _("%(name)s is not a union of cooperatives.") % {"name": union.name}
        )
    if member.kind not in MEMBER_KINDS:
        errors.setdefault("member", []).append(
            _("Only a cooperative or a people's credit fund can join a union; %(name)s is a %(kind)s.")
            % {"name": member.name, "kind": member.get_kind_display()}
        )
    for org, field in ((union, "union"), (member, "member")):
        if org.is_ended:
            errors.setdefault(field, []).append(
                _("%(name)s has ended (%(status)s).") % {"name": org.name, "status": org.get_status_display()}
            )
    existing = UnionMembership.objects.filter(union=union, member=member).first()
    if existing is not None:
        if existing.left_on:
            message = _("%(name)s left this union on %(date)s; it cannot be recorded as joining again.") % {
                "name": member.name,
                "date": existing.left_on.strftime("%d/%m/%Y"),
            }
        else:
            message = _("%(name)s is already a member of this union.") % {"name": member.name}
        errors.setdefault("member", []).append(message)
    if joined_on is not None:
        if joined_on > timezone.localdate():
            errors.setdefault("joined_on", []).append(_("The joining date cannot be in the future."))
        for org in (union, member):
            if org.founded_on and joined_on < org.founded_on:
                errors.setdefault("joined_on", []).append(
                    _("The joining date is before %(name)s was founded (%(date)s).")
                    % {"name": org.name, "date": org.founded_on.strftime("%d/%m/%Y")}
                )
    if errors:
        raise ValidationError(errors)
    return UnionMembership.objects.create(union=union, member=member, joined_on=joined_on)


@transaction.atomic
def union_membership_end(
    *, membership: UnionMembership, actor: User, left_on: datetime.date | None = None
) -> UnionMembership:
    """Record that a member left its union, on `left_on` (today if not given). Memberships are never deleted."""
    locked = (
        UnionMembership.objects.select_for_update().select_related("union", "member").get(pk=membership.pk)
    )
    _ensure_member_writable(actor, locked.union, "union")
    _ensure_member_writable(actor, locked.member, "member")
    left_on = left_on or timezone.localdate()
    errors: dict[str, list[str]] = {}
    if locked.left_on:
        errors.setdefault("left_on", []).append(
            _("%(name)s already left this union on %(date)s.")
            % {"name": locked.member.name, "date": locked.left_on.strftime("%d/%m/%Y")}
        )
    if left_on > timezone.localdate():
        errors.setdefault("left_on", []).append(_("The leaving date cannot be in the future."))
    if locked.joined_on and left_on < locked.joined_on:
        errors.setdefault("left_on", []).append(
            _("The leaving date is before the joining date (%(date)s).")
            % {"date": locked.joined_on.strftime("%d/%m/%Y")}
        )
    if errors:
        raise ValidationError(errors)
    locked.left_on = left_on
    locked.save(update_fields=["left_on"])
    return locked
