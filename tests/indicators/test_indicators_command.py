"""`hoptac indicators --unit U --year Y [--codes a,b] [--format json|table]`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("indicators", *args, stdout=out)
    return out.getvalue()


def test_json_lists_each_indicator_and_year_with_its_numerator_and_denominator(places, org):
    org(places.tt_than_uyen, 2021, sector="nong-nghiep")
    org(places.tt_than_uyen, 2022, sector="thuong-mai")
    data = json.loads(
        run(
            "--unit",
            "district:110",
            "--year",
            "2021-2022",
            "--codes",
            "htx-existing,htx-existing-agri-share,htx-income",
            "--format",
            "json",
        )
    )
    assert [(r["code"], r["year"]) for r in data] == [
        ("htx-existing", 2021),
        ("htx-existing", 2022),
        ("htx-existing-agri-share", 2021),
        ("htx-existing-agri-share", 2022),
        ("htx-income", 2021),
        ("htx-income", 2022),
    ]
    assert data[1] == {
        "code": "htx-existing",
        "name": "Số HTX trên địa bàn cuối năm",
        "unit": "count",
        "year": 2022,
        "value": 2,
        "numerator": 2,
        "denominator": None,
        "no_data": False,
    }
    assert (data[3]["value"], data[3]["numerator"], data[3]["denominator"]) == (50, 1, 2)
    assert data[5]["value"] is None and data[5]["no_data"] is True


def test_year_may_be_repeated_and_every_indicator_is_given_without_codes(places):
    data = json.loads(run("--unit", "province:12", "--year", "2020", "--year", "2024", "--format", "json"))
    from hoptac.indicators.models import Indicator

    assert len(data) == 2 * Indicator.objects.count()
    assert {r["year"] for r in data} == {2020, 2024}


def test_table_shows_no_data_and_vietnamese_numbers(places, org):
    for _ in range(3):
        org(places.tt_than_uyen, 2021)
    text = run(
        "--unit",
        "district:110",
        "--year",
        "2021",
        "--codes",
        "htx-existing,htx-workers,htx-founded-agri-share",
    )
    assert "Huyện Than Uyên" in text and "htx-workers" in text
    assert "100" in text


def test_unknown_codes_and_bad_years_are_refused(places):
    with pytest.raises(CommandError, match="nope"):
        run("--unit", "district:110", "--year", "2021", "--codes", "htx-existing,nope")
    with pytest.raises(CommandError):
        run("--unit", "district:110", "--year", "2025-2020")
