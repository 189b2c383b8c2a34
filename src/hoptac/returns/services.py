"""Every write to yearly returns: the page, the Excel import, the admin and the API call these.

The workflow: draft → submitted → approved (locked); a submitted return may be sent back (with a
reason) and is then corrected and submitted again; an approved one may be reopened (with a reason),
which makes it a draft again. Each service is one transaction, checks who may do it, locks the row,
refuses a `expected_version` that is no longer current (optimistic locking: no lost update), and
writes the history (django-simple-history, with the actor and the action as the change reason).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoptac.accounts.models import User
from hoptac.core.text import fold
from hoptac.registry.models import Organisation

from . import access
from .fields import FIELDS_BY_NAME, Type
from .models import AnnualReturn
from .validation import Finding, return_validate

__all__ = [
    "Finding",
    "Refusal",
    "ReturnInvalidError",
    "StaleReturnError",
    "TransitionError",
    "return_approve",
    "return_create_or_get",
    "return_reopen",
    "return_save",
    "return_send_back",
    "return_submit",
    "return_validate",
    "returns_approve_bulk",
]

FIRST_YEAR = 1990
Status = AnnualReturn.Status


class StaleReturnError(ValidationError):
    """Someone changed the return after the caller read it: nothing was written."""


class TransitionError(ValidationError):
    """The return is not in a state that allows this action."""


class ReturnInvalidError(ValidationError):
    """The figures break blocking rules; `findings` has all of them (errors and warnings)."""

    def __init__(self, findings: list[Finding]):
        by_field: dict[str, list[str]] = {}
        for finding in findings:
            if finding.is_error:
                by_field.setdefault(finding.field or "__all__", []).append(finding.message)
        super().__init__(by_field)
        self.findings = findings


@dataclass(frozen=True)
class Refusal:
    """A return a bulk action left alone, and why."""

    pk: Any
    organisation: str
    reason: str


def _who(user: User | None) -> str:
    if user is None:
        return _("Someone")
    return user.get_full_name() or user.username


def _lock(ret: AnnualReturn) -> AnnualReturn:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the joins.
    return (
        AnnualReturn.objects.select_for_update(of=("self",))
        .select_related("organisation__sector", "organisation__subsector", "updated_by")
        .get(pk=ret.pk)
    )


def _check_version(locked: AnnualReturn, expected_version: int | None) -> None:
    if expected_version is None or int(expected_version) == locked.version:
        return
    when = timezone.localtime(locked.updated_at)
    raise StaleReturnError(
        _(
            "%(user)s changed this return at %(time)s on %(date)s, after you opened it. Nothing of yours "
            "was saved: reload the page to see the changes, then make yours again."
        )
        % {
            "user": _who(locked.updated_by),
            "time": when.strftime("%H:%M"),
            "date": when.strftime("%d/%m/%Y"),
        },
        code="stale",
    )


def _write(ret: AnnualReturn, actor: User, action: str) -> AnnualReturn:
    ret.version += 1
    ret.updated_by = actor
    ret._history_user = actor  # type: ignore[attr-defined]
    ret._change_reason = action  # type: ignore[attr-defined]  # the history shows it as the action
    ret.save()
    return ret


def _refuse_errors(ret: AnnualReturn) -> list[Finding]:
    findings = return_validate(ret)
    if any(f.is_error for f in findings):
        raise ReturnInvalidError(findings)
    return findings


def _params(ret: AnnualReturn) -> dict[str, Any]:
    return {"name": ret.organisation.name, "year": ret.year, "status": ret.get_status_display()}


def check_year(organisation: Organisation, year: int) -> None:
    """Refuse a year outside the organisation's life or in the future."""
    today = timezone.localdate()
    if not isinstance(year, int) or year < FIRST_YEAR or year > today.year:
        raise ValidationError(
            {
                "year": _("The year must lie between %(first)s and %(last)s.")
                % {"first": FIRST_YEAR, "last": today.year}
            }
        )
    if organisation.founded_on and organisation.founded_on > datetime.date(year, 12, 31):
        raise ValidationError(
            {
                "year": _("%(name)s was founded on %(date)s, after %(year)s.")
                % {
                    "name": organisation.name,
                    "date": organisation.founded_on.strftime("%d/%m/%Y"),
                    "year": year,
                }
            }
        )
    if organisation.ended_on and organisation.ended_on <= datetime.date(year, 1, 1):
        raise ValidationError(
            {
                "year": _("%(name)s ended on %(date)s, before %(year)s.")
                % {
                    "name": organisation.name,
                    "date": organisation.ended_on.strftime("%d/%m/%Y"),
                    "year": year,
                }
            }
        )


@transaction.atomic
def return_create_or_get(*, organisation: Organisation, year: int, actor: User) -> tuple[AnnualReturn, bool]:
    """The return of `organisation` for `year`, created as an empty draft (version 0) if missing.

    Returns (return, created). Refused (PermissionDenied) to whoever may not enter its returns, and
    (ValidationError on "year") for a year in the future or outside the organisation's life.
    """
    access.ensure_can_enter(actor, organisation)
    existing = AnnualReturn.objects.filter(organisation=organisation, year=year).first()
    if existing is not None:
        return existing, False
    check_year(organisation, year)
    ret = AnnualReturn(organisation=organisation, year=year, created_by=actor, updated_by=actor)
    ret._history_user = actor  # type: ignore[attr-defined]
    ret._change_reason = "create"  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            ret.save()
    except IntegrityError:
        # Another request created it between our read and our insert.
        return AnnualReturn.objects.get(organisation=organisation, year=year), False
    return ret, True


# Yes and no as people write them, folded (accents and case ignored).
_BOOLEAN_WORDS = {
    **dict.fromkeys(("true", "t", "yes", "y", "1", "co", "x"), True),
    **dict.fromkeys(("false", "f", "no", "n", "0", "khong"), False),
}


def _clean_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """The values of `data` as the model stores them; a ValidationError names each bad field."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, raw in data.items():
        spec = FIELDS_BY_NAME.get(name)
        if spec is None:
            errors.setdefault("__all__", []).append(_("Unknown field “%(name)s”.") % {"name": name})
            continue
        value = raw.strip() if isinstance(raw, str) else raw
        if value in ("", None):
            value = "" if spec.type in (Type.TEXT, Type.CHOICE) else None
        if spec.type == Type.BOOLEAN and isinstance(value, str):
            value = _BOOLEAN_WORDS.get(fold(value), value)
        if spec.type == Type.INTEGER and isinstance(value, float | Decimal) and value != int(value):
            # int() would silently cut 12,5 people down to 12.
            errors.setdefault(name, []).append(
                _("%(field)s: a whole number is expected, not %(value)s.")
                % {"field": spec.label, "value": value}
            )
            continue
        try:
            out[name] = AnnualReturn._meta.get_field(name).clean(value, None)
        except ValidationError as err:
            errors.setdefault(name, []).extend(f"{spec.label}: {m}" for m in err.messages)
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def return_save(
    *, ret: AnnualReturn, actor: User, data: Mapping[str, Any], expected_version: int
) -> tuple[AnnualReturn, list[Finding]]:
    """Change figures of a draft or a sent-back return; returns (the saved return, its warnings).

    `data` maps figure names (fields.FIELDS) to values (numbers, Decimals, booleans, strings that
    parse as such, None or "" for blank); figures not in `data` keep their value. Refused:
    StaleReturnError if the return is no longer at `expected_version`; TransitionError if it is
    submitted or approved; ReturnInvalidError (with every finding) if a blocking rule fails;
    ValidationError for a value that is not a number, a choice … Nothing is written when refused.
    """
    locked = _lock(ret)
    access.ensure_can_enter(actor, locked.organisation)
    _check_version(locked, expected_version)
    if not locked.is_editable:
        if locked.status == Status.APPROVED:
            message = _(
                "The return of %(name)s for %(year)s is approved and locked: it must be reopened, with a reason, "
                "before it can be changed."
            )
        else:
            message = _(
                "The return of %(name)s for %(year)s has been submitted: it can no longer be changed unless "
                "it is sent back for correction."
            )
        raise TransitionError(message % _params(locked), code="state")
    for name, value in _clean_data(data).items():
        setattr(locked, name, value)
    findings = _refuse_errors(locked)
    _write(locked, actor, "save")
    return locked, findings


@transaction.atomic
def return_submit(*, ret: AnnualReturn, actor: User, expected_version: int | None = None) -> AnnualReturn:
    """Submit a draft or a sent-back return for approval. Blocking rules are checked again."""
    locked = _lock(ret)
    access.ensure_can_enter(actor, locked.organisation)
    _check_version(locked, expected_version)
    if locked.status == Status.SUBMITTED:
        raise TransitionError(
            _("The return of %(name)s for %(year)s has already been submitted: it is waiting for approval.")
            % _params(locked),
            code="state",
        )
    if locked.status == Status.APPROVED:
        raise TransitionError(
            _("The return of %(name)s for %(year)s is approved: it cannot be submitted again.")
            % _params(locked),
            code="state",
        )
    _refuse_errors(locked)
    locked.status = Status.SUBMITTED
    locked.submitted_at, locked.submitted_by = timezone.now(), actor
    return _write(locked, actor, "submit")


@transaction.atomic
def return_approve(*, ret: AnnualReturn, actor: User, expected_version: int | None = None) -> AnnualReturn:
    """Approve a submitted return, which locks it. Not for cooperative representatives."""
    locked = _lock(ret)
    access.ensure_can_approve(actor, locked)
    _check_version(locked, expected_version)
    if locked.status != Status.SUBMITTED:
        message = (
            _("The return of %(name)s for %(year)s is already approved.")
            if locked.status == Status.APPROVED
            else _(
                "Only a submitted return can be approved; the return of %(name)s for %(year)s is “%(status)s”."
            )
        )
        raise TransitionError(message % _params(locked), code="state")
    _refuse_errors(locked)
    locked.status = Status.APPROVED
    locked.approved_at, locked.approved_by = timezone.now(), actor
    return _write(locked, actor, "approve")


def _reason(reason: str | None, message: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": message}, code="required")
    return text


@transaction.atomic
def return_send_back(
    *, ret: AnnualReturn, actor: User, reason: str, expected_version: int | None = None
) -> AnnualReturn:
    """Send a submitted return back for correction; the reason is required and shown to the organisation."""
    locked = _lock(ret)
    access.ensure_can_approve(actor, locked)
    _check_version(locked, expected_version)
    text = _reason(reason, _("Give the reason for sending the return back: the organisation will read it."))
    if locked.status != Status.SUBMITTED:
        raise TransitionError(
            _(
                "Only a submitted return can be sent back; the return of %(name)s for %(year)s is “%(status)s”."
            )
            % _params(locked),
            code="state",
        )
    locked.status = Status.RETURNED
    locked.returned_at, locked.returned_by, locked.returned_reason = timezone.now(), actor, text
    return _write(locked, actor, "send_back")


@transaction.atomic
def return_reopen(
    *, ret: AnnualReturn, actor: User, reason: str, expected_version: int | None = None
) -> AnnualReturn:
    """Reopen an approved return, with a required reason: it becomes a draft again."""
    locked = _lock(ret)
    access.ensure_can_approve(actor, locked)
    _check_version(locked, expected_version)
    text = _reason(reason, _("Give the reason for reopening the approved return."))
    if locked.status != Status.APPROVED:
        raise TransitionError(
            _("Only an approved return can be reopened; the return of %(name)s for %(year)s is “%(status)s”.")
            % _params(locked),
            code="state",
        )
    locked.status = Status.DRAFT
    locked.approved_at = locked.approved_by = None
    locked.reopened_at, locked.reopened_by, locked.reopened_reason = timezone.now(), actor, text
    return _write(locked, actor, "reopen")


@transaction.atomic
def returns_approve_bulk(*, ids: Iterable[Any], actor: User) -> tuple[list[AnnualReturn], list[Refusal]]:
    """Approve every return of `ids` that `actor` may approve; report the others with the reason.

    Each approval is its own savepoint, so that one refusal leaves the others approved. An id that is
    not a return in the actor's area is refused as "not found", like a missing one.
    """
    wanted: list[int] = []
    refused: list[Refusal] = []
    for raw in ids:
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            refused.append(Refusal(raw, "", _("“%(id)s” is not a return.") % {"id": raw}))
            continue
        if pk not in wanted:
            wanted.append(pk)
    found = {
        r.pk: r for r in access.visible_returns(actor).filter(pk__in=wanted).select_related("organisation")
    }
    approved: list[AnnualReturn] = []
    for pk in wanted:
        ret = found.get(pk)
        if ret is None:
            refused.append(Refusal(pk, "", _("No return %(id)s in your area.") % {"id": pk}))
            continue
        try:
            with transaction.atomic():
                approved.append(return_approve(ret=ret, actor=actor))
        except (ValidationError, PermissionDenied) as err:
            reason = " ".join(err.messages) if isinstance(err, ValidationError) else str(err)
            refused.append(Refusal(pk, ret.organisation.name, reason))
    return approved, refused
