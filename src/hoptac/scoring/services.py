"""Every write to score sheets: the page, the command, the demo and the admin call these.

The workflow is the yearly returns' (returns.services): draft → submitted → confirmed (locked); a
submitted sheet may be sent back with a reason, then corrected and submitted again; a confirmed one may
be reopened with a reason, which makes it a draft again. Each service is one transaction, checks who may
do it (scoring.access, the returns' rules), locks the row, refuses an `expected_version` that is no
longer current, and writes the history with the actor and the action.

Computed criteria are read from the organisation's APPROVED return of the year (and of the year
before, for `prev.…`); a figure left blank there makes the criterion one a person enters.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hoptac.accounts.access import unit_scope_q, visible_organisations
from hoptac.accounts.models import User
from hoptac.registry.models import Organisation, StatusChange
from hoptac.returns.models import AnnualReturn
from hoptac.returns.services import check_year
from hoptac.returns.validation import format_value
from hoptac.units.models import Unit

from . import access
from .models import ScoreLine, ScoreSheet
from .rules import Evaluation, SchemeData, evaluate, exclusion_reason, load_scheme, read_once
from .schemes import SchemeChooser

__all__ = [
    "BulkReport",
    "NoSchemeError",
    "NotRatedError",
    "Outcome",
    "SheetIncompleteError",
    "StaleSheetError",
    "TransitionError",
    "approved_returns",
    "score_compute",
    "score_confirm",
    "score_reopen",
    "score_return",
    "score_save",
    "score_submit",
    "scores_compute_bulk",
    "sheet_entries",
]

Status = ScoreSheet.Status
RATED_KINDS_ALL = ("htx", "lhhtx", "qtdnd", "tht")


class StaleSheetError(ValidationError):
    """Someone changed the sheet after the caller read it: nothing was written."""


class TransitionError(ValidationError):
    """The sheet is not in a state that allows this action."""


class NotRatedError(ValidationError):
    """The organisation is not rated this year (operated under 12 months, stopped over 3 months …)."""


class NoSchemeError(ValidationError):
    """No active scheme rates this kind of organisation in this sector."""


class SheetIncompleteError(ValidationError):
    """Criteria are not scored, or lack their evidence: the sheet cannot be submitted."""


def _who(user: User | None) -> str:
    return _("Someone") if user is None else (user.get_full_name() or user.username)


def _params(sheet: ScoreSheet) -> dict[str, Any]:
    return {"name": sheet.organisation.name, "year": sheet.year, "status": sheet.get_status_display()}


# -- reading what a sheet rests on -------------------------------------------------------------------------


def approved_returns(org_ids: Iterable[int], years: Iterable[int]) -> dict[tuple[int, int], AnnualReturn]:
    """The approved returns of these organisations and years, keyed (organisation id, year): one query."""
    rets = AnnualReturn.objects.filter(
        organisation_id__in=list(org_ids), year__in=list(years), status=AnnualReturn.Status.APPROVED
    )
    return {(r.organisation_id, r.year): r for r in rets}


def returns_for(org: Organisation, year: int) -> tuple[AnnualReturn | None, AnnualReturn | None]:
    found = approved_returns([org.pk], [year, year - 1])
    return found.get((org.pk, year)), found.get((org.pk, year - 1))


def sheet_entries(sheet: ScoreSheet | None) -> dict[str, tuple[Decimal | None, str]]:
    """What people entered on a sheet, {criterion number: (points, evidence)}."""
    if sheet is None or sheet.pk is None:
        return {}
    lines = sheet.lines.filter(computed=False).select_related("criterion")
    return {line.criterion.number: (line.points, line.evidence) for line in lines}


def not_rated_reason(org: Organisation, year: int, data: SchemeData, changes=None) -> str | None:
    if changes is None:
        changes = list(StatusChange.objects.filter(organisation=org))
    return exclusion_reason(org, year, data.rules, changes)


# -- writing --------------------------------------------------------------------------------------------------


def _lock(sheet: ScoreSheet) -> ScoreSheet:
    return (
        ScoreSheet.objects.select_for_update(of=("self",))
        .select_related("organisation__sector", "organisation__subsector", "scheme", "updated_by")
        .get(pk=sheet.pk)
    )


def _check_version(locked: ScoreSheet, expected_version: int | None) -> None:
    if expected_version is None or int(expected_version) == locked.version:
        return
    when = timezone.localtime(locked.updated_at)
    raise StaleSheetError(
        _(
            "%(user)s changed this sheet at %(time)s on %(date)s, after you opened it. Nothing of yours was "
            "saved: reload the page to see the changes, then make yours again."
        )
        % {
            "user": _who(locked.updated_by),
            "time": when.strftime("%H:%M"),
            "date": when.strftime("%d/%m/%Y"),
        },
        code="stale",
    )


def _save(sheet: ScoreSheet, actor: User, action: str) -> ScoreSheet:
    sheet.version += 1
    sheet.updated_by = actor
    sheet._history_user = actor  # type: ignore[attr-defined]
    sheet._change_reason = action  # type: ignore[attr-defined]
    sheet.save()
    return sheet


def _write(
    sheet: ScoreSheet, evaluation: Evaluation, ret: AnnualReturn | None, actor: User, action: str
) -> ScoreSheet:
    """Store an evaluation on the sheet: its scheme, total, class and one line per criterion scored."""
    sheet.scheme = evaluation.data.scheme
    sheet.annual_return = ret
    sheet.total = evaluation.total
    sheet.klass = evaluation.klass
    sheet.forced = evaluation.forced
    sheet.complete = evaluation.complete
    _save(sheet, actor, action)
    ScoreLine.objects.filter(sheet=sheet).delete()
    ScoreLine.objects.bulk_create(
        ScoreLine(
            sheet=sheet,
            criterion=row.criterion,
            points=row.points,
            value=_storable(row.value),
            computed=row.computed,
            evidence=row.evidence,
        )
        for row in evaluation.leaves
        if row.points is not None or row.evidence or row.value is not None
    )
    return sheet


def _storable(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, Decimal | int | float):
        try:
            return Decimal(str(value)).quantize(Decimal("0.0001"))
        except InvalidOperation:
            return None
    return None


def _scheme_or_refuse(org: Organisation, chooser: SchemeChooser | None = None) -> SchemeData:
    scheme = (chooser or read_once("chooser", SchemeChooser.load)).scheme_for(org)
    if scheme is None:
        raise NoSchemeError(
            _("No classification scheme rates %(name)s (%(kind)s, %(sector)s).")
            % {"name": org.name, "kind": org.get_kind_display(), "sector": org.sector.label},
            code="no_scheme",
        )
    return load_scheme(scheme)


@transaction.atomic
def score_compute(*, organisation: Organisation, year: int, actor: User) -> tuple[ScoreSheet, bool]:
    """Score `organisation` for `year` as a draft: computed criteria from the approved return, entered
    points kept; the scheme is the one that rates it today. Returns (sheet, created).

    Refused: PermissionDenied to whoever may not score it; NotRatedError when it is not rated that year;
    NoSchemeError when no scheme rates it; TransitionError when its sheet is submitted or confirmed;
    ValidationError (on "year") for a year outside its life or in the future.
    """
    access.ensure_can_enter(actor, organisation)
    check_year(organisation, year)
    existing = ScoreSheet.objects.filter(organisation=organisation, year=year).first()
    sheet = _lock(existing) if existing else None
    if sheet is not None and not sheet.is_editable:
        raise TransitionError(
            _("The classification of %(name)s for %(year)s is “%(status)s”: it can no longer be recomputed.")
            % _params(sheet),
            code="state",
        )
    data = _scheme_or_refuse(organisation)
    reason = not_rated_reason(organisation, year, data)
    if reason:
        raise NotRatedError(
            _("%(name)s is not rated for %(year)s: %(reason)s.")
            % {"name": organisation.name, "year": year, "reason": reason},
            code="not_rated",
        )
    ret, prev = returns_for(organisation, year)
    entered = sheet_entries(sheet)
    evaluation = evaluate(
        data, org=organisation, ret=ret, prev=prev, entered=entered, fined=bool(sheet and sheet.fined)
    )
    created = sheet is None
    if created:
        sheet = ScoreSheet(organisation=organisation, year=year, created_by=actor)
        try:
            with transaction.atomic():
                _write(sheet, evaluation, ret, actor, "create")
        except IntegrityError:
            # Another request created it between our read and our insert: score that one.
            sheet = _lock(ScoreSheet.objects.get(organisation=organisation, year=year))
            created = False
        else:
            return sheet, True
    return _write(sheet, evaluation, ret, actor, "compute"), created


def _clean_entries(
    data: SchemeData, before: Evaluation, entries: Mapping[str, Any]
) -> dict[str, tuple[Decimal | None, str]]:
    """The entries as (points, evidence) by number; a ValidationError names each criterion that is wrong."""
    rows = before.by_number()
    out: dict[str, tuple[Decimal | None, str]] = {}
    errors: dict[str, list[str]] = {}
    for number, raw in entries.items():
        if isinstance(raw, Mapping):
            points, evidence = raw.get("points"), raw.get("evidence", "")
        else:
            points, evidence = raw
        row = rows.get(number)
        if row is None or not row.is_leaf:
            errors.setdefault("__all__", []).append(
                _("No criterion %(number)s to score.") % {"number": number}
            )
            continue
        if not row.enterable:
            errors.setdefault(number, []).append(
                _("Criterion %(number)s is computed from the approved return.") % {"number": number}
            )
            continue
        evidence = (evidence or "").strip()
        if points in ("", None):
            out[number] = (None, evidence)
            continue
        try:
            value = Decimal(str(points).strip().replace(",", "."))
        except InvalidOperation:
            errors.setdefault(number, []).append(
                _("Criterion %(number)s: “%(value)s” is not a number.") % {"number": number, "value": points}
            )
            continue
        if row.max_points is None:
            errors.setdefault(number, []).append(
                _(
                    "Criterion %(number)s has no maximum points yet: an administrator must enter it from the "
                    "published text before it can be scored."
                )
                % {"number": number}
            )
            continue
        if value < 0 or value > row.max_points:
            errors.setdefault(number, []).append(
                _("Criterion %(number)s: the points must lie between 0 and %(max)s.")
                % {"number": number, "max": format_value(row.max_points)}
            )
            continue
        out[number] = (value, evidence)
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def score_save(
    *,
    sheet: ScoreSheet,
    actor: User,
    entries: Mapping[str, Any],
    expected_version: int | None,
    fined: bool | None = None,
    fine_note: str | None = None,
) -> ScoreSheet:
    """Enter points of a draft or a sent-back sheet, and recompute it from the approved return.

    `entries` maps criterion numbers to {"points": …, "evidence": …} (or (points, evidence)); points
    blank clear the criterion; criteria not in `entries` keep what was entered. `fined` records an
    administrative fine in the year (in the agricultural scheme it forces the class yếu).
    Refused: StaleSheetError, TransitionError, and a ValidationError naming each criterion whose points
    are not a number, above its maximum, or computed from the return. Nothing is written when refused.
    """
    locked = _lock(sheet)
    org = locked.organisation
    access.ensure_can_enter(actor, org)
    _check_version(locked, expected_version)
    if not locked.is_editable:
        raise TransitionError(
            _("The classification of %(name)s for %(year)s is “%(status)s”: it can no longer be changed.")
            % _params(locked),
            code="state",
        )
    data = load_scheme(locked.scheme)
    ret, prev = returns_for(org, locked.year)
    entered = sheet_entries(locked)
    before = evaluate(data, org=org, ret=ret, prev=prev, entered=entered, fined=locked.fined)
    entered.update(_clean_entries(data, before, entries))
    if fined is not None:
        locked.fined = bool(fined)
    if fine_note is not None:
        locked.fine_note = fine_note.strip()
    evaluation = evaluate(data, org=org, ret=ret, prev=prev, entered=entered, fined=locked.fined)
    return _write(locked, evaluation, ret, actor, "save")


def submission_errors(evaluation: Evaluation, *, fined: bool, fine_note: str) -> dict[str, list[str]]:
    """Why a sheet cannot be submitted yet, by criterion number ("__all__" for the sheet)."""
    errors: dict[str, list[str]] = {}
    for problem in evaluation.problems:
        errors.setdefault("__all__", []).append(problem)
    for row in evaluation.missing:
        errors.setdefault(row.criterion.number, []).append(
            _("Criterion %(number)s is not scored.") % {"number": row.criterion.number}
        )
    for row in evaluation.leaves:
        if row.enterable and row.points and not row.evidence:
            errors.setdefault(row.criterion.number, []).append(
                _("Criterion %(number)s: give the evidence for the points entered.")
                % {"number": row.criterion.number}
            )
    if fined and not fine_note.strip():
        errors.setdefault("fine_note", []).append(
            _("Describe the fine: the decision, its date and what it was for.")
        )
    return errors


@transaction.atomic
def score_submit(*, sheet: ScoreSheet, actor: User, expected_version: int | None = None) -> ScoreSheet:
    """Submit a draft or sent-back sheet for confirmation, recomputed from the approved return.

    Refused (SheetIncompleteError, naming each criterion) while a criterion is not scored, points
    entered lack their evidence, or the scheme itself is incomplete.
    """
    locked = _lock(sheet)
    org = locked.organisation
    access.ensure_can_enter(actor, org)
    _check_version(locked, expected_version)
    if locked.status == Status.SUBMITTED:
        raise TransitionError(
            _("The classification of %(name)s for %(year)s has already been submitted.") % _params(locked),
            code="state",
        )
    if locked.status == Status.CONFIRMED:
        raise TransitionError(
            _("The classification of %(name)s for %(year)s is confirmed: it cannot be submitted again.")
            % _params(locked),
            code="state",
        )
    data = load_scheme(locked.scheme)
    ret, prev = returns_for(org, locked.year)
    evaluation = evaluate(
        data, org=org, ret=ret, prev=prev, entered=sheet_entries(locked), fined=locked.fined
    )
    errors = submission_errors(evaluation, fined=locked.fined, fine_note=locked.fine_note)
    if errors:
        raise SheetIncompleteError(errors)
    locked.status = Status.SUBMITTED
    locked.submitted_at, locked.submitted_by = timezone.now(), actor
    return _write(locked, evaluation, ret, actor, "submit")


@transaction.atomic
def score_confirm(*, sheet: ScoreSheet, actor: User, expected_version: int | None = None) -> ScoreSheet:
    """Confirm a submitted sheet, which locks it: its class counts in the indicators."""
    locked = _lock(sheet)
    access.ensure_can_confirm(actor, locked.organisation)
    _check_version(locked, expected_version)
    if locked.status != Status.SUBMITTED:
        message = (
            _("The classification of %(name)s for %(year)s is already confirmed.")
            if locked.status == Status.CONFIRMED
            else _("Only a submitted sheet can be confirmed; that of %(name)s for %(year)s is “%(status)s”.")
        )
        raise TransitionError(message % _params(locked), code="state")
    locked.status = Status.CONFIRMED
    locked.confirmed_at, locked.confirmed_by = timezone.now(), actor
    return _save(locked, actor, "confirm")


def _reason(reason: str | None, message: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": message}, code="required")
    return text


@transaction.atomic
def score_return(
    *, sheet: ScoreSheet, actor: User, reason: str, expected_version: int | None = None
) -> ScoreSheet:
    """Send a submitted sheet back for correction, with the reason the organisation will read."""
    locked = _lock(sheet)
    access.ensure_can_confirm(actor, locked.organisation)
    _check_version(locked, expected_version)
    text = _reason(reason, _("Give the reason for sending the sheet back: the organisation will read it."))
    if locked.status != Status.SUBMITTED:
        raise TransitionError(
            _("Only a submitted sheet can be sent back; that of %(name)s for %(year)s is “%(status)s”.")
            % _params(locked),
            code="state",
        )
    locked.status = Status.RETURNED
    locked.returned_at, locked.returned_by, locked.returned_reason = timezone.now(), actor, text
    return _save(locked, actor, "send_back")


@transaction.atomic
def score_reopen(
    *, sheet: ScoreSheet, actor: User, reason: str, expected_version: int | None = None
) -> ScoreSheet:
    """Reopen a confirmed sheet, with a required reason: it becomes a draft again."""
    locked = _lock(sheet)
    access.ensure_can_confirm(actor, locked.organisation)
    _check_version(locked, expected_version)
    text = _reason(reason, _("Give the reason for reopening the confirmed classification."))
    if locked.status != Status.CONFIRMED:
        raise TransitionError(
            _("Only a confirmed sheet can be reopened; that of %(name)s for %(year)s is “%(status)s”.")
            % _params(locked),
            code="state",
        )
    locked.status = Status.DRAFT
    locked.confirmed_at = locked.confirmed_by = None
    locked.reopened_at, locked.reopened_by, locked.reopened_reason = timezone.now(), actor, text
    return _save(locked, actor, "reopen")


# -- bulk ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What the bulk scoring did with one organisation, and why."""

    SCORED = "scored"
    NEEDS_INPUT = "needs_input"
    NO_RETURN = "no_return"
    NOT_RATED = "not_rated"
    NO_SCHEME = "no_scheme"
    LOCKED = "locked"

    organisation: Organisation
    kind: str
    detail: str = ""
    total: Decimal | None = None
    klass: str = ""
    missing: tuple[str, ...] = ()


@dataclass
class BulkReport:
    year: int
    dry_run: bool
    outcomes: list[Outcome] = field(default_factory=list)

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def scored(self) -> list[Outcome]:
        return self.of(Outcome.SCORED)

    @property
    def needs_input(self) -> list[Outcome]:
        """Cooperatives that a person must finish: criteria to enter, or no approved return."""
        return self.of(Outcome.NEEDS_INPUT) + self.of(Outcome.NO_RETURN)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for o in self.outcomes:
            out[o.kind] += 1
        return dict(out)


def bulk_organisations(actor: User, year: int, unit: Unit | None, kinds: Iterable[str]):
    """Organisations of the actor's scope (under `unit`) that existed during `year`, of the rated kinds."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    qs = (
        visible_organisations(actor)
        .not_archived()
        .filter(kind__in=list(kinds))
        .filter(Q(founded_on__lte=last) | Q(founded_on__isnull=True))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
    )
    if unit is not None:
        qs = qs.filter(unit_scope_q(unit))
    return qs.select_related("sector", "subsector").order_by("name_folded", "pk")


def scores_compute_bulk(*, unit: Unit | None, year: int, actor: User, dry_run: bool = False) -> BulkReport:
    """Score, as drafts, every cooperative of the actor's scope under `unit` whose criteria can all be
    filled (from the approved return, and what people entered on an existing draft); report the others:
    those that need criteria entered by a person, have no approved return, are not rated this year, have
    no scheme, or whose sheet is already submitted or confirmed.

    With `dry_run`, nothing is written and the report says what would be. The reads cost a fixed number
    of queries; each sheet is written in its own transaction.
    """
    if not access.may_enter_scores(actor):
        raise PermissionDenied(_("You may not score cooperatives."))
    chooser = SchemeChooser.load(criteria=True)
    orgs = list(bulk_organisations(actor, year, unit, chooser.rated_kinds or RATED_KINDS_ALL))
    ids = [o.pk for o in orgs]
    rets = approved_returns(ids, [year, year - 1])
    sheets = {
        s.organisation_id: s
        for s in ScoreSheet.objects.filter(organisation_id__in=ids, year=year).prefetch_related(
            Prefetch("lines", queryset=ScoreLine.objects.filter(computed=False).select_related("criterion"))
        )
    }
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for change in StatusChange.objects.filter(
        organisation_id__in=ids, effective_on__lte=datetime.date(year, 12, 31)
    ):
        changes[change.organisation_id].append(change)
    loaded: dict[int, SchemeData] = {}
    report = BulkReport(year=year, dry_run=dry_run)
    for org in orgs:
        scheme = chooser.scheme_for(org)
        if scheme is None:
            report.outcomes.append(Outcome(org, Outcome.NO_SCHEME, _("no classification scheme rates it")))
            continue
        data = loaded.setdefault(scheme.pk, SchemeData(
            scheme=scheme,
            criteria=list(scheme.criteria.all()),
            thresholds=sorted(scheme.thresholds.all(), key=lambda t: t.min_points, reverse=True),
            rules=list(scheme.rules.all()),
        ))  # fmt: skip
        reason = exclusion_reason(org, year, data.rules, changes.get(org.pk, []))
        if reason:
            report.outcomes.append(Outcome(org, Outcome.NOT_RATED, reason))
            continue
        sheet = sheets.get(org.pk)
        if sheet is not None and not sheet.is_editable:
            report.outcomes.append(
                Outcome(org, Outcome.LOCKED, sheet.get_status_display(), sheet.total, sheet.klass)
            )
            continue
        ret = rets.get((org.pk, year))
        if ret is None:
            report.outcomes.append(Outcome(org, Outcome.NO_RETURN, _("no approved return for the year")))
            continue
        entered = (
            {line.criterion.number: (line.points, line.evidence) for line in sheet.lines.all()}
            if sheet
            else {}
        )
        evaluation = evaluate(
            data, org=org, ret=ret, prev=rets.get((org.pk, year - 1)), entered=entered,
            fined=bool(sheet and sheet.fined),
        )  # fmt: skip
        if not evaluation.complete:
            missing = tuple(r.criterion.number for r in evaluation.missing)
            detail = "; ".join(evaluation.problems) if evaluation.problems else (
                _("criteria to enter: %(numbers)s") % {"numbers": ", ".join(missing)}
            )  # fmt: skip
            report.outcomes.append(Outcome(org, Outcome.NEEDS_INPUT, detail, evaluation.total, "", missing))
            continue
        if not dry_run:
            with transaction.atomic():
                target = sheet or ScoreSheet(organisation=org, year=year, created_by=actor)
                if sheet is not None:
                    target = _lock(sheet)
                    _check_version(target, sheet.version)
                _write(target, evaluation, ret, actor, "compute" if sheet else "create")
        report.outcomes.append(Outcome(org, Outcome.SCORED, "", evaluation.total, evaluation.klass))
    return report
