"""Definitions, plans and targets in the admin: a system administrator edits them, checked by clean()."""

import io

from django.core.management import call_command

from hoptac.indicators.models import Indicator, Plan


def _form_data(response) -> dict:
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form.initial.get(name)
        if value is None:
            continue
        data[name] = (
            form.fields[name].prepare_value(value) if hasattr(form.fields[name], "prepare_value") else value
        )
    return data


def test_admin_lists_and_opens_definitions_plans_and_targets(client, people):
    call_command("loadplan", "kon-tum-2019", stdout=io.StringIO())
    client.force_login(people.admin)
    for url in ("/admin/indicators/indicator/", "/admin/indicators/plan/", "/admin/indicators/target/"):
        assert client.get(url).status_code == 200
    indicator = Indicator.objects.get(code="htx-effective-share")
    assert client.get(f"/admin/indicators/indicator/{indicator.pk}/change/").status_code == 200
    plan = Plan.objects.get(slug="kon-tum-2019")
    page = client.get(f"/admin/indicators/plan/{plan.pk}/change/")
    assert page.status_code == 200 and "htx-founded" in page.content.decode()


def test_admin_refuses_malformed_filters_on_the_filters_field(client, people):
    client.force_login(people.admin)
    indicator = Indicator.objects.get(code="htx-active")
    url = f"/admin/indicators/indicator/{indicator.pk}/change/"
    data = _form_data(client.get(url))
    data["filters"] = '{"kinds": ["htx"], "statuses": ["operating"]}'
    response = client.post(url, data)
    assert response.status_code == 200
    assert "filters" in response.context["adminform"].form.errors
    assert Indicator.objects.get(pk=indicator.pk).filters == {
        "kinds": ["htx", "qtdnd"],
        "statuses": ["active"],
    }
    data["filters"] = '{"kinds": ["htx"], "statuses": ["active"]}'
    response = client.post(url, data)
    assert response.status_code == 302
    assert Indicator.objects.get(pk=indicator.pk).filters == {"kinds": ["htx"], "statuses": ["active"]}


def test_staff_who_are_not_administrators_may_not_change_definitions(client, people):
    officer = people.province
    officer.is_staff = True
    officer.save()
    from django.contrib.auth.models import Permission

    officer.user_permissions.add(*Permission.objects.filter(content_type__app_label="indicators"))
    client.force_login(officer)
    indicator = Indicator.objects.get(code="htx-active")
    response = client.get(f"/admin/indicators/indicator/{indicator.pk}/change/")
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.get("/admin/indicators/indicator/add/").status_code == 403
