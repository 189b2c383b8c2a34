"""Budgets: seed 000 part IV.7 loaded exactly, allocations and disbursements, totals that add up."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from hoptac.programme.models import BudgetEntry, BudgetLine
from hoptac.programme.queries import budget_summary
from hoptac.programme.services import budget_entry_record

from .conftest import KTT

# Seed 000, part IV.7 (triệu đồng): 7.1 for 2021-2025, 7.2 for the second period.
TRAINING = "Kinh phí đào tạo, bồi dưỡng nguồn nhân lực"
YOUNG = "Kinh phí thí điểm đưa cán bộ trẻ tốt nghiệp đại học, cao đẳng về làm việc tại HTX"
INFRA = "Hỗ trợ đầu tư phát triển kết cấu hạ tầng"
FOUNDING = "Hỗ trợ thành lập mới, xúc tiến thương mại, bổ sung vốn điều lệ Quỹ hỗ trợ phát triển HTX"
SEED_LINES = [
    ("2021-2025", "provincial", FOUNDING, 7750),
    ("2021-2025", "central", TRAINING, 8919),
    ("2021-2025", "central", YOUNG, 2730),
    ("2021-2025", "central", INFRA, 16475),
    ("2026-2030", "provincial", FOUNDING, 10000),
    ("2026-2030", "central", TRAINING, 8000),
    ("2026-2030", "central", YOUNG, 4000),
    ("2026-2030", "central", INFRA, 18000),
]


def budget_json() -> dict:
    out = io.StringIO()
    call_command("budget", "--plan", KTT, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_the_budget_lines_of_seed_000_are_loaded_exactly(ktt):
    data = budget_json()
    assert [(r["period"], r["source"], r["purpose"], r["planned"]) for r in data["lines"]] == SEED_LINES


def test_budget_totals_by_period_source_and_purpose_equal_the_seeds(ktt):
    data = budget_json()
    by_period = {r["period"]: r["planned"] for r in data["by_period"]}
    assert by_period == {"2021-2025": 35874, "2026-2030": 40000}  # 7.750 + 28.124 = 35.874; 10.000 + 30.000
    by_source = {r["source"]: r["planned"] for r in data["by_source"]}
    assert by_source == {"central": 28124 + 30000, "provincial": 7750 + 10000}
    central_2021 = sum(
        r["planned"] for r in data["lines"] if r["period"] == "2021-2025" and r["source"] == "central"
    )
    assert central_2021 == 28124
    by_purpose = {r["purpose"]: r["planned"] for r in data["by_purpose"]}
    assert by_purpose == {FOUNDING: 17750, TRAINING: 16919, YOUNG: 6730, INFRA: 34475}
    assert data["total"] == {"planned": 75874, "allocated": 0, "disbursed": 0}


def line(period_start: int, purpose: str) -> BudgetLine:
    return BudgetLine.objects.get(plan__slug=KTT, period_start=period_start, purpose=purpose)


def test_allocations_and_disbursements_add_up_by_line_period_source_purpose_and_year(ktt, people):
    province = people.province
    record = budget_entry_record
    record(line=line(2021, TRAINING), year=2022, kind="allocation", amount=Decimal(1500), actor=province)
    record(line=line(2021, TRAINING), year=2023, kind="allocation", amount=Decimal(1200), actor=province)
    record(
        line=line(2021, TRAINING), year=2023, kind="disbursement", amount=Decimal("2100.5"), actor=province
    )
    record(line=line(2021, FOUNDING), year=2022, kind="allocation", amount=Decimal(1000), actor=province)
    record(line=line(2026, TRAINING), year=2026, kind="allocation", amount=Decimal(700), actor=province)
    summary = budget_summary(ktt)
    assert summary.by_period["2021-2025"].allocated == Decimal(3700)
    assert summary.by_period["2021-2025"].disbursed == Decimal("2100.5")
    assert summary.by_source["central"].allocated == Decimal(3400)
    assert summary.by_purpose[TRAINING].allocated == Decimal(3400)
    assert {y: a.allocated for y, a in summary.by_year.items()} == {2022: 2500, 2023: 1200, 2026: 700}
    assert summary.total.allocated == sum(a.allocated for a in summary.by_period.values()) == Decimal(4400)
    assert summary.total.planned == Decimal(75874)
    data = budget_json()
    assert data["total"] == {"planned": 75874, "allocated": 4400, "disbursed": 2100.5}


def test_a_disbursement_cannot_pass_the_lines_allocations(ktt, people):
    target = line(2021, INFRA)
    budget_entry_record(line=target, year=2022, kind="allocation", amount=Decimal(100), actor=people.province)
    with translation.override("en"), pytest.raises(ValidationError) as err:
        budget_entry_record(
            line=target, year=2022, kind="disbursement", amount=Decimal(101), actor=people.province
        )
    assert err.value.message_dict["amount"] == [
        "Disbursements would reach 101 million VND, more than the 100 allocated to this line."
    ]


def test_an_entry_outside_the_lines_period_is_refused(ktt, people):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        budget_entry_record(
            line=line(2021, INFRA), year=2026, kind="allocation", amount=Decimal(5), actor=people.province
        )
    assert err.value.message_dict["year"] == ["The year must fall in the line's period 2021-2025."]


def test_only_the_provinces_officers_record_the_budget(ktt, people):
    for user in (people.agency_officer, people.commune, people.other_province):
        with pytest.raises(PermissionDenied):
            budget_entry_record(
                line=line(2021, INFRA), year=2022, kind="allocation", amount=Decimal(5), actor=user
            )
    assert not BudgetEntry.objects.exists()


def test_the_budget_page_shows_the_seeds_totals_and_records_an_allocation(client, ktt, people):
    client.force_login(people.province)
    page = client.get(f"/programme/{KTT}/budget/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="period-planned">35,874<' in page and 'data-testid="total-planned">75,874<' in page
    response = client.post(
        f"/programme/{KTT}/budget/",
        {
            "line": line(2021, YOUNG).pk,
            "year": "2023",
            "kind": "allocation",
            "amount": "546",
            "reference": "12/QĐ-UBND",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 302
    entry = BudgetEntry.objects.get()
    assert (entry.amount, entry.recorded_by, entry.history.get().history_user) == (
        546,
        people.province,
        people.province,
    )


def test_the_budget_table_command_prints_the_totals(ktt):
    out = io.StringIO()
    with translation.override("en"):
        call_command("budget", "--plan", KTT, stdout=out)
    text = out.getvalue()
    assert "35,874" in text and "75,874" in text and "40,000" in text
    assert "By source" in text and "58,124" in text and "17,750" in text
