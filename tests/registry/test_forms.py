"""Create, edit and status-change pages: what they accept, where their errors land, and that a refusal writes nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hoptac.registry.models import Organisation, Sector, Status, StatusChange

CREATE = reverse("registry:organisation-create")


def field_error(response, field: str) -> str:
    """The error shown beside `field`, or "" when there is none."""
    match = re.search(rf'data-testid="error-{field}">(.*?)</p>', response.content.decode(), re.S)
    return match.group(1) if match else ""


def fields_in_error(response) -> set[str]:
    return set(re.findall(r'data-testid="error-([\w-]+)"', response.content.decode()))


@pytest.fixture
def agriculture(db):
    return Sector.objects.get(code="nong-nghiep")


@pytest.fixture
def valid(agriculture):
    """What a person types on the create page (commune as the datalist offers it)."""
    return {
        "name": "HTX Dịch vụ Nông nghiệp Phúc Than",
        "code": "6201000777",
        "kind": "htx",
        "sector": agriculture.pk,
        "subsector": Sector.objects.get(code="trong-trot").pk,
        "unit": "Xã Than Uyên (commune:03595)",
        "address": "Bản Phiêng Cằm",
        "founded_on": "15/03/2021",
        "law": "2012",
        "charter_capital": "2500",
        "supporter": "hnd",
        "union_member": "on",
    }


def test_commune_officer_registers_an_organisation_in_his_commune(client, people, units, valid):
    client.force_login(people.commune)
    response = client.post(CREATE, {**valid, "charter_capital": "1.234,5"})
    org = Organisation.objects.get(code="6201000777")
    assert response.status_code == 302 and response["Location"] == reverse(
        "registry:organisation-detail", args=[org.pk]
    )
    assert org.unit == units.xa_than_uyen and org.current_commune == units.xa_than_uyen
    assert org.founded_on == datetime.date(2021, 3, 15)
    assert org.charter_capital == Decimal("1234.5")  # 1.234,5 typed the Vietnamese way
    assert org.subsector.code == "trong-trot" and org.supporter == "hnd" and org.union_member
    first = org.status_changes.get()
    assert first.status == Status.ACTIVE and first.effective_on == datetime.date(2021, 3, 15)
    assert org.history.get().history_user == people.commune


def test_create_page_prefills_the_commune_officers_commune(client, people):
    client.force_login(people.commune)
    html = client.get(CREATE).content.decode()
    assert 'value="Xã Than Uyên (commune:03595)"' in html
    # The datalist is fed by htmx from the units search, with the typed text as `q`.
    assert f'hx-get="{reverse("units:search")}"' in html and 'list="unit-options"' in html
    assert re.search(r'<input type="text" name="founded_on"[^>]*placeholder="dd/mm/yyyy"', html)


@pytest.mark.parametrize("typed", ["commune:03595", "Xã Than Uyên (commune:03595)", "xa than uyen"])
def test_the_commune_can_be_typed_as_a_key_the_datalist_text_or_an_unambiguous_name(
    client, people, units, valid, typed
):
    client.force_login(people.province)
    client.post(CREATE, {**valid, "unit": typed})
    assert Organisation.objects.get(code="6201000777").unit == units.xa_than_uyen


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "  "}, "name", "required"),
        ({"founded_on": "FUTURE"}, "founded_on", "future"),
        ({"founded_on": "31/02/2021"}, "founded_on", "date"),
        ({"unit": "Xã Không Có Thật"}, "unit", "No unit matches"),
        ({"unit": "tân uyên"}, "unit", "No commune or ward of your area"),
        ({"unit": "commune:99999"}, "unit", "99999"),
        ({"unit": "Xã Tân Uyên (commune:03598)"}, "unit", "outside your area"),
        ({"unit": "district:110"}, "unit", "not a commune"),
        ({"subsector": "CONSTRUCTION"}, "subsector", "does not belong"),
        ({"charter_capital": "-5"}, "charter_capital", "negative"),
        ({"kind": "tht"}, "union_member", "cooperative group"),
    ],
)
def test_create_with_bad_input_shows_the_error_beside_its_field_and_writes_nothing(
    client, people, valid, change, field, message
):
    if change.get("founded_on") == "FUTURE":
        change = {"founded_on": (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")}
    if change.get("subsector") == "CONSTRUCTION":
        change = {
            "subsector": Sector.objects.get(code="chan-nuoi").pk,
            "sector": Sector.objects.get(code="xay-dung").pk,
        }
    client.force_login(people.commune)
    before = Organisation.objects.count(), StatusChange.objects.count()
    response = client.post(CREATE, {**valid, **change}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert fields_in_error(response) == {field}
    assert message in field_error(response, field)
    assert (Organisation.objects.count(), StatusChange.objects.count()) == before


def test_create_with_a_code_already_taken_names_the_code_and_writes_nothing(client, people, make_org, valid):
    make_org("HTX Có Mã Rồi", code="6201000777")
    client.force_login(people.commune)
    response = client.post(CREATE, valid, HTTP_ACCEPT_LANGUAGE="en")
    assert fields_in_error(response) == {"code"}
    assert "6201000777" in field_error(response, "code")
    assert Organisation.objects.filter(code="6201000777").count() == 1


def test_create_keeps_what_was_typed_after_a_refusal(client, people, valid):
    client.force_login(people.commune)
    response = client.post(CREATE, {**valid, "name": ""})
    html = response.content.decode()
    assert 'value="15/03/2021"' in html and 'value="Bản Phiêng Cằm"' in html


def test_province_officer_cannot_place_an_organisation_in_another_province(client, people, units, valid):
    client.force_login(people.province)
    response = client.post(CREATE, {**valid, "unit": f"commune:{units.xa_dien_bien_commune.code}"})
    assert fields_in_error(response) == {"unit"}
    assert not Organisation.objects.exists()


def test_a_legacy_commune_is_accepted_for_an_organisation_founded_before_the_reform(
    client, people, units, valid
):
    client.force_login(people.commune)
    client.post(CREATE, {**valid, "unit": "legacy-commune:03595", "founded_on": "01/02/2015"})
    org = Organisation.objects.get(code="6201000777")
    assert org.unit == units.tt_than_uyen and org.current_commune == units.xa_than_uyen


def test_a_legacy_commune_is_refused_for_an_organisation_founded_after_the_reform(client, people, valid):
    client.force_login(people.commune)
    response = client.post(CREATE, {**valid, "unit": "legacy-commune:03595", "founded_on": "01/08/2025"})
    assert fields_in_error(response) == {"unit"}
    assert not Organisation.objects.exists()


# Editing.


def edit_data(org, **changes):
    data = {
        "name": org.name,
        "code": org.code or "",
        "kind": org.kind,
        "sector": org.sector_id,
        "subsector": org.subsector_id or "",
        "unit": f"{org.unit.name} ({org.unit.key})",
        "founded_on": org.founded_on.strftime("%d/%m/%Y") if org.founded_on else "",
        "law": org.law,
        "supporter": org.supporter,
    }
    return {**data, **changes}


def test_edit_page_shows_the_current_values(client, people, make_org):
    org = make_org("HTX Sửa", code="62-01", charter_capital=Decimal("2500.5"))
    client.force_login(people.commune)
    html = client.get(reverse("registry:organisation-edit", args=[org.pk])).content.decode()
    assert 'value="HTX Sửa"' in html and 'value="62-01"' in html
    assert 'value="01/03/2018"' in html and 'value="2.500,5"' in html
    assert 'value="Xã Than Uyên (commune:03595)"' in html


def test_edit_saves_the_changed_fields_and_records_who_changed_them(client, people, make_org):
    org = make_org("HTX Tên Cũ")
    client.force_login(people.commune)
    url = reverse("registry:organisation-edit", args=[org.pk])
    response = client.post(url, edit_data(org, name="HTX Tên Mới", phone="0912 345 678"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "HTX Tên Mới" and org.phone == "0912 345 678"
    latest = org.history.first()
    assert latest.history_user == people.commune and latest.history_type == "~"


def test_edit_without_changes_writes_no_history(client, people, make_org):
    org = make_org()
    client.force_login(people.commune)
    client.post(reverse("registry:organisation-edit", args=[org.pk]), edit_data(org))
    assert org.history.count() == 1


def test_edit_with_a_future_founding_date_is_refused_and_changes_nothing(client, people, make_org):
    org = make_org("HTX Giữ Nguyên")
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    client.force_login(people.commune)
    response = client.post(
        reverse("registry:organisation-edit", args=[org.pk]),
        edit_data(org, name="HTX Đổi Tên", founded_on=future),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and fields_in_error(response) == {"founded_on"}
    org.refresh_from_db()
    assert org.name == "HTX Giữ Nguyên" and org.founded_on == datetime.date(2018, 3, 1)
    assert org.history.count() == 1


def test_commune_officer_cannot_move_his_organisation_to_another_commune(client, people, make_org, units):
    org = make_org()
    client.force_login(people.commune)
    response = client.post(
        reverse("registry:organisation-edit", args=[org.pk]),
        edit_data(org, unit=f"{units.xa_tan_uyen.name} ({units.xa_tan_uyen.key})"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert fields_in_error(response) == {"unit"} and "outside your area" in field_error(response, "unit")
    org.refresh_from_db()
    assert org.unit == units.xa_than_uyen and org.history.count() == 1


def test_an_organisation_placed_in_a_district_by_an_import_can_be_edited_without_moving_it(
    client, people, make_org, units
):
    org = make_org("HTX Chỉ Biết Huyện", unit=units.than_uyen_district)
    # The admin: a legacy district has no current successor, so its current path stays empty and only
    # the admin (or a legacy-area officer) reaches it.
    client.force_login(people.admin)
    response = client.post(reverse("registry:organisation-edit", args=[org.pk]), edit_data(org, phone="0912"))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.phone == "0912" and org.unit == units.than_uyen_district


def test_province_officer_moves_an_organisation_and_its_paths_follow(client, people, make_org, units):
    org = make_org()
    client.force_login(people.province)
    client.post(reverse("registry:organisation-edit", args=[org.pk]), edit_data(org, unit="commune:03598"))
    org.refresh_from_db()
    assert org.unit == units.xa_tan_uyen and org.current_path == units.xa_tan_uyen.path


# Status changes.


def status_url(org) -> str:
    return reverse("registry:organisation-status", args=[org.pk])


def test_status_change_records_a_dissolution_and_redirects_with_a_message(client, people, make_org):
    org = make_org(founded_on=datetime.date(2018, 3, 1))
    client.force_login(people.commune)
    response = client.post(
        status_url(org),
        {
            "status": "dissolved",
            "effective_on": "15/10/2024",
            "decision_number": "45/QĐ-UBND",
            "reason": "Đại hội thành viên quyết định giải thể",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.redirect_chain == [(reverse("registry:organisation-detail", args=[org.pk]), 302)]
    assert "Dissolved" in response.content.decode() and "15/10/2024" in response.content.decode()
    assert 'class="msg-success"' in response.content.decode()
    org.refresh_from_db()
    assert org.status == Status.DISSOLVED and org.ended_on == datetime.date(2024, 10, 15)
    change = org.status_changes.latest("effective_on")
    assert change.decision_number == "45/QĐ-UBND" and change.recorded_by == people.commune


def test_status_form_offers_the_statuses_and_a_text_date(client, people, make_org):
    org = make_org()
    client.force_login(people.commune)
    html = client.get(status_url(org)).content.decode()
    assert '<select name="status"' in html and 'value="dissolved"' in html
    assert re.search(r'<input type="text" name="effective_on"[^>]*placeholder="dd/mm/yyyy"', html)
    assert 'data-testid="submit"' in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"status": "suspended", "effective_on": "01/01/2017"},
            "effective_on",
            "before the organisation was founded",
        ),
        ({"status": "suspended", "effective_on": "FUTURE"}, "effective_on", "future"),
        ({"status": "dissolved", "effective_on": "01/06/2024"}, "decision_number", "decision"),
        ({"status": "active", "effective_on": "01/06/2024"}, "status", "already has this status"),
        ({"status": "suspended", "effective_on": "2024/06/01"}, "effective_on", "valid date"),
        ({"status": "merged", "effective_on": "01/06/2024"}, "status", "valid choice"),
    ],
)
def test_status_change_refusals_land_on_their_field_and_write_nothing(
    client, people, make_org, data, field, message
):
    org = make_org(founded_on=datetime.date(2018, 3, 1))
    if data["effective_on"] == "FUTURE":
        data = {
            **data,
            "effective_on": (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y"),
        }
    client.force_login(people.commune)
    response = client.post(status_url(org), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert fields_in_error(response) == {field}
    assert message in field_error(response, field)
    org.refresh_from_db()
    assert org.status == Status.ACTIVE and org.status_changes.count() == 1 and org.history.count() == 1


def test_status_change_before_the_latest_change_is_refused(client, people, make_org):
    from hoptac.registry.services import organisation_change_status

    org = make_org()
    organisation_change_status(
        org=org, actor=people.commune, status=Status.SUSPENDED, effective_on=datetime.date(2024, 5, 1)
    )
    client.force_login(people.commune)
    response = client.post(
        status_url(org), {"status": "active", "effective_on": "01/04/2024"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert fields_in_error(response) == {"effective_on"} and "01/05/2024" in field_error(
        response, "effective_on"
    )
    assert org.status_changes.count() == 2


def test_an_ended_organisation_cannot_change_status_again(client, people, make_org):
    from hoptac.registry.services import organisation_change_status

    org = make_org()
    organisation_change_status(
        org=org,
        actor=people.commune,
        status=Status.DISSOLVED,
        effective_on=datetime.date(2024, 5, 1),
        decision_number="3/QĐ",
    )
    client.force_login(people.commune)
    response = client.post(
        status_url(org), {"status": "active", "effective_on": "01/06/2024"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert fields_in_error(response) == {"status"} and "ended" in field_error(response, "status")
    assert org.status_changes.count() == 2
