"""The organisations behind a figure (indicators.population) are exactly those the engine counts."""

import pytest

from hoptac.indicators.engine import compute
from hoptac.indicators.models import Indicator
from hoptac.indicators.population import has_population, population

YEARS = (2023, 2024, 2025)


def _units(places):
    return [
        places.province,
        places.legacy_province,
        places.district,
        places.tt_than_uyen,
        places.xa_than_uyen,
        places.xa_muong_than,
        places.xa_tan_uyen,
    ]


def test_every_indicators_population_counts_what_the_engine_counts(world, places):
    definitions = list(Indicator.objects.select_related("base"))
    units = _units(places)
    values = compute(definitions, units, YEARS)
    checked = 0
    for d in definitions:
        if not has_population(d):
            continue
        counted = d.base if d.is_growth else d
        base_values = values if not d.is_growth else compute([counted], units, YEARS)
        for unit in units:
            for year in YEARS:
                v = base_values[(counted.code, unit.id, year)]
                n = population(d, unit, year).count()
                assert n == v.n_orgs, f"{d.code} {unit.key} {year}: {n} listed, {v.n_orgs} counted"
                if d.aggregation == Indicator.Aggregation.SHARE and d.source != Indicator.Source.COMMUNES:
                    m = population(d, unit, year, part="numerator").count()
                    assert m == (v.numerator or 0), (
                        f"{d.code} {unit.key} {year} numerator: {m} vs {v.numerator}"
                    )
                checked += 1
    assert checked > 400


def test_population_of_a_share_and_its_numerator_name_the_organisations(world, places):
    rated = population("htx-effective-share", places.district, 2024)
    good = population("htx-effective-share", places.district, 2024, part="numerator")
    # Classified in an approved 2024 return: agri (tốt), build (khá), trade (trung bình), weak (yếu),
    # the fund (khá); the suspended one's return is only submitted.
    assert set(rated) == {world["agri"], world["build"], world["trade"], world["weak"], world["fund"]}
    assert set(good) == {world["agri"], world["build"], world["fund"]}


def test_population_of_a_stock_reads_the_status_on_31_december(world, places):
    active_2022 = set(population("htx-active", places.district, 2022))
    active_2023 = set(population("htx-active", places.district, 2023))
    assert world["asleep"] in active_2022 and world["asleep"] not in active_2023  # suspended 01/08/2023
    assert world["gone"] in active_2023 and world["gone"] not in set(
        population("htx-existing", places.district, 2024)
    )


def test_population_of_a_flow_over_several_years(world, places):
    founded = population("htx-founded", places.province, 2021, first_year=2018)
    # HTX and credit funds founded 2018–2021 (the fund was founded in 2017).
    assert set(founded) == {world["agri"], world["build"], world["trade"], world["gone"], world["weak"]}
    assert set(population("htx-ended", places.province, 2024)) == {world["gone"]}


def test_population_of_a_growth_is_that_of_the_indicator_that_grows(world, places):
    assert set(population("htx-members-growth", places.district, 2024)) == set(
        population("htx-members", places.district, 2024)
    )


def test_a_source_without_organisations_has_no_population(world, places):
    products = Indicator.objects.get(code="ocop-htx-4-star")
    assert not has_population(products)
    assert not population(products, places.province, 2024).exists()


def test_unknown_part_and_unknown_code_are_refused(world, places):
    with pytest.raises(ValueError):
        population("htx-active", places.province, 2024, part="denominator")
    with pytest.raises(Indicator.DoesNotExist):
        population("no-such-indicator", places.province, 2024)


def test_archived_organisations_are_not_behind_any_figure(world, places, people):
    from hoptac.registry.services import organisation_set_archived

    assert world["build"] in set(population("htx-existing", places.district, 2024))
    organisation_set_archived(org=world["build"], actor=people.admin, archived=True)
    assert world["build"] not in set(population("htx-existing", places.district, 2024))
