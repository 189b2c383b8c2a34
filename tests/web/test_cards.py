"""Targets as the dashboard shows them: for their own area, for a part of it, or across the reform."""

from decimal import Decimal

import pytest

from hoptac.indicators.models import Indicator, Plan, Target
from hoptac.indicators.progress import Status
from hoptac.web.queries import NOT_SET, covering_plans, target_cards


@pytest.fixture
def make_plan(places):
    def make(area, *targets, slug="thu"):
        plan = Plan.objects.create(
            slug=slug, title="Kế hoạch thử", issuer="UBND", area=area, start_year=2021, end_year=2025
        )
        for code, value in targets:
            indicator = Indicator.objects.get(code=code)
            Target.objects.create(
                plan=plan,
                indicator=indicator,
                area=area,
                year=2025,
                comparator=">=",
                value=Decimal(value),
                unit=indicator.unit,
            )
        return plan

    return make


def test_a_province_target_is_its_own_on_the_province_and_a_part_on_a_commune(world, places, make_plan):
    make_plan(places.province, ("htx-existing", 5), ("htx-effective-share", 70))
    own = {c.indicator.code: c for c in target_cards(places.province, 2024)}
    assert {c.scope for c in own.values()} == {"own"}
    assert own["htx-existing"].status == Status.ACHIEVED  # five cooperatives and the fund on 31/12/2024: ≥ 5
    part = {c.indicator.code: c for c in target_cards(places.xa_than_uyen, 2024)}
    assert {c.scope for c in part.values()} == {"part"}
    assert part["htx-existing"].status == NOT_SET  # a count of the province says nothing of a commune
    assert part["htx-effective-share"].progress.actual == Decimal("75.00")  # the commune's own figure
    assert part["htx-effective-share"].status == Status.ACHIEVED
    assert part["htx-effective-share"].target_area == places.province
    assert part["htx-effective-share"].area == places.xa_than_uyen


def test_a_former_district_is_covered_by_the_current_provinces_plan(world, places, make_plan):
    plan = make_plan(places.province, ("htx-weak-share", 10))
    assert covering_plans(places.district) == [plan]
    (card,) = target_cards(places.district, 2024)
    assert card.scope == "part" and card.area == places.district
    assert card.progress.actual == Decimal("20.00")  # 1 weak of 5 classified in the former district


def test_a_plan_of_the_former_province_shows_on_the_current_one_with_its_own_figures(
    world, places, make_plan, people
):
    make_plan(places.legacy_province, ("htx-existing", 3), slug="cu")
    (card,) = target_cards(places.province, 2023, user=people.province)
    assert card.scope == "within" and card.area == places.legacy_province
    assert card.progress.actual == 7


def test_another_provinces_plan_does_not_cover_lai_chau(world, places, make_plan, units):
    make_plan(units.dien_bien, ("htx-existing", 3), slug="dien-bien")
    assert covering_plans(places.province) == []
    assert target_cards(places.province, 2024) == []


def test_the_cards_data_for_the_page_and_the_json(world, places, make_plan):
    make_plan(places.province, ("htx-existing", 5))
    (card,) = target_cards(places.province, 2024)
    data = card.as_dict()
    assert data["indicator"] == "htx-existing" and data["status"] == "achieved"
    assert data["organisations_url"].startswith(
        "/registry/?indicator=htx-existing&unit=province%3A12&year=2024"
    )
    assert [y for y, _v in data["series"]][-1] == 2024
