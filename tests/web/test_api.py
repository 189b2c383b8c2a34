"""The dashboard's JSON endpoint: the same values as the commands, scoped like every page."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation


def command_json(*args):
    out = io.StringIO()
    call_command(*args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("unit_attr", ["district", "province", "tt_than_uyen", "xa_than_uyen"])
def test_indicator_values_equal_the_indicators_commands_output(as_user, people, world, places, unit_attr):
    unit = getattr(places, unit_attr)
    client = as_user(people.admin)
    for query, years in (("year=2023", ["2023"]), ("from=2022&to=2024", ["2022-2024"])):
        data = client.get(f"/api/indicators/?unit={unit.key}&{query}").json()
        assert data["unit"]["key"] == unit.key
        with translation.override("en"):
            expected = command_json("indicators", "--unit", unit.key, "--year", years[0])
        assert data["values"] == expected


def test_indicator_codes_and_a_unit_by_id(as_user, people, world, places):
    client = as_user(people.province)
    data = client.get(
        f"/api/indicators/?unit={places.district.pk}&year=2024&codes=htx-active,htx-weak-share"
    ).json()
    assert [(r["code"], r["year"]) for r in data["values"]] == [
        ("htx-active", 2024),
        ("htx-weak-share", 2024),
    ]
    assert data["values"][1]["value"] == 20  # 1 weak of 5 classified (agri, build, trade, weak, the fund)


def test_without_a_unit_the_endpoint_answers_for_the_users_area_and_latest_year(as_user, people, world):
    data = as_user(people.commune).get("/api/indicators/?codes=htx-existing").json()
    assert data["unit"]["key"] == "commune:03595" and data["years"] == [2024]


def test_progress_equals_the_progress_commands_output_for_the_plans_own_area(as_user, people, world, plan):
    client = as_user(people.province)
    data = client.get(f"/api/progress/?plan={plan.slug}&unit=province:12&year=2024").json()
    with translation.override("en"):
        expected = command_json("progress", "--plan", plan.slug, "--as-of", "2024")
    assert len(data["targets"]) == len(expected)
    for got, want in zip(data["targets"], expected, strict=True):
        assert {k: got[k] for k in want} == want
        assert got["scope"] == "own" and got["target_area"] == got["area"] == "province:12"
        assert all(year <= 2024 for year, _value in got["series"])


def test_progress_for_a_commune_holds_the_provinces_rates_against_its_own_figures(
    as_user, people, world, plan
):
    data = as_user(people.commune).get(f"/api/progress/?plan={plan.slug}").json()
    by = {(t["indicator"], t["year"]): t for t in data["targets"]}
    share = by[("htx-effective-share", 2025)]
    assert (
        share["area"] == "commune:03595"
        and share["target_area"] == "province:12"
        and share["scope"] == "part"
    )
    assert share["actual"] == 75  # agri (tốt), build (khá), trade (trung bình), fund (khá) in 2024
    assert by[("htx-founded", 2025)]["status"] == "not_set"


def test_the_endpoint_is_scoped_like_the_pages(client, as_user, people, world, places, plan):
    assert client.get("/api/indicators/").status_code == 401
    assert client.get("/api/progress/").status_code == 401
    other = as_user(people.other_commune)
    assert other.get(f"/api/indicators/?unit={places.xa_than_uyen.key}").status_code == 404
    assert other.get(f"/api/indicators/?unit={places.xa_than_uyen.pk}").status_code == 404
    assert other.get(f"/api/progress/?unit={places.xa_than_uyen.key}").status_code == 404
    viewer = as_user(people.district_viewer)
    assert viewer.get("/api/progress/?plan=kon-tum-2019").status_code == 404  # a plan not covering his area
    assert viewer.get(f"/api/progress/?plan={plan.slug}").status_code == 200


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("year=abc", "“year” must be a year"),
        ("year=1500", "between 2000 and 2100"),
        ("year=2024&from=2020", "not both"),
        ("from=2025&to=2020", "“from” comes after “to”"),
        ("from=2000&to=2040", "At most 30 years"),
        ("codes=htx-active,nope", "Unknown indicator code(s): nope"),
    ],
)
def test_bad_parameters_are_refused_with_a_message_naming_them(as_user, people, query, message):
    response = as_user(people.province).get(f"/api/indicators/?{query}")
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_only_get_is_answered(as_user, people):
    assert as_user(people.province).post("/api/indicators/").status_code == 405
