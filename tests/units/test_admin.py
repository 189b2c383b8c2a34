"""The units admin: read-only, searchable by folded name or key."""

from django.urls import reverse

from hoptac.units.models import UnitSuccession


def test_unit_changelist_finds_units_by_name_without_accents(client, people):
    client.force_login(people.admin)
    response = client.get(reverse("admin:units_unit_changelist"), {"q": "than uyen"})
    assert response.status_code == 200
    listed = {unit.key for unit in response.context["cl"].result_list}
    assert {"commune:03595", "legacy-district:110", "legacy-commune:03595"} <= listed
    assert all(
        "than" in u.name_folded and "uyen" in u.name_folded for u in response.context["cl"].result_list
    )


def test_unit_changelist_finds_a_unit_by_its_key(client, people):
    client.force_login(people.admin)
    response = client.get(reverse("admin:units_unit_changelist"), {"q": "legacy-commune:3595"})
    assert [u.key for u in response.context["cl"].result_list] == ["legacy-commune:03595"]


def test_unit_admin_is_read_only(client, people, units):
    client.force_login(people.admin)
    assert client.get(reverse("admin:units_unit_add")).status_code == 403
    page = client.get(reverse("admin:units_unit_change", args=[units.xa_than_uyen.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert "Thị trấn Than Uyên" in page.content.decode()  # the predecessors inline
    response = client.post(reverse("admin:units_unit_delete", args=[units.xa_than_uyen.pk]), {"post": "yes"})
    assert response.status_code == 403


def test_succession_changelist_finds_both_sides_of_a_unit(client, people, units):
    client.force_login(people.admin)
    response = client.get(reverse("admin:units_unitsuccession_changelist"), {"q": "commune:03595"})
    assert response.status_code == 200
    found = set(response.context["cl"].result_list)
    assert found == set(UnitSuccession.objects.filter(successor=units.xa_than_uyen))
    assert client.get(reverse("admin:units_unitsuccession_add")).status_code == 403
