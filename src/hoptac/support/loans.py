"""A fund loan's schedule, and where it stands on a given day: outstanding, overdue, status.

The assumption (the fund's contracts were not available): the principal is repaid in equal
instalments, every month or every quarter counted from the disbursement date, the last one at
maturity (disbursement + term), or all of it at maturity (`Loan.schedule`). Instalment k is due on
the same day of the month k periods after disbursement (the month's last day when it has no such day);
the cumulative principal due after instalment k is amount × k ÷ n rounded to the thousand đồng, so the
last one brings it to the amount exactly.

On a day D:
- repaid      principal of the repayments dated on or before D;
- outstanding amount − repaid (0 once written off on or before D);
- due         cumulative principal of the instalments due strictly before D (an instalment due
              today may still be paid today);
- overdue     max(0, due − repaid): scheduled principal past its date and unpaid;
- status      written off (written off on or before D), repaid (nothing outstanding), overdue
              (something overdue), otherwise current.
Interest is recorded as paid; its arrears are not computed.

These are plain functions of a loan and its repayments, so a page of loans costs two queries (the
loans, their repayments) and no query per loan.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import Loan, Repayment

THOUSAND_DONG = Decimal("0.001")
ZERO = Decimal(0)
STEP_MONTHS = {Loan.Schedule.MONTHLY: 1, Loan.Schedule.QUARTERLY: 3}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the last day of that month when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Instalment:
    number: int
    due_on: datetime.date
    principal: Decimal  # this instalment's principal
    cumulative: Decimal  # principal due once this instalment is due


def schedule(
    *, amount: Decimal, disbursed_on: datetime.date, term_months: int, kind: str
) -> list[Instalment]:
    """The principal instalments of a loan (see the module docstring)."""
    step = STEP_MONTHS.get(kind)
    if step is None or term_months <= 0:
        dues = [add_months(disbursed_on, max(term_months, 0))]
    else:
        dues = [add_months(disbursed_on, months) for months in range(step, term_months, step)]
        dues.append(add_months(disbursed_on, term_months))
    n = len(dues)
    out, previous = [], ZERO
    for k, due_on in enumerate(dues, start=1):
        cumulative = (amount * k / n).quantize(THOUSAND_DONG, ROUND_HALF_UP) if k < n else amount
        out.append(Instalment(k, due_on, cumulative - previous, cumulative))
        previous = cumulative
    return out


def loan_schedule(loan: Loan) -> list[Instalment]:
    return schedule(
        amount=loan.amount, disbursed_on=loan.disbursed_on, term_months=loan.term_months, kind=loan.schedule
    )


@dataclass(frozen=True)
class Position:
    """Where a loan stands on `as_of` (amounts in million VND)."""

    as_of: datetime.date
    status: str  # Loan.Status, or "" when the loan was not disbursed yet on that day
    repaid: Decimal
    interest_paid: Decimal
    outstanding: Decimal
    due: Decimal
    overdue: Decimal
    days_overdue: int  # since the first instalment that is still unpaid, 0 when nothing is overdue
    written_off: Decimal  # the principal written off, when written off by then
    next_due_on: datetime.date | None
    maturity: datetime.date

    @property
    def status_label(self) -> str:
        return str(Loan.Status(self.status).label) if self.status else ""

    @property
    def is_open(self) -> bool:
        return self.status in (Loan.Status.CURRENT, Loan.Status.OVERDUE)


def position(loan: Loan, repayments: Iterable[Repayment], as_of: datetime.date) -> Position:
    """Where `loan` stands on `as_of`, from its repayments (any order; those after `as_of` are ignored)."""
    paid = [r for r in repayments if r.paid_on <= as_of]
    repaid = sum((r.principal for r in paid), ZERO)
    interest_paid = sum((r.interest for r in paid), ZERO)
    instalments = loan_schedule(loan)
    maturity = instalments[-1].due_on
    if loan.disbursed_on > as_of:
        return Position(as_of, "", ZERO, ZERO, ZERO, ZERO, ZERO, 0, ZERO, instalments[0].due_on, maturity)
    written_off = loan.written_off_on is not None and loan.written_off_on <= as_of
    outstanding = max(loan.amount - repaid, ZERO)
    due = ZERO
    first_unpaid: Instalment | None = None
    next_due_on = None
    for inst in instalments:
        if inst.due_on < as_of:
            due = inst.cumulative
            if first_unpaid is None and inst.cumulative > repaid:
                first_unpaid = inst
        elif next_due_on is None and inst.cumulative > repaid:
            next_due_on = inst.due_on
    if written_off:
        return Position(
            as_of,
            Loan.Status.WRITTEN_OFF,
            repaid,
            interest_paid,
            ZERO,
            due,
            ZERO,
            0,
            outstanding,
            None,
            maturity,
        )
    if outstanding == 0:
        return Position(
            as_of, Loan.Status.REPAID, repaid, interest_paid, ZERO, due, ZERO, 0, ZERO, None, maturity
        )
    overdue = max(due - repaid, ZERO)
    days = (as_of - first_unpaid.due_on).days if overdue and first_unpaid is not None else 0
    status = Loan.Status.OVERDUE if overdue else Loan.Status.CURRENT
    return Position(
        as_of, status, repaid, interest_paid, outstanding, due, overdue, days, ZERO, next_due_on, maturity
    )
