"""The engine's queries: one call for many units, years and definitions gives the figures that separate
calls give, in a fixed number of queries however many units, years and definitions are asked."""

import datetime
from decimal import Decimal

import pytest

from hoptac.indicators.engine import compute
from hoptac.indicators.models import Indicator
from hoptac.units.models import Unit


@pytest.fixture
def registry(places, org, change_status, approved):
    """A few organisations of every kind around the former Than Uyên district, before and after the
    reform, with status changes and approved returns over three years."""
    a = org(places.tt_than_uyen, 2016, union_member=True)
    b = org(places.muong_cang, 2019, sector="thuong-mai")
    c = org(places.phuc_than, 2021, kind="qtdnd", sector="tin-dung", union_member=True)
    d = org(places.tt_tan_uyen, 2018, supporter="hnd")
    g = org(places.phuc_than, 2020, kind="tht")
    u = org(places.tt_than_uyen, 2022, kind="lhhtx")
    org(places.xa_than_uyen, datetime.date(2025, 8, 1))
    change_status(b, "suspended", datetime.date(2022, 5, 1))
    change_status(b, "active", datetime.date(2024, 2, 1))
    change_status(d, "dissolved", datetime.date(2024, 6, 30))
    for year, extra in ((2022, 0), (2023, 3), (2024, 5)):
        approved(
            a,
            year,
            members_individual=20 + extra,
            workers=8 + extra,
            income_member=Decimal("41.5") + extra,
            income_worker=50,
            managers=5,
            managers_university=1,
            managers_intermediate=2,
            managers_untrained=2,
            managers_trained=2,
            self_classification="kha",
            high_technology=bool(extra),
            value_chain_link=True,
        )
        approved(c, year, members_household=100 + extra, bad_debt_ratio=Decimal("1.25"), credit_access=True)
        approved(g, year, members_individual=6, income_member=30, workers=2, income_worker=35)
        if year < 2024:
            approved(d, year, members_individual=12, managers=3, managers_trained=3, value_chain_link=False)
    approved(u, 2023, status="submitted", workers=100)


def _units(places):
    return [
        places.district,
        places.legacy_province,
        places.province,
        places.tt_than_uyen,
        places.xa_than_uyen,
        places.xa_tan_uyen,
    ]


def test_one_call_for_many_units_and_years_gives_the_figures_of_separate_calls(places, registry):
    codes = list(Indicator.objects.values_list("code", flat=True))
    units, years = _units(places), [2022, 2023, 2024, 2025]
    together = compute(codes, units, years, base_year=2022)
    assert len(together) == len(codes) * len(units) * len(years)
    for unit in units:
        for year in years:
            alone = compute(codes, [unit], [year], base_year=2022)
            for code in codes:
                assert together[(code, unit.id, year)] == alone[(code, unit.id, year)], (code, unit, year)
    # … and the figures are not all zeros: the data reaches every family of indicators.
    assert together[("htx-active", places.district.id, 2022)].value == 2  # b suspended, d and a active
    assert together[("htx-existing", places.province.id, 2025)].value == 4
    assert together[("htx-income-member", places.district.id, 2024)].value == Decimal("46.50")
    assert together[("htx-members-growth", places.district.id, 2024)].value == Decimal("3.17")  # 130/126
    # Xã Than Uyên in 2023 and 2024: 4 legacy communes, Mường Cang's cooperative suspended in 2023.
    assert together[("communes-with-htx", places.xa_than_uyen.id, 2023)][:3] == (1, 1, 4)
    assert together[("communes-with-htx", places.xa_than_uyen.id, 2024)][:3] == (2, 2, 4)


def test_a_figure_asked_for_one_year_is_not_added_over_the_year_a_growth_compares_with(places, registry):
    values = compute(["htx-workers", "htx-members-growth"], [places.district], [2024])
    assert values[("htx-workers", places.district.id, 2024)].value == 13  # 2024's, not 2023's 11 too
    growth = values[("htx-members-growth", places.district.id, 2024)]
    assert (growth.numerator, growth.denominator) == (130, 126)  # members: 25 + 105 in 2024, 23 + 103 in 2023
    assert set(values) == {
        ("htx-workers", places.district.id, 2024),
        ("htx-members-growth", places.district.id, 2024),
    }


def test_a_share_whose_subset_keeps_other_statuses_than_its_population_counts_none(
    places, org, change_status
):
    custom = Indicator(
        code="active-and-suspended",
        name_vi="Thử",
        name_en="Test",
        unit="percent",
        source="organisations",
        aggregation="share",
        filters={"kinds": ["htx"], "statuses": ["active"]},
        subset={"statuses": ["suspended"]},
    )
    custom.full_clean()
    custom.save()
    org(places.tt_than_uyen, 2018)
    change_status(org(places.tt_than_uyen, 2018), "suspended", datetime.date(2020, 1, 1))
    v = compute([custom], [places.district], [2021])[(custom.code, places.district.id, 2021)]
    assert (v.value, v.numerator, v.denominator) == (0, 0, 1)


def test_a_request_beyond_the_terms_one_query_holds_gives_the_figures_year_by_year(
    places, registry, django_assert_num_queries, engine_only
):
    codes = list(Indicator.objects.values_list("code", flat=True))
    years = list(range(2010, 2026))
    # 72 definitions over 16 years are more than 400 aggregates of organisations: two queries of them.
    with django_assert_num_queries(5):
        together = compute(codes, [places.district, places.province], years, base_year=2015)
    for year in (2010, 2019, 2023, 2025):
        alone = compute(codes, [places.district, places.province], [year], base_year=2015)
        for key, value in alone.items():
            assert together[key] == value, key


def test_every_unit_of_a_province_of_either_era_costs_the_queries_of_one_unit(
    places, registry, django_assert_num_queries, engine_only
):
    codes = list(Indicator.objects.values_list("code", flat=True))
    everything = list(Unit.objects.filter(path__startswith="c12/")) + list(
        Unit.objects.filter(path__startswith="l12/")
    )
    assert len(everything) > 100
    # The definitions, then organisations, returns and communes.
    with django_assert_num_queries(4):
        compute(codes, [places.district], [2023, 2024])
    with django_assert_num_queries(4):
        values = compute(codes, everything, [2023, 2024])
    assert len(values) == len(codes) * len(everything) * 2


def test_postgresql_connections_turn_jit_compilation_off(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    # Compiling the engine's aggregates cost more than running them (docs/benchmarks.md).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
