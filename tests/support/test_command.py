"""`hoptac loans --unit U`: the fund's loans of a unit with what is outstanding and overdue on a day."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

D = Decimal


def run(*args):
    out = io.StringIO()
    call_command("loans", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def book(make_org, loan, repay, units):
    here = make_org("HTX Chè Than Uyên", code="6201000001")
    there = make_org("HTX Tân Uyên", unit=units.xa_tan_uyen)
    late = loan(here, D("120"), datetime.date(2023, 1, 15), term_months=12)
    repay(late, datetime.date(2023, 4, 15), D("30"), D("1.8"))
    paid = loan(there, D("40"), datetime.date(2023, 2, 1), term_months=12, schedule="maturity")
    repay(paid, datetime.date(2024, 1, 20), D("40"))
    return here, there


def test_json_lists_each_loan_with_outstanding_overdue_and_status_on_the_day(book):
    data = json.loads(run("--unit", "commune:03595", "--as-of", "2023-08-01", "--format", "json"))
    assert (data["unit"], data["as_of"], data["loans_count"]) == ("commune:03595", "2023-08-01", 1)
    (row,) = data["loans"]
    assert row["organisation"] == "HTX Chè Than Uyên" and row["code"] == "6201000001"
    assert (row["amount"], row["repaid"], row["outstanding"], row["overdue"]) == (120, 30, 90, 30)
    assert (row["status"], row["days_overdue"], row["maturity"]) == ("overdue", 17, "2024-01-15")
    assert (data["outstanding"], data["overdue"]) == (90, 30)


def test_the_province_sees_every_loan_and_a_status_filter_keeps_some(book):
    data = json.loads(run("--unit", "province:12", "--as-of", "31/12/2024", "--format", "json"))
    assert {r["status"] for r in data["loans"]} == {"overdue", "repaid"}
    repaid = json.loads(
        run("--unit", "12", "--as-of", "2024-12-31", "--status", "repaid", "--format", "json")
    )
    assert [r["organisation"] for r in repaid["loans"]] == ["HTX Tân Uyên"]


def test_the_table_totals_the_unit_in_the_active_language(book):
    with translation.override("en"):
        text = run("--unit", "commune:03595", "--as-of", "2023-08-01")
    assert "HTX Chè Than Uyên" in text and "Overdue" in text and "Total" in text
    assert "01/08/2023" in text
    with translation.override("vi"):
        text = run("--unit", "commune:03595", "--as-of", "2023-08-01")
    assert "120" in text and "01/08/2023" in text


def test_a_bad_date_is_refused(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        run("--unit", "province:12", "--as-of", "32/13/2024")
