"""The dashboard's pages: each role sees its own area, nothing outside it (404), and every figure links
to the organisations behind it."""

import re

import pytest
from django.urls import reverse

from hoptac.indicators.engine import compute
from hoptac.web.queries import unit_url


def unit_page(unit, year=None):
    url = reverse("web:unit", kwargs={"unit": unit.key})
    return f"{url}?year={year}" if year else url


# -- home and access ----------------------------------------------------------------------------------------


def test_home_sends_officers_to_the_dashboard_and_representatives_to_the_registry(
    client, people, make_org, units
):
    from hoptac.accounts.models import Role, User

    client.force_login(people.commune)
    assert client.get("/").url == reverse("web:overview")
    org = make_org("HTX Đại Diện")
    rep = User.objects.create_user(username="rep", password="pw", role=Role.COOPERATIVE, organisation=org)
    client.force_login(rep)
    assert client.get("/").url == reverse("registry:organisation-list")


def test_logging_in_without_a_next_page_lands_an_officer_on_the_dashboard(client, people):
    people.commune.set_password("pw-commune")
    people.commune.save()
    response = client.post(
        reverse("login"), {"username": people.commune.username, "password": "pw-commune"}, follow=True
    )
    assert [url for url, _status in response.redirect_chain] == ["/", reverse("web:overview")]
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    home = client.get("/")
    assert home.status_code == 302 and home.url == "/accounts/login/?next=/"  # then back home: the dashboard
    for url in (reverse("web:overview"), "/dashboard/unit/province:12/", reverse("web:map")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize(
    ("who", "area"),
    [
        ("admin", "Tỉnh Lai Châu"),
        ("province", "Tỉnh Lai Châu"),
        ("commune", "Xã Than Uyên"),
        ("district_viewer", "Huyện Than Uyên"),
        ("agency_officer", "Tỉnh Lai Châu"),
    ],
)
def test_every_page_renders_for_each_role_on_its_own_area(as_user, people, world, plan, who, area):
    client = as_user(getattr(people, who))
    response = client.get(reverse("web:overview"))
    assert response.status_code == 200
    unit = response.context["unit"]
    assert unit.name == area
    for url in (
        unit_page(unit),
        reverse("web:communes-without-htx") + f"?unit={unit.key}",
        reverse("web:map") + f"?unit={unit.key}",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        assert area in page.content.decode()


def test_a_cooperatives_representative_has_no_dashboard(client, people, make_org):
    from hoptac.accounts.models import Role, User

    org = make_org("HTX Đại Diện")
    rep = User.objects.create_user(username="rep", password="pw", role=Role.COOPERATIVE, organisation=org)
    client.force_login(rep)
    assert client.get(reverse("web:overview")).status_code == 404
    assert client.get(unit_page(org.unit)).status_code == 404
    assert client.get("/api/indicators/").status_code == 404


@pytest.mark.parametrize(
    ("who", "outside"),
    [
        ("commune", "xa_tan_uyen"),
        ("commune", "lai_chau"),
        ("other_commune", "xa_than_uyen"),
        ("district_viewer", "lai_chau"),
        ("district_viewer", "tam_duong_district"),
        ("other_province", "lai_chau"),
        ("province", "dien_bien"),
    ],
)
def test_a_unit_outside_the_users_area_is_not_found_on_every_page(
    as_user, people, units, world, who, outside
):
    client = as_user(getattr(people, who))
    unit = getattr(units, outside)
    for url in (
        unit_page(unit),
        reverse("web:unit", kwargs={"unit": str(unit.pk)}),
        reverse("web:overview") + f"?unit={unit.key}",
        reverse("web:communes-without-htx") + f"?unit={unit.key}",
        reverse("web:map") + f"?unit={unit.key}",
        reverse("web:map-data") + f"?unit={unit.key}",
        f"/api/indicators/?unit={unit.key}",
        f"/api/progress/?unit={unit.key}",
    ):
        assert client.get(url).status_code == 404, url


def test_nonsense_in_the_address_is_not_found(as_user, people):
    client = as_user(people.province)
    assert client.get(reverse("web:overview") + "?year=abc").status_code == 404
    assert client.get(reverse("web:overview") + "?year=1800").status_code == 404
    assert client.get(reverse("web:overview") + "?plan=kon-tum-2019").status_code == 404
    assert client.get(reverse("web:map") + "?indicator=no-such-code").status_code == 404
    assert client.get("/dashboard/unit/nowhere-at-all/").status_code == 404


def test_the_former_district_has_its_page_for_2020_and_2023(as_user, people, world, places):
    client = as_user(people.district_viewer)
    expected = {
        # 2020: agri, gone (dissolved in 2024), build (founded 01/03/2020), weak (Phúc Than), the fund.
        2020: {"htx": 4, "qtdnd": 1},
        # 2023: and trade, asleep (suspended, still existing), the group.
        2023: {"htx": 6, "qtdnd": 1, "tht": 1},
    }
    for year, kinds in expected.items():
        response = client.get(unit_page(places.district, year))
        assert response.status_code == 200
        rows = {r.indicator.code: r for r in response.context["rows"]}
        engine = compute(["htx-existing"], [places.district], [year])[
            ("htx-existing", places.district.id, year)
        ]
        assert rows["htx-existing"].value.value == engine.value == kinds["htx"] + kinds["qtdnd"]
        by_kind = next(b for by, _label, b, _links in response.context["breakdowns"] if by == "kind")
        assert {r.key: r.count for r in by_kind.rows} == kinds
        assert len(response.context["communes"]) == 12  # the former district's communes, compared


def test_every_figure_of_a_unit_page_links_to_exactly_the_organisations_it_counts(
    as_user, people, world, places
):
    client = as_user(people.province)
    response = client.get(unit_page(places.province, 2024))
    checked = 0
    for row in response.context["rows"]:
        if row.url is None or row.value.no_data:
            continue
        listed = client.get(row.url)
        assert listed.status_code == 200
        counted = row.value.n_orgs
        if row.indicator.is_growth:
            continue  # the growth's organisations are its base's, checked on the base's row
        assert listed.context["counts"].total == counted, row.indicator.code
        checked += 1
    assert checked > 30


def test_the_organisations_behind_a_figure_are_named_on_the_list_page(as_user, people, world, places):
    client = as_user(people.province)
    response = client.get(unit_page(places.district, 2024))
    row = next(r for r in response.context["rows"] if r.indicator.code == "htx-effective-share")
    good = client.get(row.numerator_url)
    body = good.content.decode()
    assert "The organisations counted in the numerator of" in body
    names = {o.name for o in good.context["organisations"]}
    assert names == {"HTX Chè Than Uyên", "HTX Xây dựng Mường Than", "Quỹ tín dụng Than Uyên"}


def test_the_communes_compared_can_be_sorted_by_any_column(as_user, people, world, places):
    client = as_user(people.province)
    response = client.get(unit_page(places.province, 2024) + "&sort=-htx-existing")
    rows = response.context["communes"]
    assert len(rows) == 38
    values = [r.cells[0][0].value for r in rows if r.cells[0][0].value is not None]
    assert values == sorted(values, reverse=True)
    assert rows[0].unit.name == "Xã Than Uyên"
    by_name = client.get(unit_page(places.province, 2024) + "&sort=name").context["communes"]
    assert [r.unit.name_folded for r in by_name] == sorted(r.unit.name_folded for r in by_name)
    assert 'data-testid="sort-htx-existing"' in response.content.decode()


def test_unit_links_point_at_the_unit_pages(places):
    assert unit_url(places.district, 2023) == unit_page(places.district, 2023)
    assert unit_url(places.xa_than_uyen) == unit_page(places.xa_than_uyen)


# -- the overview -----------------------------------------------------------------------------------------


def test_the_overview_shows_the_plans_targets_as_cards_with_their_status(as_user, people, world, plan):
    client = as_user(people.province)
    response = client.get(reverse("web:overview") + "?year=2024")
    body = response.content.decode()
    assert body.count('data-testid="target-card"') == plan.targets.count()
    assert 'data-testid="status-summary"' in body
    assert "How the status of a target is found" in body  # the method, on the page
    for status in re.findall(r'data-testid="target-card" data-indicator="[^"]+" data-status="([^"]+)"', body):
        assert status in {"achieved", "on_track", "at_risk", "off_track", "no_data"}
    assert 'src="/static/vendor/chart.umd.min.js"' in body and "cdn" not in body.lower()


def test_the_overview_counts_organisations_by_kind_sector_and_status_with_links(
    as_user, people, world, places
):
    client = as_user(people.province)
    response = client.get(reverse("web:overview") + "?year=2024")
    counts = response.context["counts"]
    # End of 2024: agri, build, trade, asleep (suspended), group, fund, weak; `gone` dissolved in May 2024.
    assert counts.total == 7
    assert {r.key: r.count for r in counts.by_status} == {"active": 6, "suspended": 1}
    status_row = next(r for r in counts.by_status if r.key == "suspended")
    listed = client.get(status_row.url)
    assert [o.name for o in listed.context["organisations"]] == ["HTX Vận tải Ngủ Đông"]
    kind_row = next(r for r in counts.by_kind if r.key == "tht")
    assert client.get(kind_row.url).context["counts"].total == kind_row.count == 1


def test_the_overview_charts_foundings_and_endings_per_year_with_links(as_user, people, world, places):
    client = as_user(people.province)
    chart = client.get(reverse("web:overview") + "?year=2025").context["flows_chart"]
    founded_htx = next(d for d in chart["datasets"] if d["stack"] == "founded" and d["kind"] == "htx")
    ended_htx = next(d for d in chart["datasets"] if d["stack"] == "ended" and d["kind"] == "htx")
    year_index = chart["years"].index(2024)
    assert ended_htx["data"][year_index] == 1
    listed = client.get(ended_htx["links"][year_index])
    assert [o.name for o in listed.context["organisations"]] == ["HTX Đã Giải Thể"]
    assert founded_htx["data"][chart["years"].index(2025)] == 1


def test_a_commune_sees_the_provinces_rate_targets_on_its_own_figures_and_no_status_for_counts(
    as_user, people, world, plan
):
    client = as_user(people.commune)
    cards = client.get(reverse("web:overview") + "?year=2024").context
    body = cards["targets_html"]
    assert "Target set for Tỉnh Lai Châu; the figures are this area's." in body
    statuses = dict(re.findall(r'data-indicator="([^"]+)" data-status="([^"]+)"', body))
    assert statuses["htx-founded"] == "not_set"
    assert statuses["htx-effective-share"] in {"achieved", "on_track", "at_risk", "off_track"}


def test_the_overview_default_year_is_the_latest_complete_year_with_approved_returns(as_user, people, world):
    client = as_user(people.province)
    assert client.get(reverse("web:overview")).context["year"] == 2024


def test_a_figure_on_the_dashboard_follows_the_data_at_once(as_user, people, world, places, org):
    client = as_user(people.province)
    url = unit_page(places.province, 2024)
    before = {r.indicator.code: r.value.value for r in client.get(url).context["rows"]}
    org(places.tt_than_uyen, 2023, name="HTX Vừa Thêm")
    after = {r.indicator.code: r.value.value for r in client.get(url).context["rows"]}
    assert after["htx-existing"] == before["htx-existing"] + 1


# -- criterion 13 ---------------------------------------------------------------------------------------------


def test_communes_without_an_operating_cooperative_before_and_after_the_reform(
    as_user, people, world, places
):
    client = as_user(people.province)
    after = client.get(reverse("web:communes-without-htx") + "?year=2025").context
    covered = compute(["communes-with-htx"], [places.province], [2025])[
        ("communes-with-htx", places.province.id, 2025)
    ]
    assert after["total"] == covered.denominator == 38
    assert len(after["without"]) == 38 - int(covered.value) == 35
    assert places.xa_than_uyen not in [c.unit for c in after["without"]]
    # No approved return for 2025 yet: no commune can be judged on its classes.
    assert after["only_weak"] == []
    assert {c.unit for c in after["unknown"]} == {
        places.xa_than_uyen,
        places.xa_muong_than,
        places.xa_tan_uyen,
    }

    before = client.get(reverse("web:communes-without-htx") + "?year=2024").context
    assert before["legacy_communes"]
    assert {c.unit for c in before["only_weak"]} == {places.phuc_than}  # its only HTX is classified weak
    assert places.tt_than_uyen not in [c.unit for c in before["without"]]


def test_the_link_of_a_commune_lists_its_operating_cooperatives(as_user, people, world, places):
    client = as_user(people.province)
    coverage = client.get(reverse("web:communes-without-htx") + "?year=2024").context["coverage"]
    row = next(c for c in coverage if c.unit == places.tt_than_uyen)
    names = {o.name for o in client.get(row.url).context["organisations"]}
    assert names == {
        "HTX Chè Than Uyên",
        "HTX Xây dựng Mường Than",
        "HTX Dịch vụ Than Uyên",
        "Quỹ tín dụng Than Uyên",
    }
    assert row.active == len(names)


# -- the map --------------------------------------------------------------------------------------------------


@pytest.fixture
def sample_layer(settings, tmp_path, units):
    from hoptac.web.services import geolayer_load_sample

    settings.MEDIA_ROOT = tmp_path / "media"
    return geolayer_load_sample()


def test_the_map_colours_every_commune_of_the_sample_and_says_it_is_a_sample(
    as_user, people, world, sample_layer
):
    client = as_user(people.province)
    page = client.get(reverse("web:map") + "?indicator=htx-existing&year=2024")
    body = page.content.decode()
    assert 'data-testid="sample-note"' in body and "not official boundaries" in body
    assert 'src="/static/vendor/leaflet/leaflet.js"' in body and "tile" not in body.lower()
    data = client.get(reverse("web:map-data") + "?indicator=htx-existing&year=2024").json()
    assert data["sample"] is True and len(data["features"]) == 38
    than_uyen = next(f["properties"] for f in data["features"] if f["properties"]["code"] == "03595")
    assert than_uyen["value"] == 5  # agri, build, trade, asleep and the fund; `gone` ended in 2024
    assert than_uyen["unit_url"] == unit_page(world["agri"].current_commune, 2024)
    assert data["classes"] == sorted(data["classes"])


def test_a_commune_officer_sees_only_his_commune_on_the_map(as_user, people, world, sample_layer):
    client = as_user(people.commune)
    data = client.get(reverse("web:map-data") + "?indicator=htx-active&year=2024").json()
    assert [f["properties"]["code"] for f in data["features"]] == ["03595"]


def test_without_a_layer_the_map_page_says_how_to_get_one(as_user, people):
    client = as_user(people.province)
    body = client.get(reverse("web:map")).content.decode()
    assert 'data-testid="no-layer"' in body
    assert client.get(reverse("web:map-data")).status_code == 404


def test_a_commune_officer_reads_the_former_commune_that_became_his_but_not_the_former_district(
    as_user, people, world, places
):
    from hoptac.accounts.access import figure_units

    readable = set(figure_units(people.commune))
    assert places.tt_than_uyen in readable and places.xa_than_uyen in readable
    # The former district's cooperatives are now in Xã Mường Than too: its figures are not his to read.
    assert places.district not in readable and places.legacy_province not in readable
    client = as_user(people.commune)
    assert client.get(unit_page(places.tt_than_uyen, 2023)).status_code == 200
    assert client.get(unit_page(places.district, 2023)).status_code == 404
    # The province officer reads the former province and district.
    assert {places.district, places.legacy_province} <= set(figure_units(people.province))


def test_an_approved_return_shows_at_once_and_a_saved_draft_keeps_the_cache(
    as_user, people, world, places, approved
):
    from hoptac.web.queries import data_version

    client = as_user(people.province)
    url = unit_page(places.province, 2024)
    members = {r.indicator.code: r.value.value for r in client.get(url).context["rows"]}["htx-members"]
    version = data_version(places.province)
    approved(world["asleep"], 2023, status="draft", members_individual=100)
    assert data_version(places.province) == version  # a draft changes no figure
    from hoptac.returns.models import AnnualReturn
    from hoptac.returns.services import return_approve

    # The suspended cooperative's 2024 return was only submitted: its approval counts at once.
    return_approve(ret=AnnualReturn.objects.get(organisation=world["asleep"], year=2024), actor=people.admin)
    assert data_version(places.province) != version
    after = {r.indicator.code: r.value.value for r in client.get(url).context["rows"]}["htx-members"]
    assert after == members + 15  # the suspended one's return, approved: 12 individuals and 3 households
