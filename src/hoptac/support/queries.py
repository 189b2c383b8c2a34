"""Reads behind the support pages: the list with its totals, the loan book, an organisation's section.

Each costs a fixed number of queries whatever the number of records or loans: records come with
their organisation, topic, agency and plan in one query; loans in one and their repayments in one
more, where and how much is due computed in Python (loans.py).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, F, QuerySet, Sum
from django.db.models import Value as V
from django.db.models.functions import Coalesce
from django.utils import timezone

from hoptac.accounts.access import unit_scope_q
from hoptac.accounts.models import User
from hoptac.registry.models import Organisation, Sector
from hoptac.units.models import Unit

from . import access
from .loans import Position, position
from .models import Loan, Repayment, SupportRecord, SupportTopic, UnionActivity

ZERO = Decimal(0)
MONEY_FIELD = DecimalField(max_digits=20, decimal_places=3)
VALUE = Coalesce(F("amount"), F("estimated_value"), V(ZERO), output_field=MONEY_FIELD)
RECORD_RELATED = (
    "organisation__sector",
    "organisation__unit",
    "organisation__current_commune",
    "topic",
    "agency",
    "plan",
)


@dataclass(frozen=True)
class SupportFilters:
    unit: Unit | None = None
    year: int | None = None
    topic: SupportTopic | None = None
    sector: Sector | None = None
    organisation: Organisation | None = None


def support_queryset(user: User, filters: SupportFilters) -> QuerySet[SupportRecord]:
    """The support records `user` may see that match the filters, newest first (archived organisations left out)."""
    qs = access.visible_support_records(user).filter(organisation__archived=False)
    if filters.unit is not None:
        qs = qs.filter(unit_scope_q(filters.unit, prefix="organisation__"))
    if filters.year is not None:
        qs = qs.filter(given_on__year=filters.year)
    if filters.topic is not None:
        qs = qs.filter(topic=filters.topic)
    if filters.sector is not None:
        qs = qs.filter(organisation__sector=filters.sector)
    if filters.organisation is not None:
        qs = qs.filter(organisation=filters.organisation)
    return qs.select_related(*RECORD_RELATED).order_by("-given_on", "-id")


@dataclass(frozen=True)
class Total:
    key: str
    label: str
    records: int
    organisations: int
    value: Decimal


@dataclass(frozen=True)
class SupportTotals:
    records: int
    organisations: int
    value: Decimal
    money: Decimal
    in_kind: Decimal
    by_topic: list[Total]
    by_sector: list[Total]


def support_totals(qs: QuerySet[SupportRecord]) -> SupportTotals:
    """Totals of the filtered records: overall, by topic and by sector of the organisation (three queries)."""
    base = qs.order_by()
    overall = base.aggregate(
        records=Count("pk"),
        organisations=Count("organisation", distinct=True),
        value=Coalesce(Sum(VALUE), V(ZERO), output_field=MONEY_FIELD),
        money=Coalesce(Sum("amount"), V(ZERO), output_field=MONEY_FIELD),
        in_kind=Coalesce(Sum("estimated_value"), V(ZERO), output_field=MONEY_FIELD),
    )

    def grouped(*fields: str) -> list[dict]:
        return list(
            base.values(*fields)
            .annotate(
                records=Count("pk"),
                organisations=Count("organisation", distinct=True),
                value=Coalesce(Sum(VALUE), V(ZERO), output_field=MONEY_FIELD),
            )
            .order_by()
        )

    topics = grouped("topic__code", "topic__name_vi", "topic__name_en", "topic__order")
    sectors = grouped(
        "organisation__sector__code",
        "organisation__sector__name_vi",
        "organisation__sector__name_en",
        "organisation__sector__order",
    )
    english = _english()
    by_topic = [
        Total(
            r["topic__code"],
            r["topic__name_en" if english else "topic__name_vi"],
            r["records"],
            r["organisations"],
            r["value"],
        )
        for r in sorted(topics, key=lambda r: (r["topic__order"], r["topic__code"]))
    ]
    by_sector = [
        Total(
            r["organisation__sector__code"],
            r["organisation__sector__name_en" if english else "organisation__sector__name_vi"],
            r["records"],
            r["organisations"],
            r["value"],
        )
        for r in sorted(
            sectors, key=lambda r: (r["organisation__sector__order"], r["organisation__sector__code"])
        )
    ]
    return SupportTotals(
        records=overall["records"],
        organisations=overall["organisations"],
        value=overall["value"],
        money=overall["money"],
        in_kind=overall["in_kind"],
        by_topic=by_topic,
        by_sector=by_sector,
    )


def _english() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "vi").startswith("en")


# -- loans -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoanRow:
    loan: Loan
    position: Position
    repayments: list[Repayment]


@dataclass(frozen=True)
class LoanFilters:
    unit: Unit | None = None
    sector: Sector | None = None
    status: str = ""
    organisation: Organisation | None = None


def loans_queryset(user: User | None, filters: LoanFilters) -> QuerySet[Loan]:
    """Loans `user` may see (every loan for None: the commands) matching the filters."""
    qs = access.visible_loans(user) if user is not None else Loan.objects.all()
    qs = qs.filter(organisation__archived=False)
    if filters.unit is not None:
        qs = qs.filter(unit_scope_q(filters.unit, prefix="organisation__"))
    if filters.sector is not None:
        qs = qs.filter(organisation__sector=filters.sector)
    if filters.organisation is not None:
        qs = qs.filter(organisation=filters.organisation)
    return qs.select_related("organisation__sector", "organisation__unit", "agency").order_by(
        "organisation__name", "-disbursed_on", "-id"
    )


def loan_rows(qs: QuerySet[Loan], as_of: datetime.date, *, status: str = "") -> list[LoanRow]:
    """Each loan with where it stands on `as_of` (two queries); loans not disbursed by then are left out."""
    loans = list(qs)
    repayments: dict[int, list[Repayment]] = defaultdict(list)
    if loans:
        for r in Repayment.objects.filter(loan__in=[loan.pk for loan in loans]).order_by("paid_on", "id"):
            repayments[r.loan_id].append(r)
    rows = []
    for loan in loans:
        pos = position(loan, repayments[loan.pk], as_of)
        if not pos.status or (status and pos.status != status):
            continue
        rows.append(LoanRow(loan, pos, repayments[loan.pk]))
    return rows


@dataclass
class BookLine:
    key: str
    label: str
    loans: int = 0
    amount: Decimal = ZERO
    outstanding: Decimal = ZERO
    overdue: Decimal = ZERO
    overdue_loans: int = 0


@dataclass
class LoanBook:
    as_of: datetime.date
    rows: list[LoanRow]
    total: BookLine
    by_sector: list[BookLine] = field(default_factory=list)
    by_status: list[BookLine] = field(default_factory=list)

    @property
    def overdue_share(self) -> Decimal | None:
        """Overdue principal as a percentage of the outstanding principal."""
        if not self.total.outstanding:
            return None
        return (self.total.overdue * 100 / self.total.outstanding).quantize(Decimal("0.01"))


def _add(line: BookLine, row: LoanRow) -> None:
    line.loans += 1
    line.amount += row.loan.amount
    line.outstanding += row.position.outstanding
    line.overdue += row.position.overdue
    line.overdue_loans += 1 if row.position.overdue else 0


def loan_book(rows: list[LoanRow], as_of: datetime.date) -> LoanBook:
    """Totals of the loans: overall, by sector of the borrower and by status."""
    total = BookLine("", "")
    sectors: dict[str, BookLine] = {}
    order: dict[str, tuple] = {}
    statuses = {s: BookLine(s, str(label)) for s, label in Loan.Status.choices}
    for row in rows:
        _add(total, row)
        sector = row.loan.organisation.sector
        if sector.code not in sectors:
            sectors[sector.code] = BookLine(sector.code, sector.label)
            order[sector.code] = (sector.order, sector.code)
        _add(sectors[sector.code], row)
        _add(statuses[row.position.status], row)
    return LoanBook(
        as_of=as_of,
        rows=rows,
        total=total,
        by_sector=[sectors[c] for c in sorted(sectors, key=order.__getitem__)],
        by_status=[line for line in statuses.values() if line.loans],
    )


# -- an organisation's page --------------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSupport:
    organisation: Organisation
    records: list[SupportRecord]
    total_value: Decimal
    loans: list[LoanRow]
    outstanding: Decimal
    overdue: Decimal
    can_write: bool
    as_of: datetime.date


def support_for_organisation(user: User, org: Organisation) -> OrganisationSupport:
    """What the organisation page's "Support and loans" card shows (include "support/_organisation_support.html"
    with `org_support=` this). The caller has already checked that `user` may see `org`. Four queries."""
    records = list(
        SupportRecord.objects.filter(organisation=org)
        .select_related("topic", "agency", "plan")
        .order_by("-given_on", "-id")
    )
    today = timezone.localdate()
    loans = loan_rows(
        Loan.objects.filter(organisation=org).select_related("agency").order_by("-disbursed_on", "-id"), today
    )
    return OrganisationSupport(
        organisation=org,
        records=records,
        total_value=sum((r.value for r in records), ZERO),
        loans=loans,
        outstanding=sum((row.position.outstanding for row in loans), ZERO),
        overdue=sum((row.position.overdue for row in loans), ZERO),
        can_write=access.can_write_for(user, org),
        as_of=today,
    )


# -- the Farmers' Union's counts ------------------------------------------------------------------------------


def union_activity_queryset(
    user: User, *, unit: Unit | None = None, year: int | None = None
) -> QuerySet[UnionActivity]:
    qs = access.visible_union_activities(user)
    if unit is not None:
        qs = qs.filter(unit_scope_q(unit))
    if year is not None:
        qs = qs.filter(year=year)
    return qs.select_related("unit__parent", "topic", "sector", "organisation").order_by(
        "-year", "unit__path", "topic__order", "id"
    )
