"""Who sees which tasks: an agency's officer only his own, a commune officer his commune's, a province
officer his province's plans; everything else answers 404, as if missing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from hoptac.accounts.models import Role, User
from hoptac.programme import access
from hoptac.programme.models import Task

from .conftest import KTT, SON_LA


@pytest.fixture
def plans(load, people):
    return load(KTT, SON_LA)


def refs(tasks) -> set[str]:
    return {f"{t.plan.slug}:{t.group.number}.{t.number}" for t in tasks.select_related("plan", "group")}


def test_an_agency_officer_sees_only_the_tasks_of_his_agency_and_of_the_one_it_succeeded(plans, people):
    seen = refs(access.visible_tasks(people.agency_officer))  # Sở Tài chính tỉnh Lai Châu
    # Its own (seed 000 VI.2), Sở Kế hoạch và Đầu tư's (VI.1, merged into it), and the tasks that the
    # group "các sở, ban, ngành" it belongs to coordinates (VI.1.2, VI.2.2, VI.7.1, VI.8.1, VI.13.2).
    assert {f"{KTT}:1.{n}" for n in range(1, 5)} | {f"{KTT}:2.1", f"{KTT}:2.2"} <= seen
    assert {f"{KTT}:7.1", f"{KTT}:8.1", f"{KTT}:13.2"} <= seen
    assert f"{KTT}:3.1" not in seen  # Sở Nông nghiệp's
    assert f"{KTT}:13.1" not in seen  # the districts'
    assert not any(r.startswith(SON_LA) for r in seen)  # another province's agencies


def test_an_agency_officer_opens_his_tasks_and_gets_404_for_the_others(client, plans, people, task_of):
    client.force_login(people.agency_officer)
    assert client.get(f"/programme/task/{task_of(KTT, '2.1').pk}/").status_code == 200
    assert client.get(f"/programme/task/{task_of(KTT, '3.1').pk}/").status_code == 404
    assert client.get(f"/programme/task/{task_of(SON_LA, 'II.4').pk}/").status_code == 404
    assert client.get(f"/programme/{SON_LA}/").status_code == 404
    board = client.get(f"/programme/{KTT}/?year=2024", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-task="{task_of(KTT, "2.1").pk}"' in board
    assert f'data-task="{task_of(KTT, "3.1").pk}"' not in board


def test_an_agency_officer_reports_only_where_his_agency_leads_or_coordinates(client, plans, people, task_of):
    client.force_login(people.agency_officer)
    assert client.get(f"/programme/task/{task_of(KTT, '2.1').pk}/report/2024/").status_code == 200
    # Sở Kế hoạch và Đầu tư's task of 2024 (before the merger): Sở Tài chính files what it left.
    assert client.get(f"/programme/task/{task_of(KTT, '1.1').pk}/report/2024/").status_code == 200
    assert client.get(f"/programme/task/{task_of(KTT, '3.1').pk}/report/2024/").status_code == 404
    assert (
        client.get(f"/programme/task/{task_of(KTT, '2.1').pk}/report/2020/").status_code == 404
    )  # before the plan
    next_year = timezone.localdate().year + 1
    assert client.get(f"/programme/task/{task_of(KTT, '2.1').pk}/report/{next_year}/").status_code == 404


def test_a_commune_officer_sees_the_tasks_of_his_communes_peoples_committee(plans, people, task_of):
    seen = refs(access.visible_tasks(people.commune))  # Xã Than Uyên
    # Given to "UBND các huyện, thành phố" (the former district of Than Uyên is a member) and, from
    # 01/07/2025, to "UBND các xã, phường" (Xã Than Uyên is a member).
    assert {f"{KTT}:13.{n}" for n in range(1, 8)} <= seen
    assert f"{KTT}:8.1" in seen  # coordinated by the districts
    assert f"{KTT}:2.1" not in seen and f"{KTT}:1.1" not in seen  # the province's departments'
    assert not any(r.startswith(SON_LA) for r in seen)
    agency = people.commune.unit.agencies.get()
    assert agency.code == "ubnd-xa-03595"
    assert access.visible_agencies(people.commune).filter(code="so-tai-chinh").count() == 0


def test_a_province_officer_sees_every_plan_of_his_province_and_no_other(plans, people):
    slugs = set(access.visible_plans(people.province).values_list("slug", flat=True))
    assert slugs == {KTT}
    assert access.visible_tasks(people.province).filter(plan__slug=KTT).count() == 29
    assert set(access.visible_plans(people.admin).values_list("slug", flat=True)) == {KTT, SON_LA}
    assert not access.visible_plans(people.other_province).exists()


def test_a_cooperative_representative_sees_no_task(plans, people, make_org):
    org = make_org()
    rep = User.objects.create_user(username="rep", password="pw", role=Role.COOPERATIVE, organisation=org)
    assert not access.visible_tasks(rep).exists()
    assert not access.visible_plans(rep).exists()


def test_pages_out_of_scope_answer_404_as_if_missing(client, plans, people, task_of):
    client.force_login(people.commune)
    assert client.get(f"/programme/task/{task_of(KTT, '2.1').pk}/").status_code == 404
    assert client.get(f"/programme/task/{Task.objects.order_by('-pk').first().pk + 1}/").status_code == 404
    assert client.get(f"/programme/agency/{people.agency.pk}/").status_code == 404
    assert client.get(f"/programme/{KTT}/budget/").status_code == 404  # not the province's officer
    client.force_login(people.other_province)
    assert client.get(f"/programme/{KTT}/").status_code == 404
