"""The user and agency admins: role and area checked by User.clean(), units picked by autocomplete."""

import json

from hoptac.accounts.models import Role, User
from hoptac.programme.models import Agency


def _add_user(client, **fields):
    data = {
        "username": "new.officer",
        "usable_password": "true",
        "password1": "Xk9-lai-chau",
        "password2": "Xk9-lai-chau",
    }
    data.update({k: "" if v is None else v for k, v in fields.items()})
    return client.post("/admin/accounts/user/add/", data)


def test_admin_adds_a_commune_officer_bound_to_a_commune(client, people, units):
    client.force_login(people.admin)
    page = client.get("/admin/accounts/user/add/")
    assert page.status_code == 200 and 'name="unit"' in page.content.decode()
    response = _add_user(client, role=Role.COMMUNE, unit=units.xa_than_uyen.pk)
    assert response.status_code == 302
    user = User.objects.get(username="new.officer")
    assert user.role == Role.COMMUNE and user.unit == units.xa_than_uyen
    assert user.check_password("Xk9-lai-chau")


def test_admin_refuses_a_commune_officer_bound_to_a_province_and_says_so_on_the_unit(client, people, units):
    client.force_login(people.admin)
    response = _add_user(client, role=Role.COMMUNE, unit=units.lai_chau.pk)
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="new.officer").exists()


def test_admin_refuses_an_agency_officer_without_an_agency(client, people):
    client.force_login(people.admin)
    response = _add_user(client, role=Role.AGENCY)
    assert "agency" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="new.officer").exists()


def test_admin_changes_a_users_role_only_when_the_binding_fits(client, people, units):
    client.force_login(people.admin)
    user = people.commune
    url = f"/admin/accounts/user/{user.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields if form.initial.get(name) is not None}
    data.update({"role": Role.PROVINCE, "date_joined_0": "01/01/2025", "date_joined_1": "08:00:00"})
    data.pop("password", None)
    data.pop("groups", None)
    data.pop("user_permissions", None)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "unit" in response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.role == Role.COMMUNE


def test_user_list_filters_by_role(client, people):
    client.force_login(people.admin)
    response = client.get("/admin/accounts/user/", {"role__exact": Role.COMMUNE})
    assert response.status_code == 200
    shown = {u.username for u in response.context["cl"].result_list}
    assert shown == {people.commune.username, people.other_commune.username}


def test_unit_autocomplete_finds_a_commune_by_its_name_without_accents(client, people, units):
    client.force_login(people.admin)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "accounts", "model_name": "user", "field_name": "unit", "term": "xa than uyen"},
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in json.loads(response.content)["results"]}
    assert units.xa_than_uyen.pk in ids


def test_admin_adds_an_agency_of_the_province(client, people, units):
    client.force_login(people.admin)
    response = client.post(
        "/admin/programme/agency/add/",
        {
            "name": "Hội Nông dân tỉnh Lai Châu",
            "short_name": "Hội Nông dân",
            "code": "hoi-nong-dan",
            "kind": "mass_organisation",
            "unit": units.lai_chau.pk,
        },
    )
    assert response.status_code == 302
    assert Agency.objects.get(code="hoi-nong-dan").unit == units.lai_chau
    assert client.get("/admin/programme/agency/").status_code == 200
