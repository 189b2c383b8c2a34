"""The registry's admin follows the same rules as the pages: it saves through the services, never deletes."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hoptac.registry.models import Organisation, Sector, Status, StatusChange, UnionMembership


def form_data(response, **overrides) -> dict:
    """The POST an admin change form would send back as it stands, with `overrides`."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, datetime.date):
            value = value.strftime("%d/%m/%Y")
        data[name] = "" if value is None else value
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def admin_client_(client, people):
    client.force_login(people.admin)
    return client


def test_admin_creates_an_organisation_through_the_service(admin_client_, people, units):
    url = reverse("admin:registry_organisation_add")
    data = form_data(
        admin_client_.get(url),
        name="HTX  Từ   Admin",
        kind="htx",
        sector=Sector.objects.get(code="nong-nghiep").pk,
        unit=units.xa_than_uyen.pk,
        founded_on="02/02/2022",
        _save="Save",
    )
    response = admin_client_.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    org = Organisation.objects.get()
    # Only the service normalises the name, derives the paths and opens the status history.
    assert org.name == "HTX Từ Admin" and org.name_folded == "htx tu admin"
    assert org.current_path == units.xa_than_uyen.path
    registration = org.status_changes.get()
    assert registration.status == Status.ACTIVE and registration.effective_on == datetime.date(2022, 2, 2)
    assert org.history.get().history_user == people.admin


def test_admin_change_goes_through_the_service(admin_client_, make_org, units):
    org = make_org()
    url = reverse("admin:registry_organisation_change", args=[org.pk])
    response = admin_client_.post(
        url, form_data(admin_client_.get(url), unit=units.xa_tan_uyen.pk, _save="Save")
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.unit == units.xa_tan_uyen and org.current_path == units.xa_tan_uyen.path


def test_admin_change_with_a_future_founding_date_is_refused_beside_the_field(admin_client_, make_org):
    org = make_org("HTX Không Đổi")
    url = reverse("admin:registry_organisation_change", args=[org.pk])
    future = (timezone.localdate() + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    response = admin_client_.post(
        url, form_data(admin_client_.get(url), name="HTX Đã Đổi", founded_on=future, _save="Save")
    )
    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"founded_on"}
    org.refresh_from_db()
    assert org.name == "HTX Không Đổi" and org.founded_on == datetime.date(2018, 3, 1)
    assert org.history.count() == 1


def test_admin_create_with_a_taken_code_is_refused_once_on_the_code(admin_client_, make_org, units):
    make_org("HTX Có Mã", code="6201000001")
    url = reverse("admin:registry_organisation_add")
    data = form_data(
        admin_client_.get(url),
        name="HTX Trùng Mã",
        code="6201000001",
        kind="htx",
        sector=Sector.objects.get(code="nong-nghiep").pk,
        unit=units.xa_than_uyen.pk,
        _save="Save",
    )
    response = admin_client_.post(url, data)
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"code"} and len(errors["code"]) == 1
    assert Organisation.objects.count() == 1


def test_organisations_cannot_be_deleted_in_the_admin(admin_client_, make_org):
    org = make_org()
    response = admin_client_.get(reverse("admin:registry_organisation_delete", args=[org.pk]))
    assert response.status_code == 403
    changelist = admin_client_.get(reverse("admin:registry_organisation_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    assert Organisation.objects.filter(pk=org.pk).exists()


def test_admin_archive_action_uses_the_service(admin_client_, make_org, people):
    org = make_org()
    admin_client_.post(
        reverse("admin:registry_organisation_changelist"),
        {"action": "archive_selected", "_selected_action": [org.pk]},
    )
    org.refresh_from_db()
    assert org.archived and org.history.first().history_user == people.admin


def test_admin_history_cannot_revert_an_organisation(admin_client_, make_org):
    org = make_org("HTX Gốc")
    first = org.history.get()
    from hoptac.registry.services import organisation_update

    organisation_update(org=org, actor=org.history.get().history_user, name="HTX Sau")
    url = reverse("admin:registry_organisation_simple_history", args=[org.pk, first.history_id])
    assert admin_client_.get(url).status_code == 200
    assert admin_client_.post(url, {"name": "HTX Gốc"}).status_code == 403
    org.refresh_from_db()
    assert org.name == "HTX Sau"


def test_status_changes_are_read_only_in_the_admin(admin_client_, make_org):
    org = make_org()
    change = org.status_changes.get()
    assert admin_client_.get(reverse("admin:registry_statuschange_add")).status_code == 403
    assert (
        admin_client_.get(reverse("admin:registry_statuschange_delete", args=[change.pk])).status_code == 403
    )
    url = reverse("admin:registry_statuschange_change", args=[change.pk])
    admin_client_.post(url, {"status": "dissolved", "effective_on": "01/01/2020"})
    change.refresh_from_db()
    assert change.status == Status.ACTIVE
    assert StatusChange.objects.count() == 1


def test_sectors_are_editable_data_in_the_admin(admin_client_):
    sector = Sector.objects.get(code="khac")
    url = reverse("admin:registry_sector_change", args=[sector.pk])
    data = {
        "code": "khac",
        "name_vi": "Lĩnh vực khác",
        "name_en": "Other sectors",
        "parent": "",
        "synonyms": "khác",
        "order": 99,
        "_save": "Save",
    }
    assert admin_client_.post(url, data).status_code == 302
    sector.refresh_from_db()
    assert sector.name_vi == "Lĩnh vực khác" and sector.order == 99


def test_admin_union_membership_follows_the_service_rules(admin_client_, make_org):
    union = make_org("Liên hiệp HTX", kind="lhhtx")
    group = make_org("Tổ hợp tác A", kind="tht")
    coop = make_org("HTX A")
    url = reverse("admin:registry_unionmembership_add")
    refused = admin_client_.post(
        url, {"union": union.pk, "member": group.pk, "joined_on": "", "_save": "Save"}
    )
    assert refused.status_code == 200 and set(refused.context["adminform"].form.errors) == {"member"}
    assert not UnionMembership.objects.exists()
    accepted = admin_client_.post(
        url, {"union": union.pk, "member": coop.pk, "joined_on": "01/01/2021", "_save": "Save"}
    )
    assert accepted.status_code == 302
    membership = UnionMembership.objects.get()
    assert membership.member == coop and membership.joined_on == datetime.date(2021, 1, 1)
    assert (
        admin_client_.get(reverse("admin:registry_unionmembership_delete", args=[membership.pk])).status_code
        == 403
    )
