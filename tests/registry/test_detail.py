"""The organisation page: who may see it, what it shows, and the archive/restore confirmation."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from hoptac.registry.models import Organisation, Status, UnionMembership
from hoptac.registry.services import (
    organisation_change_status,
    organisation_update,
    union_membership_add,
)


def detail_url(org) -> str:
    return reverse("registry:organisation-detail", args=[org.pk])


def block_by_testid(html: str, testid: str) -> str:
    """The element carrying data-testid=`testid`, up to its closing tag (tables and lists here)."""
    match = re.search(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"no element with data-testid={testid}"
    return match.group(2)


def test_commune_officer_of_another_commune_gets_404_on_the_page(client, people, make_org):
    org = make_org()
    client.force_login(people.other_commune)
    assert client.get(detail_url(org)).status_code == 404


def test_missing_organisation_gives_the_same_404(client, people):
    client.force_login(people.province)
    assert client.get(reverse("registry:organisation-detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("who", ["province", "district_viewer", "commune"])
def test_officers_above_a_legacy_commune_see_its_organisation(client, people, make_org, units, who):
    org = make_org("HTX Thị trấn cũ", unit=units.tt_than_uyen)
    client.force_login(getattr(people, who))
    response = client.get(detail_url(org))
    assert response.status_code == 200
    assert "HTX Thị trấn cũ" in response.content.decode()


def test_page_shows_the_facts_in_vietnamese_formats(client, people, make_org, units):
    org = make_org(
        "HTX Chè Than Uyên",
        code="6201000123",
        charter_capital=Decimal("1234.5"),
        founded_on=datetime.date(2018, 3, 1),
        law="2023",
        supporter="hnd",
        union_member=True,
        address="Bản Mường Cang",
        phone="0213 3784 123",
    )
    client.force_login(people.province)
    html = client.get(detail_url(org)).content.decode()
    assert "6201000123" in html
    assert "1.234,5" in html  # charter capital in triệu đồng, Vietnamese separators
    assert "01/03/2018" in html
    assert "Bản Mường Cang" in html and "0213 3784 123" in html
    commune = block_by_testid(html, "commune")
    assert units.xa_than_uyen.name in commune and units.lai_chau.name in commune
    # The legacy commune it came from, with its former district.
    assert units.tt_than_uyen.name in commune and units.than_uyen_district.name in commune
    assert 'data-testid="status-badge"' in html


def test_organisation_in_a_legacy_commune_shows_the_current_commune_it_became(
    client, people, make_org, units
):
    org = make_org(unit=units.tt_than_uyen)
    client.force_login(people.province)
    commune = block_by_testid(client.get(detail_url(org)).content.decode(), "commune")
    assert units.tt_than_uyen.name in commune and units.than_uyen_district.name in commune
    assert units.xa_than_uyen.name in commune


def test_status_history_lists_changes_oldest_first_with_date_decision_and_reason(client, people, make_org):
    org = make_org(founded_on=datetime.date(2018, 3, 1))
    organisation_change_status(
        org=org,
        actor=people.commune,
        status=Status.SUSPENDED,
        effective_on=datetime.date(2022, 1, 10),
        reason="Thiếu vốn lưu động",
    )
    organisation_change_status(
        org=org,
        actor=people.commune,
        status=Status.DISSOLVED,
        effective_on=datetime.date(2023, 5, 2),
        decision_number="12/QĐ-UBND",
    )
    client.force_login(people.province)
    html = client.get(detail_url(org), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = block_by_testid(html, "status-history")
    rows = re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    assert len(rows) == 3
    # The first change's reason is text the service wrote in the language active at registration:
    # outside a request, the default one (Vietnamese), whatever language the page is read in.
    with translation.override("vi"):
        registered = translation.gettext("Registered")
    assert "01/03/2018" in rows[0] and "Operating" in rows[0] and registered in rows[0]
    assert "Temporarily suspended" in rows[1] and "Dissolved" in rows[2]
    assert "10/01/2022" in rows[1] and "Thiếu vốn lưu động" in rows[1]
    assert "02/05/2023" in rows[2] and "12/QĐ-UBND" in rows[2]


def test_change_history_shows_who_changed_which_field_from_what_to_what(client, people, make_org, settings):
    org = make_org("HTX Cũ", founded_on=datetime.date(2018, 3, 1))
    organisation_update(org=org, actor=people.commune, name="HTX Mới", founded_on=datetime.date(2019, 4, 5))
    client.force_login(people.province)
    response = client.get(detail_url(org), HTTP_ACCEPT_LANGUAGE="en")
    history = block_by_testid(response.content.decode(), "change-history")
    entries = re.findall(r'<tr data-testid="history-entry">(.*?)</tr>', history, re.S)
    assert len(entries) == 2  # newest first: the edit, then the registration
    edit = entries[0]
    assert people.commune.username in edit
    assert re.search(
        r"Name:</span>\s*<span class=\"old\">HTX Cũ</span>.*?<span class=\"new\">HTX Mới</span>", edit, re.S
    )
    assert re.search(r"01/03/2018</span>.*?05/04/2019", edit, re.S)
    assert people.admin.username in entries[1]


def test_change_history_shows_choices_and_links_by_their_labels(client, people, make_org, units):
    from hoptac.registry.models import Sector

    org = make_org(kind="htx")
    trade = Sector.objects.get(code="thuong-mai")
    organisation_update(org=org, actor=people.province, kind="qtdnd", sector=trade, unit=units.xa_tan_uyen)
    client.force_login(people.province)
    history = block_by_testid(
        client.get(detail_url(org), HTTP_ACCEPT_LANGUAGE="en").content.decode(), "change-history"
    )
    assert "Cooperative (HTX)" in history and "People&#x27;s credit fund" in history
    assert trade.name_en in history
    assert units.xa_tan_uyen.name in history and units.xa_than_uyen.name in history


def test_a_status_change_appears_in_the_change_history_as_status_old_to_new(client, people, make_org):
    org = make_org()
    organisation_change_status(
        org=org, actor=people.commune, status=Status.SUSPENDED, effective_on=datetime.date(2024, 2, 1)
    )
    client.force_login(people.province)
    history = block_by_testid(
        client.get(detail_url(org), HTTP_ACCEPT_LANGUAGE="en").content.decode(), "change-history"
    )
    assert re.search(r"Operating</span>.*?Temporarily suspended", history, re.S)


@pytest.mark.parametrize(
    ("who", "can_write"),
    [
        ("province", True),
        ("commune", True),
        ("admin", True),
        ("district_viewer", False),
        ("agency_officer", False),
    ],
)
def test_write_buttons_show_only_to_users_who_may_write(client, people, make_org, who, can_write):
    org = make_org()
    client.force_login(getattr(people, who))
    html = client.get(detail_url(org)).content.decode()
    for testid in ("edit", "change-status", "archive"):
        assert (f'data-testid="{testid}"' in html) is can_write, testid


def test_page_costs_the_same_queries_however_long_its_histories(
    client, people, make_org, django_assert_max_num_queries
):
    short = make_org("HTX Ngắn")
    long = make_org("HTX Dài")
    for year in range(2019, 2024):
        organisation_update(org=long, actor=people.commune, founded_on=datetime.date(2018, 1, year - 2018))
        organisation_change_status(
            org=long,
            actor=people.commune,
            status=Status.SUSPENDED if year % 2 else Status.ACTIVE,
            effective_on=datetime.date(year, 6, 1),
        )
    client.force_login(people.commune)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(detail_url(short)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(detail_url(long)).status_code == 200


@pytest.mark.parametrize("who", ["district_viewer", "agency_officer", "other_commune"])
@pytest.mark.parametrize("name", ["organisation-edit", "organisation-status", "organisation-archive"])
def test_users_who_may_not_write_get_404_on_the_write_pages(client, people, make_org, who, name):
    org = make_org()
    client.force_login(getattr(people, who))
    url = reverse(f"registry:{name}", args=[org.pk])
    assert client.get(url).status_code == 404
    data = {"action": "archive", "status": "dissolved", "effective_on": "01/01/2024", "name": "X"}
    assert client.post(url, data).status_code == 404
    org.refresh_from_db()
    assert not org.archived and org.status == Status.ACTIVE and org.name != "X"
    assert org.history.count() == 1 and org.status_changes.count() == 1


@pytest.mark.parametrize("who", ["district_viewer", "agency_officer"])
def test_users_whose_role_cannot_write_get_404_on_create(client, people, who):
    client.force_login(getattr(people, who))
    url = reverse("registry:organisation-create")
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "HTX Lén"}).status_code == 404
    assert not Organisation.objects.filter(name="HTX Lén").exists()


def test_archive_asks_first_then_archives_on_post_and_never_deletes(client, people, make_org):
    org = make_org("HTX Nhập Trùng")
    url = reverse("registry:organisation-archive", args=[org.pk])
    client.force_login(people.commune)
    page = client.get(url)
    assert page.status_code == 200 and 'data-testid="submit"' in page.content.decode()
    org.refresh_from_db()
    assert not org.archived  # a GET only asks

    response = client.post(url, {"action": "archive"})
    assert response.status_code == 302 and response["Location"] == detail_url(org)
    org.refresh_from_db()
    assert org.archived
    html = client.get(detail_url(org)).content.decode()
    assert "HTX Nhập Trùng" in html and 'data-testid="archived-badge"' in html
    assert 'data-testid="status-history"' in html and 'data-testid="change-history"' in html

    client.post(url, {"action": "restore"})
    org.refresh_from_db()
    assert not org.archived
    assert Organisation.objects.filter(pk=org.pk).exists()
    assert org.history.count() == 3


def test_archive_without_a_valid_action_changes_nothing(client, people, make_org):
    org = make_org()
    client.force_login(people.commune)
    response = client.post(reverse("registry:organisation-archive", args=[org.pk]), {"action": "delete"})
    assert response.status_code == 200
    org.refresh_from_db()
    assert not org.archived and org.history.count() == 1


# Union members on the union's page.


@pytest.fixture
def union(make_org, people):
    return make_org("Liên hiệp HTX Than Uyên", kind="lhhtx", founded_on=datetime.date(2020, 1, 1))


def test_union_page_lists_its_members_and_the_member_page_its_union(client, people, make_org, union):
    coop = make_org("HTX Thành Viên")
    union_membership_add(union=union, member=coop, actor=people.commune, joined_on=datetime.date(2021, 2, 3))
    client.force_login(people.commune)
    union_html = block_by_testid(client.get(detail_url(union)).content.decode(), "union-members")
    assert "HTX Thành Viên" in union_html and "03/02/2021" in union_html
    coop_html = block_by_testid(client.get(detail_url(coop)).content.decode(), "union-members")
    assert "Liên hiệp HTX Than Uyên" in coop_html


def test_a_member_outside_the_viewers_area_is_named_but_not_linked(client, people, make_org, union, units):
    near = make_org("HTX Gần")
    far = make_org("HTX Xa", unit=units.xa_tan_uyen)
    union_membership_add(union=union, member=near, actor=people.province)
    union_membership_add(union=union, member=far, actor=people.province)
    client.force_login(people.commune)
    html = block_by_testid(client.get(detail_url(union)).content.decode(), "union-members")
    assert f'href="{detail_url(near)}"' in html
    assert "HTX Xa" in html and f'href="{detail_url(far)}"' not in html


def test_union_member_form_adds_a_cooperative_by_its_datalist_text(client, people, make_org, union):
    coop = make_org("HTX Mới Vào")
    client.force_login(people.commune)
    page = client.get(detail_url(union)).content.decode()
    assert f"HTX Mới Vào (#{coop.pk})" in page  # offered by the datalist
    response = client.post(
        detail_url(union), {"member": f"HTX Mới Vào (#{coop.pk})", "joined_on": "05/06/2022"}
    )
    assert response.status_code == 302
    membership = UnionMembership.objects.get(union=union, member=coop)
    assert membership.joined_on == datetime.date(2022, 6, 5)


def test_union_member_form_over_htmx_returns_the_fragment_with_the_error_on_its_field(
    client, people, make_org, union
):
    group = make_org("Tổ hợp tác Rau", kind="tht")
    client.force_login(people.commune)
    response = client.post(
        detail_url(union), {"member": f"Tổ hợp tác Rau (#{group.pk})"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="card" id="union-members"')
    assert 'data-testid="error-member"' in html
    assert not UnionMembership.objects.exists()


def test_union_member_can_be_recorded_as_leaving(client, people, make_org, union):
    coop = make_org("HTX Rời Đi")
    membership = union_membership_add(union=union, member=coop, actor=people.commune)
    client.force_login(people.commune)
    client.post(detail_url(union), {"end": membership.pk})
    membership.refresh_from_db()
    assert membership.left_on is not None
    assert UnionMembership.objects.filter(pk=membership.pk).exists()


def test_viewer_cannot_post_the_union_member_form(client, people, make_org, union):
    coop = make_org("HTX Khác")
    client.force_login(people.district_viewer)
    response = client.post(detail_url(union), {"member": f"HTX Khác (#{coop.pk})"})
    assert response.status_code == 404
    assert not UnionMembership.objects.exists()


def test_ended_organisation_offers_no_status_change(client, people, make_org):
    import datetime

    from hoptac.registry.services import organisation_change_status

    org = make_org("HTX Đã Giải Thể")
    organisation_change_status(
        org=org,
        actor=people.admin,
        status="dissolved",
        effective_on=datetime.date(2024, 1, 5),
        decision_number="9/QĐ",
    )
    client.force_login(people.province)
    body = client.get(f"/registry/{org.pk}/").content.decode()
    assert 'data-testid="change-status"' not in body
    assert 'data-testid="edit"' in body
