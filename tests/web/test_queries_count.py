"""Every dashboard page and JSON answer costs a fixed number of queries, whatever the number of units
and organisations (the engine's results uncached: the cost of the first request after a change)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

PAGES = [
    "/dashboard/?year=2024",
    "/dashboard/unit/province:12/?year=2024",
    "/dashboard/unit/province:12/?year=2024&sort=-htx-active",
    "/dashboard/unit/legacy-district:110/?year=2023",
    "/dashboard/communes-without-htx/?year=2024",
    "/dashboard/communes-without-htx/?year=2025",
    "/dashboard/map/?indicator=htx-income&year=2024",
    "/dashboard/map/data/?indicator=htx-income&year=2024",
    "/api/indicators/?unit=province:12&from=2020&to=2024",
    "/api/progress/?unit=province:12&year=2024",
]
CEILING = 40


@pytest.fixture
def setup(settings, tmp_path, plan, units):
    from hoptac.web.services import geolayer_load_sample

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.HOPTAC_DASHBOARD_CACHE = False
    geolayer_load_sample()


def costs(client):
    out = {}
    for url in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        out[url] = len(queries)
    return out


def add_organisations(org, approved, change_status, communes, n_each):
    for commune in communes:
        for i in range(n_each):
            o = org(commune, 2019 + i % 5, sector=("nong-nghiep", "xay-dung", "thuong-mai")[i % 3])
            approved(
                o, 2024, members_individual=7 + i, workers=3, income_member=30, self_classification="kha"
            )
            if i == 1:
                change_status(o, "suspended", datetime.date(2024, 2, 1))


def test_pages_cost_the_same_queries_for_one_commune_and_for_many(
    setup, as_user, people, org, approved, change_status
):
    from hoptac.units.models import Unit

    legacy = list(
        Unit.objects.filter(era="legacy", level="commune", path__startswith="l12/").order_by("path")
    )
    client = as_user(people.province)
    add_organisations(org, approved, change_status, legacy[:1], 2)
    few = costs(client)
    add_organisations(org, approved, change_status, legacy[1:40], 3)
    many = costs(client)
    assert many == few
    assert max(few.values()) <= CEILING, few


def test_a_commune_officers_pages_cost_as_few(setup, as_user, people, org, approved, change_status, units):
    client = as_user(people.commune)
    add_organisations(org, approved, change_status, [units.tt_than_uyen], 2)
    for url in (
        "/dashboard/?year=2024",
        "/dashboard/unit/commune:03595/?year=2024",
        "/api/progress/?year=2024",
    ):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) <= CEILING, (url, len(queries))


def test_cached_pages_skip_the_engine(settings, setup, as_user, people, org, approved, change_status, units):
    settings.HOPTAC_DASHBOARD_CACHE = True
    client = as_user(people.province)
    add_organisations(org, approved, change_status, [units.tt_than_uyen], 2)
    first = costs(client)
    second = costs(client)
    assert second["/dashboard/?year=2024"] < first["/dashboard/?year=2024"]
    assert second["/dashboard/unit/province:12/?year=2024"] < first["/dashboard/unit/province:12/?year=2024"]
