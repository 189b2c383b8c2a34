"""Plans and targets as data: `hoptac loadplan` and `hoptac targets` against the seeds' own numbers.

The expected lists below are written from the seeds (000 part II.2 and III.2, 002 part II.2, 004), not
from the fixtures: (indicator, year, comparator, value or (min, max), unit).
"""

import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from hoptac.indicators.models import Indicator, Plan, Target

SEED_000 = [
    # II.2.a, to 2025 (lines 35-43)
    ("tht-founded", 2025, ">=", 20, "count"),
    ("htx-founded", 2025, ">=", 25, "count"),
    ("htx-founded-agri-share", 2025, ">", 50, "percent"),
    ("lhhtx-founded", 2025, ">=", 2, "count"),
    ("communes-with-htx-share", 2025, ">", 70, "percent"),
    ("htx-effective-share", 2025, ">", 70, "percent"),
    ("htx-agri-effective-share", 2025, ">", 60, "percent"),
    ("htx-weak-share", 2025, "<", 15, "percent"),
    ("htx-dormant", 2025, "=", 0, "count"),
    ("htx-workers", 2025, "=", (5000, 6000), "people"),
    ("htx-income", 2025, ">", 70, "million_vnd_per_person"),
    ("tht-income", 2025, ">", 65, "million_vnd_per_person"),
    ("htx-managers-trained-share", 2025, ">", 70, "percent"),
    ("htx-managers-university-share", 2025, "=", (10, 15), "percent"),
    ("htx-managers-college-share", 2025, "=", (35, 45), "percent"),
    ("htx-high-technology-share", 2025, ">", 10, "percent"),
    ("htx-value-chain-share", 2025, "=", 10, "percent"),
    ("ocop-htx-4-star", 2025, ">=", 5, "count"),
    # II.2.b, to 2030 (lines 47-55)
    ("tht-founded", 2030, ">=", 25, "count"),
    ("htx-founded", 2030, ">=", 25, "count"),
    ("htx-founded-agri-share", 2030, ">", 50, "percent"),
    ("lhhtx-founded", 2030, ">=", 2, "count"),
    ("communes-with-htx-share", 2030, ">", 90, "percent"),
    ("htx-effective-share", 2030, ">", 80, "percent"),
    ("htx-weak-share", 2030, "<", 10, "percent"),
    ("htx-dormant", 2030, "=", 0, "count"),
    ("htx-workers", 2030, ">", 10000, "people"),
    ("htx-income", 2030, ">", 120, "million_vnd_per_person"),
    ("tht-income", 2030, ">", 110, "million_vnd_per_person"),
    ("htx-managers-trained-share", 2030, ">=", 80, "percent"),
    ("htx-managers-university-share", 2030, "=", (15, 20), "percent"),
    ("htx-managers-college-share", 2030, "=", (45, 55), "percent"),
    ("htx-high-technology-share", 2030, ">", 20, "percent"),
    ("htx-value-chain-share", 2030, "=", 20, "percent"),
    ("ocop-htx-4-star", 2030, ">=", 8, "count"),
    # III.2, sectors to 2030 (lines 79-109)
    ("htx-active-agri", 2030, ">", 200, "count"),
    ("lhhtx-active-agri", 2030, ">=", 3, "count"),
    ("htx-active-industry", 2030, ">", 44, "count"),
    ("htx-active-trade", 2030, ">", 59, "count"),
    ("lhhtx-active-trade", 2030, ">=", 1, "count"),
    ("htx-active-construction", 2030, ">", 92, "count"),
    ("htx-active-transport", 2030, ">", 4, "count"),
    ("credit-bad-debt-ratio", 2030, "<", 2, "percent"),
    ("htx-active-credit", 2030, ">", 5, "count"),
]

SEED_002 = [
    ("hnd-agri-htx-founded", 2025, ">", 3, "count"),
    ("hnd-agri-tht-founded", 2025, ">", 10, "count"),
    ("hnd-agri-htx-consolidated-share", 2025, "=", 100, "percent"),
    ("hnd-households-joined", 2025, ">", 200, "count"),
    ("hnd-branches-converted-share", 2025, ">", 10, "percent"),
    ("hnd-agri-htx-value-chain-share", 2025, ">", 30, "percent"),
    ("hnd-agri-htx-credit-access-share", 2025, ">", 50, "percent"),
    ("hnd-staff-trained-share", 2025, "=", 100, "percent"),
    ("hnd-agri-htx-managers-trained-share", 2025, ">=", 70, "percent"),
    ("hnd-agri-htx-founded", 2030, ">=", 10, "count"),
    ("hnd-agri-tht-founded", 2030, ">=", 40, "count"),
    ("hnd-agri-htx-consolidated", 2030, ">", 15, "count"),
    ("hnd-households-joined", 2030, ">", 1200, "count"),
    ("hnd-branches-converted-share", 2030, ">", 15, "percent"),
    ("hnd-agri-htx-value-chain-share", 2030, ">", 50, "percent"),
    ("hnd-agri-htx-credit-access-share", 2030, ">", 70, "percent"),
    ("hnd-staff-trained-share", 2030, "=", 100, "percent"),
    ("hnd-agri-htx-managers-trained-share", 2030, ">=", 90, "percent"),
]

SEED_004 = [
    ("htx-founded", 2019, ">=", 20, "count"),
    ("lhhtx-founded", 2019, ">=", 1, "count"),
    ("tht-founded", 2019, ">=", 50, "count"),
    ("htx-effective-share", 2019, ">=", 60, "percent"),
    ("htx-managers-trained-growth", 2019, ">=", 10, "percent"),
    ("htx-members-growth", 2019, ">=", 10, "percent"),
    ("htx-income-member-growth", 2019, ">=", 10, "percent"),
    ("union-members-growth", 2019, ">=", 20, "percent"),
    ("union-members-share", 2019, ">=", 80, "percent"),
]


def targets_json(slug: str) -> list[dict]:
    out = io.StringIO()
    call_command("targets", "--plan", slug, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def as_tuples(records: list[dict]) -> list[tuple]:
    rows = []
    for r in records:
        goal = (r["min"], r["max"]) if "min" in r else r["value"]
        assert ("value" in r) != ("min" in r and "max" in r), r
        rows.append((r["indicator"], r["year"], r["comparator"], goal, r["unit"]))
    return rows


@pytest.mark.parametrize(
    ("slug", "expected", "area"),
    [
        ("lai-chau-ktt-2021-2030", SEED_000, "province:12"),
        ("lai-chau-hnd-2024-2030", SEED_002, "province:12"),
        ("kon-tum-2019", SEED_004, "legacy-province:62"),
    ],
)
def test_targets_list_every_numeric_target_of_the_seed_with_its_values(db, slug, expected, area):
    call_command("loadplan", slug, stdout=io.StringIO())
    records = targets_json(slug)
    assert as_tuples(records) == expected
    assert {r["area"] for r in records} == {area}
    assert all(r["note"] and r["name"] for r in records)


def test_relative_and_cumulative_targets_keep_their_base_and_span(db):
    call_command("loadplan", "--all", stdout=io.StringIO())
    kon_tum = {r["indicator"]: r for r in targets_json("kon-tum-2019")}
    assert kon_tum["union-members-growth"]["base_year"] == 2018
    assert "so với năm 2018" in kon_tum["union-members-growth"]["note"]
    ktt = targets_json("lai-chau-ktt-2021-2030")
    unions = [r for r in ktt if r["indicator"] == "lhhtx-founded"]
    assert [(r["year"], r["cumulative_from"]) for r in unions] == [(2025, 2021), (2030, 2026)]
    assert all(r["each_year"] for r in ktt if r["indicator"] in ("htx-founded", "tht-founded"))
    hnd = targets_json("lai-chau-hnd-2024-2030")
    assert {r["cumulative_from"] for r in hnd if r["indicator"] == "hnd-agri-htx-founded"} == {2024}


def test_loadplan_is_idempotent_and_removes_targets_dropped_from_the_file(db):
    call_command("loadplan", "kon-tum-2019", stdout=io.StringIO())
    plan = Plan.objects.get(slug="kon-tum-2019")
    assert (plan.number, plan.start_year, plan.end_year, plan.area.key) == (
        "765/VP-KTTH",
        2019,
        2019,
        "legacy-province:62",
    )
    stray = Target.objects.create(
        plan=plan,
        indicator=Indicator.objects.get(code="htx-active"),
        area=plan.area,
        year=2019,
        comparator=">=",
        value=Decimal(1),
    )
    Target.objects.filter(plan=plan, indicator__code="htx-founded").update(value=Decimal(99))
    out = io.StringIO()
    with translation.override("en"):
        call_command("loadplan", "kon-tum-2019", stdout=out)
    assert "0 targets created, 1 updated, 8 unchanged, 1 deleted" in out.getvalue()
    assert not Target.objects.filter(pk=stray.pk).exists()
    out = io.StringIO()
    with translation.override("en"):
        call_command("loadplan", "kon-tum-2019", stdout=out)
    assert "0 targets created, 0 updated, 9 unchanged, 0 deleted" in out.getvalue()


def test_targets_table_shows_ranges_and_comparators(db):
    call_command("loadplan", "lai-chau-ktt-2021-2030", stdout=io.StringIO())
    out = io.StringIO()
    call_command("targets", "--plan", "lai-chau-ktt-2021-2030", stdout=out)
    text = out.getvalue()
    assert "5.000–6.000" in text and "> 10.000" in text and "≥ 25" in text


def test_unknown_plans_are_refused_by_name(db):
    with pytest.raises(CommandError, match="no-such-plan"):
        call_command("loadplan", "no-such-plan", stdout=io.StringIO())
    with pytest.raises(CommandError, match="kon-tum-2019"):
        call_command("targets", "--plan", "kon-tum-2019", stdout=io.StringIO())


def _target(**fields) -> Target:
    plan = Plan.objects.create(
        slug="p", title="Thử", issuer="UBND", area=fields.pop("area"), start_year=2021, end_year=2030
    )
    values = {
        "plan": plan,
        "indicator": Indicator.objects.get(code="htx-founded"),
        "year": 2025,
        "comparator": ">=",
        "value": Decimal(5),
        "unit": "count",
    }
    values.update(fields)
    if isinstance(values["indicator"], str):
        values["indicator"] = Indicator.objects.get(code=values["indicator"])
    return Target(area=plan.area, **values)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"comparator": ">", "value": None, "min_value": Decimal(1), "max_value": Decimal(2)}, "comparator"),
        ({"comparator": "=", "value": None, "min_value": Decimal(3), "max_value": Decimal(2)}, "max_value"),
        ({"value": None}, "value"),
        ({"unit": "percent"}, "unit"),
        ({"indicator": "htx-active", "cumulative_from": 2021}, "cumulative_from"),
        ({"base_year": 2018}, "base_year"),
        ({"indicator": "htx-members-growth", "unit": "percent", "base_year": 2020}, "base_year"),
        ({"indicator": "union-members-growth", "unit": "percent"}, "base_year"),
    ],
)
def test_target_clean_refuses_what_cannot_be_checked(units, fields, field):
    target = _target(area=units.lai_chau, **fields)
    with pytest.raises(ValidationError) as err:
        target.full_clean()
    assert field in err.value.message_dict, err.value.message_dict


def test_plans_load_all_loads_the_three_plans_the_demo_needs(db):
    from hoptac.indicators.services import plans_load_all

    reports = plans_load_all()
    assert sorted((r.plan.slug, r.created) for r in reports) == [
        ("kon-tum-2019", 9),
        ("lai-chau-hnd-2024-2030", 18),
        ("lai-chau-ktt-2021-2030", 44),
        ("son-la-nq134", 0),  # seed 001: tasks only (programme app), no targets
    ]
    assert [r.created for r in plans_load_all()] == [0, 0, 0, 0]
