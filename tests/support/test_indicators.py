"""The indicators of the source "support": computed from support records, loans and the Farmers'
Union's counts, for units of either era, changing when the data changes, in a fixed number of queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from hoptac.indicators.engine import compute
from hoptac.indicators.models import Indicator
from hoptac.support import services

D = Decimal


def value(code, unit, year):
    return compute([code], [unit], [year])[(code, unit.id, year)]


@pytest.fixture
def hnd_orgs(make_org, sectors):
    """Three agricultural HTX the Farmers' Union helped found, and two that do not count."""
    a = make_org("HTX A", supporter="hnd")
    b = make_org("HTX B", supporter="hnd")
    c = make_org("HTX C", supporter="hnd", founded_on=datetime.date(2021, 5, 1))
    trade = make_org("HTX Thương mại", supporter="hnd", sector=sectors["thuong-mai"])
    plain = make_org("HTX Không hỗ trợ")
    return a, b, c, trade, plain


def test_consolidated_count_and_share_follow_the_records(hnd_orgs, record, units):
    a, b, c, trade, _plain = hnd_orgs
    share = "hnd-agri-htx-consolidated-share"
    v = value(share, units.lai_chau, 2024)
    assert (v.value, v.numerator, v.denominator) == (D(0), D(0), D(3))  # records are kept: 0 %, not "no data"
    record(a, "consolidation", datetime.date(2024, 3, 1))
    record(trade, "consolidation", datetime.date(2024, 3, 1))  # not agriculture
    record(c, "training", datetime.date(2024, 3, 1))  # not consolidation
    record(b, "consolidation", datetime.date(2025, 8, 1))
    values = compute(
        ["hnd-agri-htx-consolidated", share], [units.lai_chau, units.than_uyen_district], [2024, 2025]
    )
    for unit in (units.lai_chau, units.than_uyen_district):
        assert values[("hnd-agri-htx-consolidated", unit.id, 2024)].value == 1
        assert (
            values[("hnd-agri-htx-consolidated", unit.id, 2025)].value == 1
        )  # a flow: added up by the targets
        assert values[(share, unit.id, 2024)].value == D("33.33")
        assert values[(share, unit.id, 2025)].value == D("66.67")  # consolidated by the end of 2025


def test_consolidated_share_leaves_out_cooperatives_not_yet_founded_or_archived(
    hnd_orgs, record, units, people
):
    from hoptac.registry.services import organisation_set_archived

    _a, _b, c, _trade, _plain = hnd_orgs
    record(c, "consolidation", datetime.date(2021, 6, 1))
    assert (
        value("hnd-agri-htx-consolidated-share", units.lai_chau, 2020).denominator == 2
    )  # c founded in 2021
    organisation_set_archived(org=c, actor=people.admin, archived=True)
    v = value("hnd-agri-htx-consolidated-share", units.lai_chau, 2021)
    assert (v.numerator, v.denominator) == (0, 2)


def test_a_commune_of_another_area_has_none_of_it(hnd_orgs, record, units):
    record(hnd_orgs[0], "consolidation", datetime.date(2024, 3, 1))
    assert value("hnd-agri-htx-consolidated", units.xa_tan_uyen, 2024).value == 0


def test_households_joined_add_up_the_unions_counts_under_the_unit_in_either_era(
    people, topics, units, sectors
):
    code = "hnd-households-joined"
    assert value(code, units.lai_chau, 2024).no_data  # nothing recorded: no data
    create = services.union_activity_create
    create(
        actor=people.admin,
        unit=units.tt_than_uyen,
        year=2024,
        topic=topics["households-joined"],
        count=35,
        sector=sectors["nong-nghiep"],
    )
    create(
        actor=people.admin,
        unit=units.lai_chau,
        year=2024,
        topic=topics["households-joined"],
        count=20,
        sector=sectors["nong-nghiep"],
    )
    create(
        actor=people.admin,
        unit=units.xa_tan_uyen,
        year=2024,
        topic=topics["households-joined"],
        count=7,
        sector=sectors["thuong-mai"],
    )
    create(
        actor=people.admin,
        unit=units.xa_tan_uyen,
        year=2025,
        topic=topics["households-joined"],
        count=10,
        sector=sectors["nong-nghiep"],
    )
    values = compute(
        [code],
        [units.lai_chau, units.than_uyen_district, units.xa_than_uyen, units.xa_tan_uyen],
        [2024, 2025],
    )
    assert values[(code, units.lai_chau.id, 2024)].value == 55  # 35 + 20; the trade households do not count
    assert values[(code, units.than_uyen_district.id, 2024)].value == 35
    assert values[(code, units.xa_than_uyen.id, 2024)].value == 35  # the legacy commune's successor
    assert values[(code, units.lai_chau.id, 2025)].value == 10
    assert values[(code, units.xa_than_uyen.id, 2025)].no_data


def test_branches_converted_and_staff_trained_are_shares_of_their_whole(people, topics, units):
    create = services.union_activity_create
    assert value("hnd-staff-trained-share", units.lai_chau, 2025).no_data
    create(actor=people.province, unit=units.lai_chau, year=2025, topic=topics["union-staff"], count=80)
    v = value("hnd-staff-trained-share", units.lai_chau, 2025)
    assert (v.value, v.denominator) == (D(0), D(80))
    create(
        actor=people.province, unit=units.lai_chau, year=2025, topic=topics["union-staff-trained"], count=60
    )
    create(
        actor=people.province, unit=units.lai_chau, year=2025, topic=topics["professional-branches"], count=40
    )
    create(actor=people.province, unit=units.lai_chau, year=2025, topic=topics["branch-converted"], count=5)
    assert value("hnd-staff-trained-share", units.lai_chau, 2025).value == D("75.00")
    assert value("hnd-branches-converted-share", units.lai_chau, 2025).value == D("12.50")
    assert value("hnd-branches-converted-share", units.lai_chau, 2024).no_data


def test_fund_credit_share_counts_loans_disbursed_or_outstanding_during_the_year(
    make_org, loan, repay, units, definitions
):
    x = make_org("HTX X")
    y = make_org("HTX Y")
    make_org("HTX Z")
    group = make_org("THT W", kind="tht", law="civil")
    lx = loan(x, D("50"), datetime.date(2022, 3, 1))
    repay(lx, datetime.date(2023, 6, 30), D("50"))
    loan(y, D("80"), datetime.date(2024, 3, 1))
    loan(group, D("10"), datetime.date(2024, 3, 1))  # a cooperative group: not in the population
    code = "htx-fund-credit-share"
    values = compute([code], [units.lai_chau, units.xa_than_uyen], [2021, 2022, 2023, 2024])
    assert values[(code, units.lai_chau.id, 2021)].value == 0
    assert values[(code, units.lai_chau.id, 2022)].value == D("33.33")
    assert values[(code, units.lai_chau.id, 2023)].value == D("33.33")  # x repaid during 2023
    v = values[(code, units.xa_than_uyen.id, 2024)]
    assert (v.value, v.numerator, v.denominator) == (D("33.33"), 1, 3)  # y only
    loan(x, D("20"), datetime.date(2024, 11, 1))
    assert value(code, units.lai_chau, 2024).value == D("66.67")


def test_a_written_off_loan_counts_until_its_write_off(make_org, loan, people, units, definitions):
    x = make_org("HTX X")
    lo = loan(x, D("50"), datetime.date(2022, 3, 1))
    services.loan_write_off(
        loan=lo, actor=people.admin, written_off_on=datetime.date(2023, 12, 31), reason="giải thể"
    )
    assert value("htx-fund-credit-share", units.lai_chau, 2023).value == 100
    assert value("htx-fund-credit-share", units.lai_chau, 2024).value == 0


def test_support_amounts_by_sector_add_money_and_estimated_values_of_the_year(
    make_org, record, units, definitions, sectors
):
    agri = make_org("HTX Nông nghiệp")
    trade = make_org("HTX Thương mại", sector=sectors["thuong-mai"])
    record(agri, "infrastructure", datetime.date(2024, 2, 1), D("10"))
    record(agri, "technology", datetime.date(2024, 6, 1), in_kind="Máy cày", value=D("5.5"))
    record(agri, "training", datetime.date(2024, 7, 1), in_kind="Lớp tập huấn")  # no value known
    record(trade, "trade-promotion", datetime.date(2024, 9, 1), D("20"))
    record(trade, "trade-promotion", datetime.date(2023, 9, 1), D("99"))
    codes = [
        "support-amount",
        "support-amount-nong-nghiep",
        "support-amount-thuong-mai",
        "support-amount-xay-dung",
    ]
    values = compute(codes, [units.lai_chau], [2024])
    got = {c: values[(c, units.lai_chau.id, 2024)] for c in codes}
    assert got["support-amount"].value == D("35.5")
    assert got["support-amount"].n_orgs == 2
    assert got["support-amount-nong-nghiep"].value == D("15.5")
    assert got["support-amount-thuong-mai"].value == D("20")
    assert got["support-amount-xay-dung"].value == 0 and not got["support-amount-xay-dung"].no_data
    record(trade, "branding", datetime.date(2024, 10, 1), D("4.5"))
    assert value("support-amount-thuong-mai", units.lai_chau, 2024).value == D("24.5")


def test_fund_loans_disbursed_in_the_year_and_outstanding_at_its_end(
    make_org, loan, repay, people, units, definitions
):
    x = make_org("HTX X")
    lo = loan(x, D("100"), datetime.date(2024, 1, 15))
    repay(lo, datetime.date(2024, 5, 1), D("30"))
    repay(lo, datetime.date(2025, 2, 1), D("20"))
    gone = loan(x, D("40"), datetime.date(2024, 6, 1))
    services.loan_write_off(
        loan=gone, actor=people.admin, written_off_on=datetime.date(2025, 3, 1), reason="mất khả năng trả nợ"
    )
    values = compute(["fund-loans-disbursed", "fund-loans-outstanding"], [units.lai_chau], [2024, 2025])
    assert values[("fund-loans-disbursed", units.lai_chau.id, 2024)].value == 140
    assert values[("fund-loans-disbursed", units.lai_chau.id, 2025)].value == 0
    assert values[("fund-loans-outstanding", units.lai_chau.id, 2024)].value == 110
    assert values[("fund-loans-outstanding", units.lai_chau.id, 2025)].value == 50


def test_a_status_filter_reads_the_status_on_31_12(make_org, record, people, units):
    from hoptac.registry.services import organisation_change_status

    active = make_org("HTX Hoạt động")
    paused = make_org("HTX Tạm ngừng")
    record(active, "training", datetime.date(2024, 3, 1), D("3"))
    record(paused, "training", datetime.date(2024, 3, 1), D("4"))
    organisation_change_status(
        org=paused, actor=people.admin, status="suspended", effective_on=datetime.date(2024, 10, 1)
    )
    count = Indicator(
        code="t-trained-active",
        name_vi="x",
        name_en="x",
        unit="count",
        source="support",
        aggregation="count",
        filters={"kinds": ["htx"], "statuses": ["active"], "topic": "training"},
    )
    total = Indicator(
        code="t-amount-active",
        name_vi="x",
        name_en="x",
        unit="million_vnd",
        source="support",
        aggregation="sum",
        filters={"statuses": ["active"]},
        figures={"value": ["amount"]},
    )
    for d in (count, total):
        d.full_clean()
        d.save()
    values = compute([count, total], [units.lai_chau], [2023, 2024])
    assert values[("t-trained-active", units.lai_chau.id, 2024)].value == 1
    assert values[("t-amount-active", units.lai_chau.id, 2024)].value == 3
    assert values[("t-amount-active", units.lai_chau.id, 2023)].value == 0


def test_an_unknown_topic_gives_no_data(units):
    d = Indicator(
        code="t-unknown",
        name_vi="x",
        name_en="x",
        unit="count",
        source="support",
        aggregation="count",
        filters={"topic": "nope"},
    )
    assert compute([d], [units.lai_chau], [2024])[("t-unknown", units.lai_chau.id, 2024)].no_data


def _forty_units():
    from hoptac.units.models import Unit

    return list(Unit.objects.filter(era="current", level="commune", parent__code="12")[:38]) + list(
        Unit.objects.filter(era="legacy", level="district", parent__code="12")[:2]
    )


def test_one_unit_and_forty_cost_the_same_few_queries(
    hnd_orgs, record, loan, people, topics, units, definitions, django_assert_num_queries
):
    record(hnd_orgs[0], "consolidation", datetime.date(2024, 3, 1))
    loan(hnd_orgs[1], D("10"), datetime.date(2024, 3, 1))
    services.union_activity_create(
        actor=people.admin, unit=units.lai_chau, year=2024, topic=topics["union-staff"], count=9
    )
    defs = list(Indicator.objects.filter(source="support"))
    assert len(defs) >= 5 + len(definitions)
    forty = _forty_units()
    assert len(forty) == 40
    # the topics, organisations, support records, loans, Farmers' Union counts
    with django_assert_num_queries(5):
        one = compute(defs, [units.lai_chau], [2023, 2024])
    with django_assert_num_queries(5):
        many = compute(defs, forty, [2023, 2024])
    assert len(one) == len(defs) * 2 and len(many) == len(defs) * 80


def test_the_indicators_command_shows_support_values(hnd_orgs, record):
    import io
    import json

    from django.core.management import call_command

    record(hnd_orgs[0], "consolidation", datetime.date(2024, 3, 1))
    out = io.StringIO()
    call_command(
        "indicators",
        "--unit",
        "province:12",
        "--year",
        "2024",
        "--codes",
        "hnd-agri-htx-consolidated-share",
        "--format",
        "json",
        stdout=out,
    )
    (row,) = json.loads(out.getvalue())
    assert (row["value"], row["numerator"], row["denominator"]) == (33.33, 1, 3)
