"""The engine: stocks and flows of organisations, the status in force at the end of a year, legacy and
current units, shares of communes, figures of approved returns, growths, sources without data, and a
fixed number of queries whatever the number of units."""

import datetime
from decimal import Decimal

import pytest

from hoptac.indicators.engine import NO_DATA, Value, compute, register_source, unregister_source
from hoptac.indicators.models import Indicator
from hoptac.units.models import Unit


def test_foundings_count_cooperatives_and_credit_funds_founded_in_the_year_only(places, org, value_of):
    org(places.tt_than_uyen, datetime.date(2022, 1, 1))
    org(places.tt_than_uyen, datetime.date(2022, 12, 31), kind="qtdnd", sector="tin-dung")
    org(places.tt_than_uyen, datetime.date(2023, 1, 1))
    org(places.tt_than_uyen, 2022, kind="tht")
    org(places.tt_than_uyen, 2022, kind="lhhtx")
    assert value_of("htx-founded", places.district, 2022).value == 2
    assert value_of("htx-founded", places.district, 2023).value == 1
    assert value_of("tht-founded", places.district, 2022).value == 1
    assert value_of("lhhtx-founded", places.district, 2022).value == 1
    assert value_of("htx-founded", places.district, 2021) == Value(Decimal(0), Decimal(0), None, 0, False)


def test_share_of_agricultural_cooperatives_among_those_founded_in_the_year(places, org, value_of):
    org(places.tt_than_uyen, 2022, sector="nong-nghiep")
    org(places.tt_than_uyen, 2022, sector="thuong-mai")
    org(places.phuc_than, 2022, sector="xay-dung")
    org(places.phuc_than, 2021, sector="nong-nghiep")
    v = value_of("htx-founded-agri-share", places.district, 2022)
    assert (v.value, v.numerator, v.denominator) == (Decimal("33.33"), 1, 3)
    assert value_of("htx-founded-agri-share", places.district, 2024).no_data  # none founded: no share


def test_stock_counts_organisations_existing_at_year_end_and_drops_the_dissolved_from_their_end_date(
    places, org, change_status, value_of
):
    kept = org(places.tt_than_uyen, 2019)
    gone = org(places.tt_than_uyen, 2019)
    change_status(
        gone, "dissolved", datetime.date(2021, 12, 31)
    )  # still there on 31/12/2021? No: ended that day
    late = org(places.tt_than_uyen, datetime.date(2021, 12, 31))
    assert kept.pk and late.pk
    assert value_of("htx-existing", places.district, 2020).value == 2
    assert value_of("htx-existing", places.district, 2021).value == 2  # `late` in, `gone` out
    assert value_of("htx-ended", places.district, 2021).value == 1
    assert value_of("htx-ended", places.district, 2020).value == 0


def test_status_filters_read_the_status_in_force_on_31_december_from_the_history(
    places, org, change_status, value_of
):
    htx = org(places.tt_than_uyen, 2018)
    org(places.tt_than_uyen, 2018)
    change_status(htx, "suspended", datetime.date(2022, 5, 1))
    change_status(htx, "active", datetime.date(2024, 2, 1))
    assert value_of("htx-active", places.district, 2021).value == 2
    assert value_of("htx-active", places.district, 2022).value == 1
    assert value_of("htx-dormant", places.district, 2023).value == 1
    assert value_of("htx-existing", places.district, 2023).value == 2  # suspended still exists
    assert value_of("htx-active", places.district, 2024).value == 2
    assert value_of("htx-dormant", places.district, 2024).value == 0


def test_legacy_district_reads_legacy_paths_in_every_year_and_current_units_read_current_paths(
    places, org, change_status, value_of
):
    # Registered before the reform in legacy communes of the former Than Uyên district …
    org(places.tt_than_uyen, 2015)
    dissolved = org(places.muong_cang, 2016)
    change_status(dissolved, "dissolved", datetime.date(2022, 6, 30))
    org(places.phuc_than, 2021)
    # … one after it in the current commune that Thị trấn Than Uyên became, and one in Tân Uyên.
    org(places.xa_than_uyen, datetime.date(2025, 9, 1))
    org(places.tt_tan_uyen, 2015)
    assert value_of("htx-existing", places.district, 2020).value == 2
    assert value_of("htx-existing", places.district, 2023).value == 2
    assert value_of("htx-existing", places.district, 2025).value == 3  # the new one had a legacy predecessor
    # Xã Than Uyên is Thị trấn Than Uyên and Mường Cang (and two others): it reads 2020 through today's map.
    assert value_of("htx-existing", places.xa_than_uyen, 2020).value == 2
    assert value_of("htx-existing", places.xa_than_uyen, 2025).value == 2
    assert value_of("htx-existing", places.xa_muong_than, 2023).value == 1
    assert value_of("htx-existing", places.province, 2025).value == 4
    assert value_of("htx-existing", places.legacy_province, 2020).value == 3


def test_archived_organisations_are_left_out(places, org, value_of):
    from hoptac.registry.models import Organisation

    kept = org(places.tt_than_uyen, 2019)
    archived = org(places.tt_than_uyen, 2019)
    Organisation.objects.filter(pk=archived.pk).update(archived=True)
    assert kept.pk
    assert value_of("htx-existing", places.district, 2020).value == 1


def test_share_of_communes_counts_legacy_communes_before_the_reform_and_current_ones_after(
    places, org, change_status, value_of
):
    org(places.tt_than_uyen, 2015)
    org(places.muong_cang, 2015, kind="tht")  # a group does not make a commune count
    suspended = org(places.phuc_than, 2015)
    change_status(suspended, "suspended", datetime.date(2023, 3, 1))

    v2022 = value_of("communes-with-htx-share", places.district, 2022)
    assert (v2022.numerator, v2022.denominator, v2022.value) == (2, 12, Decimal("16.67"))
    v2023 = value_of("communes-with-htx-share", places.district, 2023)
    assert (v2023.numerator, v2023.denominator) == (1, 12)  # the suspended one no longer counts
    # The current Xã Than Uyên in 2023 is made of its 4 legacy predecessors; in 2025 it is one commune.
    v = value_of("communes-with-htx-share", places.xa_than_uyen, 2023)
    assert (v.numerator, v.denominator, v.value) == (1, 4, Decimal("25.00"))
    v = value_of("communes-with-htx-share", places.xa_than_uyen, 2025)
    assert (v.numerator, v.denominator, v.value) == (1, 1, Decimal("100.00"))
    v = value_of("communes-with-htx", places.province, 2025)
    assert (v.value, v.denominator) == (1, 38)
    # A legacy unit has no commune after the reform.
    assert value_of("communes-with-htx-share", places.district, 2025).no_data


def test_union_membership_count_share_and_growth_on_a_base_year(places, org, value_of):
    org(places.tt_than_uyen, 2017, union_member=True)
    org(places.tt_than_uyen, 2017)
    org(places.tt_than_uyen, 2019, union_member=True)
    org(places.tt_than_uyen, 2019, union_member=True)
    assert value_of("union-members", places.district, 2018).value == 1
    assert value_of("union-members-share", places.district, 2019).value == Decimal("75.00")
    growth = value_of("union-members-growth", places.district, 2019, base_year=2018)
    assert (growth.value, growth.numerator, growth.denominator) == (Decimal("200.00"), 3, 1)
    assert value_of("union-members-growth", places.district, 2019).no_data  # no base year given


def test_returns_count_only_when_approved(places, org, approved, value_of):
    a = org(places.tt_than_uyen, 2018)
    b = org(places.tt_than_uyen, 2018)
    c = org(places.tt_than_uyen, 2018)
    approved(a, 2023, workers=10)
    approved(b, 2023, status="submitted", workers=100)
    approved(c, 2023, status="draft", workers=1000)
    v = value_of("htx-workers", places.district, 2023)
    assert (v.value, v.n_orgs) == (10, 1)
    assert value_of("htx-workers", places.district, 2022).no_data


def test_average_income_is_weighted_by_people(places, org, approved, value_of):
    a = org(places.tt_than_uyen, 2018)
    b = org(places.phuc_than, 2018)
    tht = org(places.phuc_than, 2018, kind="tht")
    approved(a, 2023, members_individual=10, income_member=50, workers=5, workers_members=5, income_worker=80)
    approved(b, 2023, members_household=30, income_member=90)
    approved(tht, 2023, members_household=4, income_member=40, workers=2, income_worker=60)
    member = value_of("htx-income-member", places.district, 2023)
    assert member.value == Decimal("80.00")  # (10×50 + 30×90) / 40
    assert (member.numerator, member.denominator) == (Decimal("3200.00"), 40)
    both = value_of("htx-income", places.district, 2023)
    assert both.value == Decimal("80.00")  # (500 + 2700 + 5×80) / (10 + 30 + 5)
    assert value_of("tht-income", places.district, 2023).value == Decimal("46.67")  # (160 + 120) / 6


def test_ratios_add_up_the_figures_before_dividing(places, org, approved, value_of):
    a = org(places.tt_than_uyen, 2018)
    b = org(places.tt_than_uyen, 2018)
    approved(
        a,
        2023,
        managers=4,
        managers_university=1,
        managers_college=1,
        managers_intermediate=1,
        managers_untrained=1,
        managers_trained=4,
    )
    approved(b, 2023, managers=6, managers_intermediate=2, managers_untrained=4, managers_trained=0)
    assert value_of("htx-managers-trained-share", places.district, 2023).value == Decimal("40.00")
    assert value_of("htx-managers-university-share", places.district, 2023).value == Decimal("10.00")
    v = value_of("htx-managers-college-share", places.district, 2023)
    assert (v.value, v.numerator, v.denominator) == (Decimal("40.00"), 4, 10)


def test_shares_of_returns_count_those_that_answer(places, org, approved, value_of):
    orgs = [org(places.tt_than_uyen, 2018) for _ in range(5)]
    approved(orgs[0], 2023, self_classification="tot", high_technology=True)
    approved(orgs[1], 2023, self_classification="kha", high_technology=False)
    approved(orgs[2], 2023, self_classification="yeu")
    approved(orgs[3], 2023, self_classification="trung_binh")
    approved(orgs[4], 2023, workers=3)  # not classified, no answer on technology
    effective = value_of("htx-effective-share", places.district, 2023)
    assert (effective.value, effective.numerator, effective.denominator) == (Decimal("50.00"), 2, 4)
    assert value_of("htx-weak-share", places.district, 2023).value == Decimal("25.00")
    assert value_of("htx-high-technology-share", places.district, 2023).value == Decimal("50.00")
    assert value_of("htx-agri-effective-share", places.district, 2023).value == Decimal("50.00")


def test_farmers_union_indicators_count_only_the_cooperatives_it_helped_found(
    places, org, approved, value_of
):
    helped = org(places.tt_than_uyen, 2024, supporter="hnd")
    org(places.tt_than_uyen, 2024, supporter="hlhpn")
    org(places.tt_than_uyen, 2024, supporter="hnd", sector="thuong-mai")
    org(places.tt_than_uyen, 2024, supporter="hnd", kind="tht")
    approved(helped, 2024, value_chain_link=True, credit_access=False)
    assert value_of("hnd-agri-htx-founded", places.district, 2024).value == 1
    assert value_of("hnd-agri-tht-founded", places.district, 2024).value == 1
    assert value_of("hnd-agri-htx-value-chain-share", places.district, 2024).value == 100
    assert value_of("hnd-agri-htx-credit-access-share", places.district, 2024).value == 0


def test_growth_on_the_previous_year(places, org, approved, value_of):
    a = org(places.tt_than_uyen, 2018)
    approved(a, 2022, members_individual=20, managers=5, managers_untrained=5, managers_trained=2)
    approved(a, 2023, members_individual=23, managers=5, managers_untrained=5, managers_trained=3)
    v = value_of("htx-members-growth", places.district, 2023)
    assert (v.value, v.numerator, v.denominator) == (Decimal("15.00"), 23, 20)
    assert value_of("htx-managers-trained-growth", places.district, 2023).value == Decimal("50.00")
    assert value_of("htx-members-growth", places.district, 2022).no_data  # nothing in 2021


def test_bad_debt_ratio_of_credit_cooperatives_is_the_mean_of_their_ratios(places, org, approved, value_of):
    fund = org(places.tt_than_uyen, 2015, kind="qtdnd", sector="tin-dung")
    other = org(places.phuc_than, 2015, kind="qtdnd", sector="tin-dung")
    approved(fund, 2023, bad_debt_ratio=Decimal("1.5"))
    approved(other, 2023, bad_debt_ratio=Decimal("2.7"))
    assert value_of("credit-bad-debt-ratio", places.district, 2023).value == Decimal("2.10")


def test_sources_without_data_answer_no_data_until_a_source_is_registered(places):
    assert (
        compute(["ocop-htx-4-star"], [places.district], [2023])[("ocop-htx-4-star", places.district.id, 2023)]
        == NO_DATA
    )

    def products(definitions, units, years):
        return {
            (d.code, u.id, y): Value(Decimal(7), Decimal(7), None, 2)
            for d in definitions
            for u in units
            for y in years
        }

    register_source("products", products)
    try:
        v = compute(["ocop-htx-4-star"], [places.district], [2023])[
            ("ocop-htx-4-star", places.district.id, 2023)
        ]
        assert v.value == 7
    finally:
        unregister_source("products")
    with pytest.raises(ValueError):
        register_source("organisations", products)


def test_unknown_codes_are_refused(places):
    with pytest.raises(Indicator.DoesNotExist):
        compute(["no-such-indicator"], [places.district], [2023])


def _forty_units():
    communes = list(Unit.objects.filter(path__startswith="c12/", level="commune").order_by("path"))
    legacy = list(Unit.objects.filter(path__startswith="l12/110/").order_by("path"))
    return [*communes, *legacy][:40]


def test_one_unit_and_forty_units_cost_the_same_fixed_number_of_queries(
    places, org, approved, django_assert_num_queries, engine_only
):
    a = org(places.tt_than_uyen, 2018)
    org(places.xa_tan_uyen, datetime.date(2025, 8, 1))
    approved(a, 2023, workers=4, self_classification="tot")
    codes = list(Indicator.objects.values_list("code", flat=True))
    units = _forty_units()
    assert len(units) == 40
    # One query for the definitions, then organisations, returns and communes: four, for 1 or 40 units.
    with django_assert_num_queries(4):
        one = compute(codes, [places.district], [2022, 2023, 2025])
    with django_assert_num_queries(4):
        many = compute(codes, units, [2022, 2023, 2025])
    assert len(many) == len(codes) * 40 * 3
    assert one[("htx-workers", places.district.id, 2023)].value == 4
    tt = next(u for u in units if u.path == places.tt_than_uyen.path)
    assert many[("htx-workers", tt.id, 2023)].value == 4
    assert many[("htx-existing", places.xa_tan_uyen.id, 2025)].value == 1


def test_loaded_definitions_cost_no_query_to_resolve(places, django_assert_num_queries):
    definitions = list(Indicator.objects.filter(source="organisations").select_related("base"))
    with django_assert_num_queries(1):
        compute(definitions, [places.district, places.province], [2023])


def test_a_definition_of_an_administrator_may_filter_returns_by_status_and_by_official_members(
    places, org, approved, change_status
):
    custom = Indicator(
        code="big-operating-htx-share",
        name_vi="Tỷ lệ HTX đang hoạt động có từ 10 thành viên",
        name_en="Share of operating cooperatives with 10 members or more",
        unit="percent",
        source="returns",
        aggregation="share",
        filters={
            "kinds": ["htx"],
            "statuses": ["active"],
            "returns": {"members_official": {"present": True}},
        },
        subset={"returns": {"members_official": {"gte": 10}}},
    )
    custom.full_clean()
    custom.save()
    small = org(places.tt_than_uyen, 2018)
    big = org(places.tt_than_uyen, 2018)
    suspended = org(places.tt_than_uyen, 2018)
    approved(small, 2023, members_individual=4, members_household=3)
    approved(big, 2023, members_household=6, members_legal_entity=4)
    approved(suspended, 2023, members_individual=30)
    change_status(suspended, "suspended", datetime.date(2023, 10, 1))
    approved(suspended, 2022, members_individual=30)
    values = compute([custom], [places.district], [2022, 2023])
    v2023 = values[(custom.code, places.district.id, 2023)]
    assert (v2023.numerator, v2023.denominator, v2023.value) == (1, 2, Decimal("50.00"))
    v2022 = values[(custom.code, places.district.id, 2022)]
    assert (v2022.numerator, v2022.denominator) == (1, 1)  # operating at the end of 2022
