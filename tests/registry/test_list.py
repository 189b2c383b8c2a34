import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hoptac.registry.models import Sector, Status
from hoptac.registry.services import organisation_change_status, organisation_set_archived

LIST_URL = reverse("registry:organisation-list")


@pytest.fixture
def as_user(db):
    """A logged-in client for `user`, asking for English so that the assertions on text hold
    whatever the Vietnamese translation says."""

    def login(user):
        client = Client(headers={"accept-language": "en"})
        client.force_login(user)
        return client

    return login


def names(response):
    return [o.name for o in response.context["organisations"]]


def row_names(html):
    """The organisation names of the rendered rows, read from the HTML the browser gets."""
    rows = re.findall(r'<tr data-testid="org-row".*?</tr>', html, flags=re.S)
    return [re.search(r'<td class="name"><a href="[^"]+">([^<]+)</a>', row).group(1) for row in rows]


@pytest.fixture
def catalogue(make_org, people, units):
    """Four organisations that differ in every filtered fact."""
    sector = {s.code: s for s in Sector.objects.all()}
    a = make_org(
        "HTX Nông nghiệp Mường Cang",
        code="6201000001",
        sector=sector["nong-nghiep"],
        subsector=sector["trong-trot"],
        founded_on=datetime.date(2018, 3, 1),
        supporter="hnd",
        union_member=True,
        charter_capital=Decimal("1234.5"),
    )
    b = make_org(
        "THT Chăn nuôi Tân Uyên",
        kind="tht",
        unit=units.xa_tan_uyen,
        sector=sector["nong-nghiep"],
        subsector=sector["chan-nuoi"],
        founded_on=datetime.date(2021, 5, 10),
    )
    c = make_org(
        "HTX Xây dựng Than Uyên",
        code="6201000003",
        unit=units.tt_than_uyen,
        sector=sector["xay-dung"],
        founded_on=datetime.date(2015, 1, 1),
    )
    organisation_change_status(
        org=c,
        actor=people.admin,
        status=Status.DISSOLVED,
        effective_on=datetime.date(2023, 5, 2),
        decision_number="12/QĐ-UBND",
    )
    d = make_org(
        "Quỹ tín dụng nhân dân Than Uyên",
        kind="qtdnd",
        sector=sector["tin-dung"],
        founded_on=datetime.date(2010, 6, 1),
    )
    organisation_set_archived(org=d, actor=people.admin, archived=True)
    return a, b, c, d


A, B, C, D = (
    "HTX Nông nghiệp Mường Cang",
    "THT Chăn nuôi Tân Uyên",
    "HTX Xây dựng Than Uyên",
    "Quỹ tín dụng nhân dân Than Uyên",
)


# --- scope ---------------------------------------------------------------------------------------


def test_commune_officer_cannot_see_other_commune_in_list(make_org, people, units, as_user):
    make_org("HTX Than Uyên", unit=units.xa_than_uyen)
    make_org("HTX Tân Uyên", unit=units.xa_tan_uyen)
    response = as_user(people.commune).get(LIST_URL)
    assert response.status_code == 200
    assert row_names(response.content.decode()) == ["HTX Than Uyên"]


def test_province_officer_sees_organisations_of_every_commune_of_his_province(
    make_org, people, units, as_user
):
    make_org("HTX Than Uyên", unit=units.xa_than_uyen)
    make_org("HTX Tân Uyên", unit=units.xa_tan_uyen)
    make_org("HTX Điện Biên", unit=units.xa_dien_bien_commune)
    response = as_user(people.province).get(LIST_URL)
    assert sorted(row_names(response.content.decode())) == ["HTX Than Uyên", "HTX Tân Uyên"]


def test_legacy_district_viewer_sees_organisations_whose_legacy_commune_was_in_the_district(
    make_org, people, units, as_user
):
    make_org("HTX Thị trấn cũ", unit=units.tt_than_uyen)
    make_org("HTX Tân Uyên", unit=units.xa_tan_uyen)
    response = as_user(people.district_viewer).get(LIST_URL)
    assert names(response) == ["HTX Thị trấn cũ"]


def test_anonymous_user_is_sent_to_login():
    response = Client().get(LIST_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- search and filters --------------------------------------------------------------------------


def test_search_without_accents_finds_the_vietnamese_name(catalogue, people, as_user):
    response = as_user(people.admin).get(LIST_URL, {"q": "muong cang"})
    assert names(response) == [A]


def test_search_matches_every_word_in_any_order_and_codes(catalogue, people, as_user):
    client = as_user(people.admin)
    assert names(client.get(LIST_URL, {"q": "cang HTX"})) == [A]
    assert names(client.get(LIST_URL, {"q": "6201000003"})) == [C]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {A, B, C}),
        ({"kind": "tht"}, {B}),
        ({"sector": "nong-nghiep"}, {A, B}),
        ({"sector": "chan-nuoi"}, {B}),
        ({"status": "dissolved"}, {C}),
        ({"founded_from": "2016"}, {A, B}),
        ({"founded_to": "2016"}, {C}),
        ({"founded_from": "2017", "founded_to": "2019"}, {A}),
        ({"supporter": "hnd"}, {A}),
        ({"supporter": "none"}, {B, C}),
        ({"union_member": "yes"}, {A}),
        ({"union_member": "no"}, {B, C}),
        ({"archived": "on"}, {A, B, C, D}),
        ({"existing_in": "2020"}, {A, C}),
        ({"existing_in": "2023"}, {A, B}),
        ({"unit": "commune:03598"}, {B}),
        ({"unit": "legacy-district:110"}, {A, C}),
        ({"unit": "legacy-commune:03595"}, {A, C}),
        ({"unit": "Xã Tân Uyên (commune:03598)"}, {B}),
        ({"unit": "xa tan uyen", "kind": "tht"}, {B}),
    ],
)
def test_each_filter_narrows_the_list(catalogue, people, as_user, params, expected):
    response = as_user(people.admin).get(LIST_URL, params)
    assert response.status_code == 200
    assert set(names(response)) == expected
    assert response.context["counts"].total == len(expected)
    assert not response.context["notices"]


def test_archived_organisations_are_hidden_until_asked_for(catalogue, people, as_user):
    client = as_user(people.admin)
    assert D not in names(client.get(LIST_URL))
    html = client.get(LIST_URL, {"archived": "on", "q": "quy tin dung"}).content.decode()
    assert row_names(html) == [D]
    assert "badge-archived" in html


def test_counts_by_kind_and_status_follow_the_filters(catalogue, people, as_user):
    counts = as_user(people.admin).get(LIST_URL, {"archived": "on"}).context["counts"]
    assert counts.total == 4
    assert {v: n for v, _label, n in counts.by_kind} == {"htx": 2, "tht": 1, "qtdnd": 1}
    assert {v: n for v, _label, n in counts.by_status} == {"active": 3, "dissolved": 1}
    counts = as_user(people.admin).get(LIST_URL, {"kind": "htx"}).context["counts"]
    assert {v: n for v, _label, n in counts.by_kind} == {"htx": 2}


def test_the_total_count_is_shown(catalogue, people, as_user):
    html = as_user(people.admin).get(LIST_URL, {"kind": "htx"}).content.decode()
    assert re.search(r'data-testid="org-count">2<', html)


def test_unit_filter_accepts_only_units_the_user_can_see(catalogue, people, as_user):
    response = as_user(people.commune).get(LIST_URL, {"unit": "commune:03598"})
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    # The filter is ignored, not widened: he still sees his own organisations only (C was registered
    # in the former Thị trấn Than Uyên, which his commune succeeded).
    assert set(names(response)) == {A, C}
    assert "This filter was ignored" in response.content.decode()


def test_ambiguous_unit_names_the_candidates(catalogue, people, as_user):
    response = as_user(people.commune).get(LIST_URL, {"unit": "than uyen"})
    assert response.status_code == 200
    error = response.context["form"].errors["unit"][0]
    assert "Xã Than Uyên" in error
    assert "Thị trấn Than Uyên" in error
    assert "legacy-commune:03595" in error
    html = response.content.decode()
    assert "?unit=commune%3A03595" in html  # a link that picks that candidate


def test_invalid_filter_values_are_ignored_with_a_message(catalogue, people, as_user):
    params = {
        "kind": "spaceship",
        "sector": "no-such-sector",
        "founded_from": "last year",
        "existing_in": "99999",
        "unit": "Atlantis",
        "sort": "password",
        "page": "lots",
        "status": "dissolved",
    }
    response = as_user(people.admin).get(LIST_URL, params)
    assert response.status_code == 200
    assert set(names(response)) == {C}  # the valid filter still applies
    notices = response.context["notices"]
    assert len(notices) == 6
    assert any(n.startswith("Area:") and "Atlantis" in n for n in notices)
    assert any(n.startswith("Kind:") for n in notices)


def test_inverted_founding_years_are_reported(catalogue, people, as_user):
    response = as_user(people.admin).get(LIST_URL, {"founded_from": "2020", "founded_to": "2010"})
    assert "founded_to" in response.context["form"].errors
    assert set(names(response)) == {B}  # the first year still applies


# --- sorting and pagination ----------------------------------------------------------------------


def test_sorting_by_each_column_both_ways(catalogue, people, as_user):
    client = as_user(people.admin)
    assert names(client.get(LIST_URL)) == [A, C, B]  # by folded name: "htx nong", "htx xay", "tht"
    assert names(client.get(LIST_URL, {"sort": "-name"})) == [B, C, A]
    assert names(client.get(LIST_URL, {"sort": "founded_on"})) == [C, A, B]
    assert names(client.get(LIST_URL, {"sort": "-founded_on"})) == [B, A, C]
    assert names(client.get(LIST_URL, {"sort": "code"})) == [A, C, B]  # no code last
    assert names(client.get(LIST_URL, {"sort": "-code"})) == [C, A, B]  # no code last both ways
    assert names(client.get(LIST_URL, {"sort": "kind"})) == [A, C, B]
    assert names(client.get(LIST_URL, {"sort": "status"})) == [A, B, C]
    assert names(client.get(LIST_URL, {"sort": "-sector"}))[-1] in {A, B}  # agriculture is first


def test_sort_headers_toggle_the_direction_and_keep_the_filters(catalogue, people, as_user):
    html = as_user(people.admin).get(LIST_URL, {"kind": "htx", "sort": "code"}).content.decode()
    assert 'href="/registry/?kind=htx&amp;sort=-code"' in html
    assert 'href="/registry/?kind=htx&amp;sort=name"' in html
    assert 'aria-sort="ascending"' in html


def test_pagination_keeps_the_filters(make_org, people, settings, as_user):
    settings.HOPTAC_PAGE_SIZE = 2
    for i in range(5):
        make_org(f"HTX số {i}")
    make_org("THT một", kind="tht")
    client = as_user(people.admin)
    first = client.get(LIST_URL, {"kind": "htx", "q": "so"})
    assert names(first) == ["HTX số 0", "HTX số 1"]
    html = first.content.decode()
    assert 'href="/registry/?kind=htx&amp;q=so&amp;page=2"' in html
    assert re.search(r'data-testid="org-count">5<', html)
    third = client.get(LIST_URL, {"kind": "htx", "q": "so", "page": "3"})
    assert names(third) == ["HTX số 4"]
    assert 'href="/registry/?kind=htx&amp;q=so&amp;page=2"' in third.content.decode()
    # A page past the end shows the last one rather than an error.
    assert names(client.get(LIST_URL, {"kind": "htx", "q": "so", "page": "99"})) == ["HTX số 4"]


# --- htmx and the hooks other code relies on -----------------------------------------------------


def test_htmx_request_returns_only_the_rows_fragment(catalogue, people, as_user):
    response = as_user(people.admin).get(LIST_URL, {"kind": "tht"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="org-filters"' not in html
    assert row_names(html) == [B]
    assert 'data-testid="org-count"' in html
    assert 'hx-swap-oob="true"' in html  # refreshes the form's hidden sort field
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(catalogue, people, as_user):
    response = as_user(people.admin).get(
        LIST_URL, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in response.content.decode()


def test_full_page_has_the_search_box_filters_and_rows(catalogue, people, as_user):
    html = as_user(people.admin).get(LIST_URL).content.decode()
    search = re.search(r"<input[^>]*\bid=\"id_q\"[^>]*>", html).group(0)
    assert 'type="search"' in search and 'name="q"' in search
    assert 'hx-trigger="input changed delay:300ms, search"' in search
    assert 'hx-push-url="true"' in search
    assert 'list="unit-options"' in html and reverse("units:search") in html
    assert f'href="{reverse("registry:organisation-detail", args=[catalogue[0].pk])}">{A}</a>' in html


def test_row_shows_legacy_commune_and_district_when_they_differ(make_org, people, units, as_user):
    make_org("HTX cũ", unit=units.tt_than_uyen, founded_on=datetime.date(2019, 2, 3))
    html = as_user(people.admin).get(LIST_URL).content.decode()
    row = re.search(r'<tr data-testid="org-row".*?</tr>', html, flags=re.S).group(0)
    assert units.xa_than_uyen.name in row
    assert f"{units.tt_than_uyen.name}, {units.than_uyen_district.name}" in row
    assert "03/02/2019" in row


def test_new_organisation_link_only_for_users_who_write(people, as_user):
    create_url = reverse("registry:organisation-create")
    assert create_url in as_user(people.commune).get(LIST_URL).content.decode()
    assert create_url not in as_user(people.district_viewer).get(LIST_URL).content.decode()


# --- cost ----------------------------------------------------------------------------------------


def test_list_costs_the_same_queries_for_5_or_60_organisations(
    make_org, people, units, as_user, django_assert_max_num_queries
):
    sectors = list(Sector.objects.filter(parent__isnull=False))
    places = [units.xa_than_uyen, units.tt_than_uyen, units.xa_tan_uyen]

    def make(i):
        sub = sectors[i % len(sectors)]
        make_org(f"HTX {i:03d}", unit=places[i % len(places)], sector=sub.parent, subsector=sub)

    for i in range(5):
        make(i)
    client = as_user(people.province)
    params = {"unit": "Lai Châu (province:12)", "archived": "on"}
    with CaptureQueriesContext(connection) as five:
        assert len(names(client.get(LIST_URL, params))) == 5
    for i in range(5, 60):
        make(i)
    with django_assert_max_num_queries(len(five)):
        response = client.get(LIST_URL, params)
    assert len(row_names(response.content.decode())) == 50
    assert response.context["counts"].total == 60


def test_queryset_accepts_the_raw_query_string_and_keeps_the_scope(catalogue, people):
    from django.http import QueryDict

    from hoptac.registry.queries import organisation_list_queryset

    qs = organisation_list_queryset(people.commune, QueryDict("q=than+uyen&kind=bogus&sort=-name"))
    assert [o.name for o in qs] == [C]  # D is archived; B is out of his scope; the bad kind is dropped
    qs = organisation_list_queryset(people.commune, {"unit": "commune:03598"})
    assert {o.name for o in qs} == {A, C}  # another commune's key cannot widen the scope
