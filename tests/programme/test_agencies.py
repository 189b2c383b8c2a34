"""Agencies as data: the three provinces' agencies, mergers over time, groups, the other plans' tasks."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from hoptac.programme.agencies import AgencyGraph
from hoptac.programme.models import Agency, Task
from hoptac.programme.services import agencies_load, agency_rows

from .conftest import HND, KON_TUM, KTT, SON_LA


def test_loadagencies_loads_the_agencies_of_lai_chau_son_la_and_kon_tum_once(db):
    out = io.StringIO()
    with translation.override("en"):
        call_command("loadagencies", stdout=out)
        assert "132 created" in out.getvalue()
        call_command("loadagencies", stdout=(again := io.StringIO()))
    assert "0 created, 0 updated, 132 unchanged" in again.getvalue()
    assert Agency.objects.get(code="so-tai-chinh").unit.key == "province:12"
    assert Agency.objects.get(code="son-la-so-tai-chinh").unit.key == "province:14"
    assert Agency.objects.get(code="kon-tum-lien-minh-htx").unit.key == "legacy-province:62"
    assert Agency.objects.get(code="ubnd-xa-03595").name == "Ủy ban nhân dân xã Than Uyên"
    assert Agency.objects.get(code="ubnd-huyen-110").unit.key == "legacy-district:110"


def test_so_ke_hoach_dau_tu_hands_over_to_so_tai_chinh_on_1_march_2025(db):
    agencies_load()
    khdt = Agency.objects.get(code="so-ke-hoach-dau-tu")
    tc = Agency.objects.get(code="so-tai-chinh")
    assert (khdt.valid_to, khdt.successor) == (datetime.date(2025, 2, 28), tc)
    graph = AgencyGraph()
    assert graph.effective(khdt.pk, datetime.date(2024, 12, 15)) == khdt.pk
    assert graph.effective(khdt.pk, datetime.date(2025, 3, 1)) == tc.pk
    assert graph.effective(khdt.pk, datetime.date(2025, 12, 15)) == tc.pk
    # Sơn La's too, and Kon Tum's before the province itself merged into Quảng Ngãi.
    son_la = Agency.objects.get(code="son-la-so-ke-hoach-dau-tu")
    assert son_la.successor.code == "son-la-so-tai-chinh"
    assert graph.lineage([tc.pk]) == {tc.pk, khdt.pk}


def test_a_group_answers_through_its_members_as_they_were_each_year(db):
    agencies_load()
    graph = AgencyGraph()
    districts = Agency.objects.get(code="ubnd-cac-huyen")
    before = graph.reporters(districts.pk, datetime.date(2024, 12, 15))
    after = graph.reporters(districts.pk, datetime.date(2025, 12, 15))
    assert len(before) == 8 and {graph[i].code for i in before} == {
        f"ubnd-huyen-{c}" for c in range(105, 113)
    }
    assert len(after) == 38 and Agency.objects.get(code="ubnd-xa-03595").pk in after
    # A group of groups, and the merged departments counted once.
    son_la = graph.reporters(
        Agency.objects.get(code="son-la-cac-so-ban-nganh-ubnd-huyen").pk, datetime.date(2021, 12, 5)
    )
    codes = {graph[i].code for i in son_la}
    assert "son-la-ubnd-huyen-116" in codes and "son-la-so-ke-hoach-dau-tu" in codes
    assert "son-la-so-tai-chinh" in codes and "son-la-cac-so-ban-nganh" not in codes
    later = {
        graph[i].code
        for i in graph.reporters(
            Agency.objects.get(code="son-la-cac-so-ban-nganh").pk, datetime.date(2025, 12, 5)
        )
    }
    assert "son-la-so-ke-hoach-dau-tu" not in later and "son-la-so-tai-chinh" in later


def test_agencies_load_refuses_an_unknown_successor_and_writes_nothing(db):
    rows = agency_rows()
    rows.append(
        {
            "code": "so-moi",
            "name": "Sở Mới",
            "kind": "department",
            "unit": "province:12",
            "valid_to": "2025-02-28",
            "successor": "khong-co",
        }
    )
    with pytest.raises(ValidationError, match="khong-co"):
        agencies_load(rows)
    assert not Agency.objects.exists()


def test_an_agency_with_a_successor_needs_its_end_date(units):
    agency = Agency(
        code="x",
        name="X",
        unit=units.lai_chau,
        successor=Agency.objects.create(code="y", name="Y", unit=units.lai_chau),
    )
    with pytest.raises(ValidationError) as err:
        agency.full_clean()
    assert "valid_to" in err.value.message_dict


@pytest.mark.parametrize(
    ("slug", "tasks", "groups"), [(KTT, 29, 13), (HND, 14, 11), (KON_TUM, 14, 10), (SON_LA, 32, 6)]
)
def test_every_plan_gets_its_agency_assignments(load, slug, tasks, groups):
    plan = load(slug)[slug]
    assert Task.objects.filter(plan=plan).count() == tasks
    assert plan.task_groups.count() == groups
    assert plan.programme.deadline(plan.end_year).day in (5, 10, 15)


def test_kon_tum_reports_go_to_the_union_by_10_december(load, task_of):
    plan = load(KON_TUM)[KON_TUM]
    assert plan.programme.deadline(2019) == datetime.date(2019, 12, 10)
    assert plan.programme.report_to.code == "kon-tum-lien-minh-htx"
    task = task_of(KON_TUM, "8.1")
    assert task.lead.code == "kon-tum-so-ke-hoach-dau-tu"
    assert {a.code for a in task.coordinating.all()} == {
        "kon-tum-so-nong-nghiep-ptnt",
        "kon-tum-so-tai-chinh",
    }
    assert list(task.years(plan.programme)) == [2019]


def test_a_task_removed_from_the_file_is_deleted_unless_it_has_reports(
    load, task_of, people, agency_user, file_report
):
    from hoptac.indicators.services import plan_fixture
    from hoptac.programme.services import plan_programme_load

    plan = load(KTT)[KTT]
    data = plan_fixture(KTT)
    dropped = data["tasks"][3]["tasks"].pop()  # 4.1, Sở Tài nguyên và Môi trường
    assert dropped["lead"] == "so-tai-nguyen-moi-truong"
    report = plan_programme_load(plan=plan, data=data)
    assert report.tasks.deleted == 1
    load(KTT)  # back
    task = task_of(KTT, "4.1")
    file_report(task, 2021, agency_user("so-nong-nghiep-moi-truong"), on=datetime.date(2021, 12, 1))
    with pytest.raises(ValidationError, match=r"4\.1"):
        plan_programme_load(plan=plan, data=data)
