"""Reads of yearly returns that span tables: the reporting round of a year, an organisation's returns.

Every read starts from the user's scope (hoptac.accounts.access), so a filter only narrows it. The
round costs a fixed number of queries whatever the number of organisations.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoptac.accounts import access as account_access
from hoptac.accounts.models import User
from hoptac.core.text import fold
from hoptac.registry.models import Organisation
from hoptac.units.models import Unit

from .access import can_enter, may_approve_returns
from .models import AnnualReturn

# The state of an organisation in a year's round: its return's status, or no return.
MISSING = "missing"
NOT_REQUIRED = "not_required"
ROUND_STATUS_LABELS = {
    MISSING: _("Missing"),
    AnnualReturn.Status.DRAFT.value: _("Draft"),
    AnnualReturn.Status.SUBMITTED.value: _("Submitted"),
    AnnualReturn.Status.RETURNED.value: _("Sent back"),
    AnnualReturn.Status.APPROVED.value: _("Approved"),
    NOT_REQUIRED: _("Not required (ended during the year)"),
}
ROUND_RELATED = ("unit", "current_commune")


def current_reporting_year() -> int:
    """The year whose round is under way: the data period of year Y ends on 14/12/Y."""
    return timezone.localdate().year


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def round_queryset(
    user: User, year: int, *, q: str = "", unit: Unit | None = None, status: str = ""
) -> QuerySet[Organisation]:
    """Organisations of the user's scope in the round of `year`, each annotated with `round_status`
    and `return_pk`.

    The round holds every organisation that existed at some time during the year (founded by 31/12,
    not ended by 01/01), and any organisation that has a return for the year. A return is expected
    from those that still existed on 31/12; one ended during the year is "not required" unless it
    reported anyway. Archived organisations are left out, as in the registry's lists.
    """
    first, last = year_bounds(year)
    returns = AnnualReturn.objects.filter(organisation=OuterRef("pk"), year=year)
    existed = (Q(founded_on__lte=last) | Q(founded_on__isnull=True)) & (
        Q(ended_on__isnull=True) | Q(ended_on__gt=first)
    )
    ended_in_year = Q(ended_on__isnull=False, ended_on__lte=last)
    qs = (
        account_access.visible_organisations(user)
        .not_archived()
        .annotate(has_return=Exists(returns))
        .filter(existed | Q(has_return=True))
        .annotate(
            return_pk=Subquery(returns.values("pk")[:1]),
            round_status=Coalesce(
                Subquery(returns.values("status")[:1]),
                Case(When(ended_in_year, then=Value(NOT_REQUIRED)), default=Value(MISSING)),
                output_field=CharField(),
            ),
        )
    )
    if unit is not None:
        qs = qs.filter(account_access.unit_scope_q(unit))
    if q.strip():
        folded = fold(q)
        qs = qs.filter(Q(name_folded__contains=folded) | Q(code__icontains=q.strip()))
    if status:
        qs = qs.filter(round_status=status)
    return qs.select_related(*ROUND_RELATED).order_by("name_folded", "pk")


@dataclass(frozen=True)
class RoundCounts:
    by_status: dict[str, int]
    expected: int  # every organisation but those ended during the year without a return

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def approved(self) -> int:
        return self.by_status.get(AnnualReturn.Status.APPROVED, 0)

    @property
    def reported(self) -> int:
        """Returns submitted or approved (a draft or a return sent back is not yet reported)."""
        return self.approved + self.by_status.get(AnnualReturn.Status.SUBMITTED, 0)

    @property
    def approved_percent(self) -> int:
        return round(100 * self.approved / self.expected) if self.expected else 0

    @property
    def reported_percent(self) -> int:
        return round(100 * self.reported / self.expected) if self.expected else 0

    @property
    def waiting_percent(self) -> int:
        """The part of the progress bar for returns submitted and not yet approved."""
        return self.reported_percent - self.approved_percent

    def items(self) -> list[tuple[str, Any, int]]:
        return [(key, label, self.by_status.get(key, 0)) for key, label in ROUND_STATUS_LABELS.items()]


def round_counts(qs: QuerySet[Organisation]) -> RoundCounts:
    """Organisations of the round by state, in one query."""
    aggregates = qs.order_by().aggregate(
        **{f"n_{key}": Count("pk", filter=Q(round_status=key)) for key in ROUND_STATUS_LABELS}
    )
    by_status = {key: aggregates[f"n_{key}"] for key in ROUND_STATUS_LABELS}
    return RoundCounts(by_status=by_status, expected=sum(by_status.values()) - by_status[NOT_REQUIRED])


@dataclass
class RoundRow:
    organisation: Organisation
    status: str
    ret: AnnualReturn | None
    approvable: bool = False

    @property
    def status_label(self) -> Any:
        return ROUND_STATUS_LABELS.get(self.status, self.status)


def round_rows(orgs: list[Organisation], *, user: User) -> list[RoundRow]:
    """The page's rows, with their returns fetched in one query."""
    pks = [o.return_pk for o in orgs if o.return_pk]
    rets = (
        {
            r.pk: r
            for r in AnnualReturn.objects.filter(pk__in=pks).select_related("submitted_by", "approved_by")
        }
        if pks
        else {}
    )
    may_approve = may_approve_returns(user)
    rows = []
    for org in orgs:
        ret = rets.get(org.return_pk)
        rows.append(
            RoundRow(
                organisation=org,
                status=org.round_status,
                ret=ret,
                # Everything on the page is in the user's scope already: the role decides.
                approvable=bool(may_approve and ret and ret.status == AnnualReturn.Status.SUBMITTED),
            )
        )
    return rows


@dataclass
class OrganisationReturnRow:
    year: int
    ret: AnnualReturn | None
    status: str

    @property
    def status_label(self) -> Any:
        return ROUND_STATUS_LABELS.get(self.status, self.status)


@dataclass
class OrganisationReturns:
    """What the organisation page shows of its returns: one row per year, newest first."""

    organisation: Organisation
    rows: list[OrganisationReturnRow] = field(default_factory=list)
    can_enter: bool = False


# How many years back the organisation page lists, besides those with a return.
YEARS_SHOWN = 6


def returns_for_organisation(user: User, org: Organisation) -> OrganisationReturns:
    """The returns of `org` by year, for its page (include "returns/_organisation_returns.html" with
    `org_returns=` this). The caller has already checked that `user` may see `org`. Two queries."""
    rets = {r.year: r for r in AnnualReturn.objects.filter(organisation=org)}
    last = current_reporting_year()
    if org.ended_on:
        # Ended on 01/01/Y: it did not exist in Y.
        ended = org.ended_on
        last = min(last, ended.year if ended > datetime.date(ended.year, 1, 1) else ended.year - 1)
    first = max(last - YEARS_SHOWN + 1, org.founded_on.year if org.founded_on else last - YEARS_SHOWN + 1)
    years = sorted(set(range(first, last + 1)) | set(rets), reverse=True)
    rows = []
    for year in years:
        ret = rets.get(year)
        status = ret.status if ret else MISSING
        if ret is None and org.ended_on and org.ended_on <= datetime.date(year, 12, 31):
            status = NOT_REQUIRED
        rows.append(OrganisationReturnRow(year=year, ret=ret, status=status))
    return OrganisationReturns(organisation=org, rows=rows, can_enter=can_enter(user, org))
