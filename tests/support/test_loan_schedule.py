"""A loan's schedule and where it stands on a day: equal principal instalments, overdue, status."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

from hoptac.support.loans import add_months, position, schedule

D = Decimal


def loan(amount="120", disbursed=datetime.date(2023, 1, 15), term=12, kind="quarterly", written_off_on=None):
    return SimpleNamespace(
        amount=D(amount),
        disbursed_on=disbursed,
        term_months=term,
        schedule=kind,
        written_off_on=written_off_on,
    )


def paid(day, principal, interest="0"):
    return SimpleNamespace(paid_on=day, principal=D(principal), interest=D(interest))


def test_add_months_keeps_the_day_or_takes_the_last_day_of_a_shorter_month():
    assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2023, 11, 30), 3) == datetime.date(2024, 2, 29)
    assert add_months(datetime.date(2023, 5, 15), 12) == datetime.date(2024, 5, 15)


def test_quarterly_schedule_has_equal_instalments_ending_at_maturity():
    rows = schedule(
        amount=D("120"), disbursed_on=datetime.date(2023, 1, 15), term_months=12, kind="quarterly"
    )
    assert [r.due_on for r in rows] == [
        datetime.date(2023, 4, 15),
        datetime.date(2023, 7, 15),
        datetime.date(2023, 10, 15),
        datetime.date(2024, 1, 15),
    ]
    assert [r.principal for r in rows] == [D(30)] * 4
    assert rows[-1].cumulative == D(120)


def test_monthly_instalments_round_to_the_thousand_dong_and_the_last_one_makes_up_the_amount():
    rows = schedule(amount=D("100"), disbursed_on=datetime.date(2024, 1, 10), term_months=3, kind="monthly")
    assert [r.principal for r in rows] == [D("33.333"), D("33.334"), D("33.333")]
    assert sum(r.principal for r in rows) == D(100)


def test_a_term_that_is_not_a_whole_number_of_quarters_ends_with_a_short_last_period():
    rows = schedule(amount=D("90"), disbursed_on=datetime.date(2024, 1, 1), term_months=7, kind="quarterly")
    assert [r.due_on for r in rows] == [
        datetime.date(2024, 4, 1),
        datetime.date(2024, 7, 1),
        datetime.date(2024, 8, 1),
    ]


def test_at_maturity_there_is_one_instalment():
    rows = schedule(amount=D("50"), disbursed_on=datetime.date(2024, 3, 1), term_months=18, kind="maturity")
    assert [(r.due_on, r.principal) for r in rows] == [(datetime.date(2025, 9, 1), D(50))]


def test_an_instalment_due_today_is_not_overdue_yet_and_is_the_day_after():
    lo = loan()
    assert position(lo, [], datetime.date(2023, 4, 15)).status == "current"
    pos = position(lo, [], datetime.date(2023, 4, 16))
    assert (pos.status, pos.overdue, pos.days_overdue, pos.outstanding) == ("overdue", D(30), 1, D(120))


def test_overdue_is_scheduled_principal_past_due_minus_what_was_repaid_by_that_day():
    lo = loan()
    repayments = [paid(datetime.date(2023, 4, 15), "30"), paid(datetime.date(2023, 9, 1), "10")]
    pos = position(lo, repayments, datetime.date(2023, 10, 20))
    # due: 90 (three instalments before 20/10); repaid: 40
    assert (pos.due, pos.repaid, pos.overdue, pos.outstanding) == (D(90), D(40), D(50), D(80))
    # the first instalment still unpaid is the second (15/07/2023)
    assert pos.days_overdue == (datetime.date(2023, 10, 20) - datetime.date(2023, 7, 15)).days
    assert pos.next_due_on == datetime.date(2024, 1, 15)


def test_repayments_after_the_day_do_not_count_on_that_day():
    lo = loan()
    repayments = [paid(datetime.date(2023, 5, 1), "30")]
    assert position(lo, repayments, datetime.date(2023, 4, 20)).overdue == D(30)
    assert position(lo, repayments, datetime.date(2023, 5, 1)).status == "current"


def test_status_goes_current_overdue_current_repaid():
    lo = loan()
    repayments = [paid(datetime.date(2023, 4, 15), "30"), paid(datetime.date(2023, 8, 10), "30", "2.5")]
    assert position(lo, repayments, datetime.date(2023, 6, 1)).status == "current"
    assert position(lo, repayments, datetime.date(2023, 8, 1)).status == "overdue"
    assert position(lo, repayments, datetime.date(2023, 8, 10)).status == "current"
    repayments.append(paid(datetime.date(2023, 12, 1), "60"))
    pos = position(lo, repayments, datetime.date(2024, 6, 1))
    assert (pos.status, pos.outstanding, pos.overdue, pos.interest_paid) == ("repaid", D(0), D(0), D("2.5"))


def test_a_written_off_loan_has_nothing_outstanding_and_keeps_the_amount_written_off():
    lo = loan(written_off_on=datetime.date(2024, 3, 1))
    repayments = [paid(datetime.date(2023, 4, 15), "30")]
    assert position(lo, repayments, datetime.date(2024, 2, 1)).status == "overdue"
    pos = position(lo, repayments, datetime.date(2024, 3, 1))
    assert (pos.status, pos.outstanding, pos.overdue, pos.written_off) == ("written_off", D(0), D(0), D(90))


def test_before_disbursement_a_loan_has_no_status():
    assert position(loan(), [], datetime.date(2022, 12, 31)).status == ""
