"""`hoptac breakdown`: counts and shares of the organisations existing at the end of a year (seed 003)."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from hoptac.indicators.queries import breakdown


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("breakdown", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def than_uyen(places, org, change_status):
    """A small former Than Uyên: 4 cooperatives at the end of 2020, 7 at the end of 2023."""
    org(places.tt_than_uyen, 2015, sector="nong-nghiep")
    org(places.tt_than_uyen, 2016, sector="thuong-mai")
    org(places.phuc_than, 2018, sector="nong-nghiep")
    dissolved = org(places.phuc_than, 2017, sector="xay-dung")
    change_status(dissolved, "dissolved", datetime.date(2022, 4, 1))
    org(places.phuc_than, datetime.date(2021, 2, 1), sector="nong-nghiep")
    org(places.muong_cang, datetime.date(2022, 7, 1), sector="xay-dung")
    org(places.muong_cang, datetime.date(2023, 12, 31), sector="van-tai")
    suspended = org(places.tt_than_uyen, datetime.date(2023, 5, 5), sector="du-lich")
    change_status(suspended, "suspended", datetime.date(2023, 9, 1))
    org(places.tt_than_uyen, datetime.date(2024, 1, 1), sector="nong-nghiep")  # after the year
    org(places.tt_than_uyen, 2019, kind="tht")
    org(places.tt_tan_uyen, 2019)  # another district
    return places


def test_breakdown_by_sector_gives_the_exact_json_of_the_issue(than_uyen):
    data = json.loads(
        run("--unit", "district:110", "--year", "2023", "--kind", "htx", "--by", "sector", "--format", "json")
    )
    assert data == {
        "unit": "legacy-district:110",
        "year": 2023,
        "total": 7,
        "rows": [
            {"key": "nong-nghiep", "label": "Nông, lâm, ngư nghiệp", "count": 3, "share": 42.86},
            {"key": "xay-dung", "label": "Xây dựng", "count": 1, "share": 14.29},
            {"key": "van-tai", "label": "Giao thông vận tải", "count": 1, "share": 14.29},
            {"key": "thuong-mai", "label": "Thương mại - Dịch vụ", "count": 1, "share": 14.29},
            {"key": "du-lich", "label": "Du lịch", "count": 1, "share": 14.29},
        ],
    }


def test_breakdown_respects_founding_dates_and_dissolutions(than_uyen):
    at_2020 = breakdown(than_uyen.district, 2020, by="sector", kind="htx")
    assert at_2020.total == 4
    assert {r.key: r.count for r in at_2020.rows} == {"nong-nghiep": 2, "thuong-mai": 1, "xay-dung": 1}


def test_breakdown_by_status_reads_the_status_in_force_at_the_end_of_the_year(than_uyen):
    rows = breakdown(than_uyen.district, 2023, by="status", kind="htx").rows
    assert [(r.key, r.count) for r in rows] == [("active", 6), ("suspended", 1)]
    assert [r.share for r in rows] == [Decimal("85.71"), Decimal("14.29")]
    rows = breakdown(than_uyen.district, 2022, by="status", kind="htx").rows
    assert [(r.key, r.count) for r in rows] == [("active", 5)]


def test_breakdown_by_commune_kind_and_founding_year(than_uyen):
    by_commune = breakdown(than_uyen.district, 2023, by="commune", kind="htx")
    assert [(r.key, r.count) for r in by_commune.rows] == [
        ("legacy-commune:03595", 3),
        ("legacy-commune:03618", 2),
        ("legacy-commune:03631", 2),
    ]
    assert by_commune.rows[0].label == "Thị trấn Than Uyên"
    # The current commune that Thị trấn Than Uyên and Mường Cang became holds both.
    current = breakdown(than_uyen.xa_than_uyen, 2023, by="commune", kind="htx")
    assert [(r.key, r.count) for r in current.rows] == [("commune:03595", 5)]
    by_kind = breakdown(than_uyen.district, 2023, by="kind")
    assert [(r.key, r.count) for r in by_kind.rows] == [("tht", 1), ("htx", 7)]
    by_year = breakdown(than_uyen.district, 2023, by="founding_year", kind="htx")
    assert [(r.key, r.count) for r in by_year.rows] == [
        (2015, 1),
        (2016, 1),
        (2018, 1),
        (2021, 1),
        (2022, 1),
        (2023, 2),
    ]


def test_breakdown_costs_at_most_two_queries(than_uyen, django_assert_max_num_queries):
    for by in ("sector", "status", "commune", "kind", "founding_year"):
        with django_assert_max_num_queries(2):
            breakdown(than_uyen.district, 2023, by=by)


def test_breakdown_table_writes_shares_the_vietnamese_way(than_uyen):
    text = run("--unit", "district:110", "--year", "2023", "--kind", "htx", "--by", "sector")
    assert "42,86" in text and "Huyện Than Uyên" in text


def test_breakdown_of_an_unknown_unit_exits_with_a_usage_error(db):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("breakdown", "--unit", "district:999", "--year", "2023", "--by", "sector", stderr=err)
    assert exit_info.value.code == 2
    assert "999" in err.getvalue()


def test_figures_of_a_unit_are_refused_like_a_missing_page_outside_the_users_area(than_uyen, people):
    from django.http import Http404

    from hoptac.indicators.queries import ensure_unit_visible

    ensure_unit_visible(people.province, than_uyen.district)  # the province reaches its former districts
    ensure_unit_visible(people.district_viewer, than_uyen.tt_than_uyen)
    with pytest.raises(Http404):
        ensure_unit_visible(people.other_commune, than_uyen.district)
    with pytest.raises(Http404):
        ensure_unit_visible(people.other_province, than_uyen.province)
