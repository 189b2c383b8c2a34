"""Every write of support records, fund loans, repayments and the Farmers' Union's counts.

The web forms, the demo and any import call these. Each runs in one transaction, checks the actor's
scope (hoptac.support.access), refuses bad input with a ValidationError naming the field, and
writes the history (django-simple-history) with the actor.
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from hoptac.accounts.models import User
from hoptac.registry.models import Organisation
from hoptac.registry.services import resolve_location

from . import access
from .models import Loan, Repayment, SupportRecord, SupportTopic, UnionActivity

TOPICS_FIXTURE = Path(__file__).parent / "fixtures" / "topics.json"
ZERO = Decimal(0)

RECORD_FIELDS = (
    "organisation",
    "topic",
    "given_on",
    "form",
    "amount",
    "in_kind_description",
    "estimated_value",
    "plan",
    "programme",
    "agency",
    "note",
)
LOAN_FIELDS = (
    "organisation",
    "agency",
    "contract_number",
    "amount",
    "disbursed_on",
    "term_months",
    "interest_rate",
    "schedule",
    "purpose",
    "note",
)
UNION_FIELDS = ("unit", "year", "topic", "count", "sector", "organisation", "note")
MAX_TERM_MONTHS = 360


def money(value: Decimal) -> str:
    """12.500 → "12,5" in Vietnamese, "12.5" in English: for messages."""
    text = format(value.normalize(), "f")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(value, decimal_pos=decimals, force_grouping=True)


def _day(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _unknown(fields: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


def _check_day(errors: _Errors, field: str, day: datetime.date | None, org: Organisation | None) -> None:
    if day is None:
        errors.add(field, _("Give the date."))
        return
    if day > timezone.localdate():
        errors.add(field, _("The date cannot be in the future."))
    if org is not None and org.ended_on and day > org.ended_on:
        errors.add(
            field,
            _("%(name)s ended on %(date)s: nothing can be dated after that.")
            % {"name": org.name, "date": _day(org.ended_on)},
        )


def _check_agency(errors: _Errors, agency, day: datetime.date | None) -> None:
    if agency is None or day is None:
        return
    if agency.valid_to and day > agency.valid_to:
        message = _("%(agency)s no longer existed on %(date)s.") % {"agency": agency.name, "date": _day(day)}
        if agency.successor_id:
            message += " " + _("Choose %(successor)s.") % {"successor": agency.successor.name}
        errors.add("agency", message)
    elif agency.valid_from and day < agency.valid_from:
        errors.add(
            "agency",
            _("%(agency)s did not exist yet on %(date)s.") % {"agency": agency.name, "date": _day(day)},
        )


def _check_organisation(errors: _Errors, org: Organisation | None) -> None:
    if org is None:
        errors.add("organisation", _("Choose the organisation."))
    elif org.archived:
        errors.add("organisation", _("%(name)s is archived: restore it first.") % {"name": org.name})


# -- topics ---------------------------------------------------------------------------------------------


def topic_rows() -> list[dict[str, Any]]:
    return json.loads(TOPICS_FIXTURE.read_text(encoding="utf-8"))


def topics_load(SupportTopic=SupportTopic) -> int:
    """Create or update every topic of fixtures/topics.json by code; topics not in it are left alone.

    A migration passes its historical model. Returns the number of rows in the fixture.
    """
    rows = topic_rows()
    by_code: dict[str, Any] = {}
    with transaction.atomic():
        for row in rows:  # a part comes after its whole in the file
            obj, _created = SupportTopic.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_vi": row["name_vi"],
                    "name_en": row["name_en"],
                    "kind": row["kind"],
                    "order": row["order"],
                    "description": row.get("description", ""),
                    "part_of": by_code.get(row["part_of"]) if row.get("part_of") else None,
                },
            )
            by_code[row["code"]] = obj
    return len(rows)


# -- support records ------------------------------------------------------------------------------------


def _clean_record(record: SupportRecord) -> None:
    errors = _Errors()
    org = record.organisation if record.organisation_id else None
    _check_organisation(errors, org)
    if record.topic_id is None:
        errors.add("topic", _("Choose what the support was for."))
    elif record.topic.kind != SupportTopic.Kind.RECORD:
        errors.add(
            "topic",
            _("“%(topic)s” is not a kind of support to an organisation.") % {"topic": record.topic.name},
        )
    _check_day(errors, "given_on", record.given_on, org)
    record.in_kind_description = " ".join((record.in_kind_description or "").split())
    if record.form == SupportRecord.Form.MONEY:
        if record.amount is None:
            errors.add("amount", _("Give the amount of money, in million VND."))
        elif record.amount <= 0:
            errors.add("amount", _("The amount must be more than 0."))
        if record.estimated_value is not None:
            errors.add("estimated_value", _("Only support in kind has an estimated value; leave it empty."))
        if record.in_kind_description:
            errors.add(
                "in_kind_description", _("Support in money has no description in kind; choose “In kind”.")
            )
    elif record.form == SupportRecord.Form.IN_KIND:
        if not record.in_kind_description:
            errors.add("in_kind_description", _("Say what was given in kind."))
        if record.amount is not None:
            errors.add(
                "amount", _("Support in kind has no amount of money: give its estimated value instead.")
            )
        if record.estimated_value is not None and record.estimated_value < 0:
            errors.add("estimated_value", _("The estimated value cannot be negative."))
    else:
        errors.add("form", _("Choose money or in kind."))
    record.programme = " ".join((record.programme or "").split())
    _check_agency(errors, record.agency if record.agency_id else None, record.given_on)
    errors.raise_any()


@transaction.atomic
def support_record_create(*, actor: User, **fields: Any) -> SupportRecord:
    """Record support an organisation received (money or in kind)."""
    _unknown(fields, RECORD_FIELDS)
    record = SupportRecord(**fields)
    if record.organisation_id:
        access.ensure_can_write_for(actor, record.organisation)
    _clean_record(record)
    record.recorded_by = actor
    record._history_user = actor
    record.save()
    return record


@transaction.atomic
def support_record_update(*, record: SupportRecord, actor: User, **fields: Any) -> SupportRecord:
    """Change a support record; moving it to another organisation needs the right to write for both."""
    _unknown(fields, RECORD_FIELDS)
    access.ensure_can_write_for(actor, record.organisation)
    for name, value in fields.items():
        setattr(record, name, value)
    if "organisation" in fields and record.organisation_id:
        access.ensure_can_write_for(actor, record.organisation)
    _clean_record(record)
    record._history_user = actor
    record.save()
    return record


@transaction.atomic
def support_record_delete(*, record: SupportRecord, actor: User) -> None:
    """Delete a record entered by mistake; its history keeps it."""
    access.ensure_can_write_for(actor, record.organisation)
    record._history_user = actor
    record.delete()


# -- loans ----------------------------------------------------------------------------------------------


def _repaid(loan: Loan) -> Decimal:
    return loan.repayments.aggregate(s=Sum("principal"))["s"] or ZERO


def _clean_loan(loan: Loan, *, repaid: Decimal = ZERO, first_paid_on: datetime.date | None = None) -> None:
    errors = _Errors()
    org = loan.organisation if loan.organisation_id else None
    _check_organisation(errors, org)
    if loan.amount is None:
        errors.add("amount", _("Give the amount lent, in million VND."))
    elif loan.amount <= 0:
        errors.add("amount", _("The amount must be more than 0."))
    elif loan.amount < repaid:
        errors.add(
            "amount",
            _("%(repaid)s million VND have been repaid already: the amount cannot be less.")
            % {"repaid": money(repaid)},
        )
    _check_day(errors, "disbursed_on", loan.disbursed_on, org)
    if loan.disbursed_on and first_paid_on and loan.disbursed_on > first_paid_on:
        errors.add(
            "disbursed_on",
            _("A repayment is dated %(date)s: the loan was disbursed before.")
            % {"date": _day(first_paid_on)},
        )
    if loan.term_months is None or not 1 <= loan.term_months <= MAX_TERM_MONTHS:
        errors.add(
            "term_months", _("The term is a number of months from 1 to %(max)d.") % {"max": MAX_TERM_MONTHS}
        )
    if loan.interest_rate is None or not ZERO <= loan.interest_rate <= 100:
        errors.add("interest_rate", _("The interest rate is a percentage a year, from 0 to 100."))
    if loan.schedule not in Loan.Schedule.values:
        errors.add("schedule", _("Choose a repayment schedule."))
    loan.purpose = " ".join((loan.purpose or "").split())
    if not loan.purpose:
        errors.add("purpose", _("Say what the loan is for."))
    loan.contract_number = (loan.contract_number or "").strip()
    _check_agency(errors, loan.agency if loan.agency_id else None, loan.disbursed_on)
    errors.raise_any()


@transaction.atomic
def loan_create(*, actor: User, **fields: Any) -> Loan:
    """Record a loan of the cooperative support fund to an organisation."""
    _unknown(fields, LOAN_FIELDS)
    fields.setdefault("schedule", Loan.Schedule.QUARTERLY)
    loan = Loan(**fields)
    if loan.organisation_id:
        access.ensure_can_write_for(actor, loan.organisation)
    _clean_loan(loan)
    loan.recorded_by = actor
    loan._history_user = actor
    loan.save()
    return loan


def _locked(loan: Loan) -> Loan:
    """The loan row, locked until the transaction ends (two repayments at once cannot both pass the check)."""
    return Loan.objects.select_for_update().select_related("organisation").get(pk=loan.pk)


@transaction.atomic
def loan_update(*, loan: Loan, actor: User, **fields: Any) -> Loan:
    """Correct a loan's terms. The amount cannot fall below what was repaid; a written-off loan is closed."""
    _unknown(fields, set(LOAN_FIELDS) - {"organisation"})
    access.ensure_can_write_for(actor, loan.organisation)
    loan = _locked(loan)
    if loan.written_off_on:
        raise ValidationError(_("This loan was written off: it cannot be changed."))
    for name, value in fields.items():
        setattr(loan, name, value)
    stats = loan.repayments.aggregate(repaid=Sum("principal"), first=Min("paid_on"), last=Max("paid_on"))
    _clean_loan(loan, repaid=stats["repaid"] or ZERO, first_paid_on=stats["first"])
    _close_if_repaid(loan, stats["repaid"] or ZERO, stats["last"])
    loan._history_user = actor
    loan.save()
    return loan


def _close_if_repaid(loan: Loan, repaid: Decimal, last_paid_on: datetime.date | None) -> None:
    if loan.written_off_on:
        loan.closed_on = loan.written_off_on
    elif repaid >= loan.amount and last_paid_on is not None:
        loan.closed_on = last_paid_on
    else:
        loan.closed_on = None


@transaction.atomic
def repayment_record(
    *,
    loan: Loan,
    actor: User,
    paid_on: datetime.date,
    principal: Decimal | None = None,
    interest: Decimal | None = None,
    note: str = "",
) -> Repayment:
    """Record a repayment. Refused, with nothing written, when the principal is more than what is
    outstanding, when the loan is written off, or when the date is before the disbursement or in
    the future. The repayment that brings the outstanding principal to 0 closes the loan."""
    access.ensure_can_write_for(actor, loan.organisation)
    loan = _locked(loan)
    principal = principal if principal is not None else ZERO
    interest = interest if interest is not None else ZERO
    errors = _Errors()
    if loan.written_off_on:
        errors.add(
            "paid_on",
            _("This loan was written off on %(date)s: no repayment can be recorded.")
            % {"date": _day(loan.written_off_on)},
        )
        errors.raise_any()
    if paid_on is None:
        errors.add("paid_on", _("Give the date."))
    else:
        if paid_on > timezone.localdate():
            errors.add("paid_on", _("The date cannot be in the future."))
        if paid_on < loan.disbursed_on:
            errors.add(
                "paid_on",
                _("The loan was disbursed on %(date)s: a repayment cannot come before.")
                % {"date": _day(loan.disbursed_on)},
            )
    if principal < 0:
        errors.add("principal", _("The principal cannot be negative."))
    if interest < 0:
        errors.add("interest", _("The interest cannot be negative."))
    if principal == 0 and interest == 0 and "principal" not in errors.errors:
        errors.add("principal", _("Give the principal or the interest paid."))
    outstanding = loan.amount - _repaid(loan)
    if principal > outstanding:
        errors.add(
            "principal",
            _(
                "The principal repaid (%(principal)s million VND) is more than the outstanding principal "
                "(%(outstanding)s million VND)."
            )
            % {"principal": money(principal), "outstanding": money(outstanding)},
        )
    errors.raise_any()
    repayment = Repayment(
        loan=loan,
        paid_on=paid_on,
        principal=principal,
        interest=interest,
        note=note.strip(),
        recorded_by=actor,
    )
    repayment._history_user = actor
    repayment.save()
    _refresh_closure(loan, actor)
    return repayment


def _refresh_closure(loan: Loan, actor: User) -> None:
    stats = loan.repayments.aggregate(repaid=Sum("principal"), last=Max("paid_on"))
    before = loan.closed_on
    _close_if_repaid(loan, stats["repaid"] or ZERO, stats["last"])
    if loan.closed_on != before:
        loan._history_user = actor
        loan.save(update_fields=["closed_on"])


@transaction.atomic
def repayment_cancel(*, repayment: Repayment, actor: User) -> None:
    """Delete a repayment entered by mistake (its history keeps it); the loan reopens if it was closed by it."""
    loan = repayment.loan
    access.ensure_can_write_for(actor, loan.organisation)
    loan = _locked(loan)
    if loan.written_off_on:
        raise ValidationError(_("This loan was written off: its repayments cannot be changed."))
    repayment._history_user = actor
    repayment.delete()
    _refresh_closure(loan, actor)


@transaction.atomic
def loan_write_off(*, loan: Loan, actor: User, written_off_on: datetime.date, reason: str) -> Loan:
    """Write off what remains of a loan (the borrower cannot pay: dissolved, bankrupt). Closes the loan."""
    access.ensure_can_write_for(actor, loan.organisation)
    loan = _locked(loan)
    errors = _Errors()
    if loan.written_off_on:
        errors.add("written_off_on", _("This loan was written off already."))
        errors.raise_any()
    repaid = _repaid(loan)
    if repaid >= loan.amount:
        errors.add("written_off_on", _("This loan is repaid: there is nothing to write off."))
        errors.raise_any()
    if written_off_on is None:
        errors.add("written_off_on", _("Give the date."))
    else:
        if written_off_on > timezone.localdate():
            errors.add("written_off_on", _("The date cannot be in the future."))
        last = loan.repayments.aggregate(last=Max("paid_on"))["last"]
        earliest = max(d for d in (loan.disbursed_on, last) if d is not None)
        if written_off_on < earliest:
            errors.add(
                "written_off_on",
                _("The write-off cannot come before %(date)s (the disbursement or the last repayment).")
                % {"date": _day(earliest)},
            )
    reason = " ".join((reason or "").split())
    if not reason:
        errors.add("reason", _("Give the reason, e.g. the decision that allowed it."))
    errors.raise_any()
    loan.written_off_on, loan.write_off_reason, loan.closed_on = written_off_on, reason, written_off_on
    loan._history_user = actor
    loan.save(update_fields=["written_off_on", "write_off_reason", "closed_on"])
    return loan


# -- the Farmers' Union's counts ---------------------------------------------------------------------------


def _clean_union_activity(activity: UnionActivity, actor: User) -> None:
    errors = _Errors()
    today = timezone.localdate()
    if activity.topic_id is None:
        errors.add("topic", _("Choose what is counted."))
    elif activity.topic.kind != SupportTopic.Kind.UNION:
        errors.add("topic", _("“%(topic)s” is not a Farmers' Union count.") % {"topic": activity.topic.name})
    if activity.year is None or not 2000 <= activity.year <= today.year:
        errors.add("year", _("The year must be between 2000 and %(year)d.") % {"year": today.year})
    if activity.count is None or activity.count < 0:
        errors.add("count", _("The number cannot be negative."))
    if activity.sector_id and activity.sector.parent_id:
        errors.add("sector", _("Choose a sector, not a sub-sector."))
    org = activity.organisation if activity.organisation_id else None
    if org is not None:
        if not access.can_write_for(actor, org):
            errors.add("organisation", _("%(name)s is outside your area.") % {"name": org.name})
        elif not _under(org, activity.unit):
            errors.add(
                "organisation",
                _("%(name)s is not in %(unit)s.") % {"name": org.name, "unit": activity.unit.name},
            )
    errors.raise_any()
    duplicates = UnionActivity.objects.filter(
        unit=activity.unit, year=activity.year, topic=activity.topic, organisation=org
    ).exclude(pk=activity.pk)
    if duplicates.exists():
        errors.add(
            "topic",
            _("%(unit)s already has “%(topic)s” for %(year)d: change that record instead.")
            % {"unit": activity.unit.name, "topic": activity.topic.name, "year": activity.year},
        )
    _check_parts(errors, activity)
    errors.raise_any()


def _under(org: Organisation, unit) -> bool:
    path = org.legacy_path if unit.is_legacy else org.current_path
    return bool(path) and path.startswith(unit.path)


def _check_parts(errors: _Errors, activity: UnionActivity) -> None:
    """A part (union staff trained) cannot exceed its whole (union staff) for the same unit and year."""
    topic = activity.topic
    same = UnionActivity.objects.filter(
        unit=activity.unit, year=activity.year, organisation=activity.organisation
    ).exclude(pk=activity.pk)
    if topic.part_of_id:
        whole = same.filter(topic_id=topic.part_of_id).values_list("count", flat=True).first()
        if whole is not None and activity.count > whole:
            errors.add(
                "count",
                _("%(count)d is more than the %(whole)d recorded for “%(topic)s”.")
                % {"count": activity.count, "whole": whole, "topic": topic.part_of.name},
            )
    for part in same.filter(topic__part_of=topic).select_related("topic"):
        if part.count > activity.count:
            errors.add(
                "count",
                _("%(count)d is less than the %(part)d recorded as “%(topic)s”.")
                % {"count": activity.count, "part": part.count, "topic": part.topic.name},
            )


def _resolve_paths(activity: UnionActivity) -> None:
    place = SimpleNamespace(unit=activity.unit)
    resolve_location(place)
    activity.current_path, activity.legacy_path = place.current_path, place.legacy_path


def _ensure_unit(actor: User, unit) -> None:
    if not access.may_write(actor):
        raise PermissionDenied(_("You may not record the Farmers' Union's counts."))
    if unit is None or not access.can_write_unit(actor, unit):
        raise ValidationError({"unit": _("This unit is outside your area.")})


@transaction.atomic
def union_activity_create(*, actor: User, **fields: Any) -> UnionActivity:
    """Record a count of the Farmers' Union for a unit and a year."""
    _unknown(fields, UNION_FIELDS)
    activity = UnionActivity(**fields)
    _ensure_unit(actor, activity.unit if activity.unit_id else None)
    _clean_union_activity(activity, actor)
    _resolve_paths(activity)
    activity.recorded_by = actor
    activity._history_user = actor
    activity.save()
    return activity


@transaction.atomic
def union_activity_update(*, activity: UnionActivity, actor: User, **fields: Any) -> UnionActivity:
    _unknown(fields, UNION_FIELDS)
    _ensure_unit(actor, activity.unit)
    for name, value in fields.items():
        setattr(activity, name, value)
    _ensure_unit(actor, activity.unit)
    _clean_union_activity(activity, actor)
    _resolve_paths(activity)
    activity._history_user = actor
    activity.save()
    return activity


@transaction.atomic
def union_activity_delete(*, activity: UnionActivity, actor: User) -> None:
    _ensure_unit(actor, activity.unit)
    activity._history_user = actor
    activity.delete()
