"""The programme's pages: the plans, the board with its states and filters, an agency's duties, a
task's years and history; their cost does not grow with the number of tasks or reports."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import KTT, SON_LA

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def rows(html: str) -> dict[str, str]:
    """{task ref: state} of the board's rows."""
    return dict(re.findall(r'data-ref="([^"]+)" data-state="([^"]+)"', html))


@pytest.fixture
def filed(ktt, people, task_of, file_report):
    officer = people.agency_officer
    file_report(
        task_of(KTT, "2.1"), 2024, officer, status="done", progress=100, on=datetime.date(2024, 12, 10)
    )
    file_report(
        task_of(KTT, "2.2"), 2024, officer, status="in_progress", progress=40, on=datetime.date(2025, 1, 5)
    )
    return officer


def test_the_board_shows_tasks_by_group_with_their_state_colours(client, filed, people):
    client.force_login(people.province)
    html = client.get(f"/programme/{KTT}/?year=2024", **EN).content.decode()
    states = rows(html)
    assert len(states) == 29 and html.count('data-testid="task-group"') == 13
    assert states["2.1"] == "done" and states["2.2"] == "in_progress" and states["3.1"] == "late"
    assert 'class="ps ps-late"' in html and 'class="ps ps-done"' in html
    assert "filed late" in html  # 2.2 came in January
    assert 'data-testid="count-done">1<' in html
    # Ids in attributes are never grouped as numbers are (1.188 in Vietnamese would break the filters).
    ids = re.findall(
        r'(?:data-task|option value)="(\d[^"]*)"', client.get(f"/programme/{KTT}/?year=2024").content.decode()
    )
    assert ids and all(i.isdigit() for i in ids if i)


def test_the_board_filters_by_year_agency_and_state(client, filed, people, task_of):
    client.force_login(people.province)
    late = rows(client.get(f"/programme/{KTT}/?year=2024&status=late", **EN).content.decode())
    assert "2.1" not in late and "3.1" in late and set(late.values()) == {"late"}
    stc = people.agency.pk
    mine = rows(client.get(f"/programme/{KTT}/?year=2024&agency={stc}", **EN).content.decode())
    assert {"1.1", "2.1", "2.2", "7.1"} <= set(mine) and "3.1" not in mine
    before = rows(client.get(f"/programme/{KTT}/?year=2021", **EN).content.decode())
    assert before["2.1"] == "late"
    odd = client.get(f"/programme/{KTT}/?year=abc&agency=x&status=nonsense", **EN)
    assert odd.status_code == 200


def test_the_agency_page_lists_what_it_still_has_to_report_and_by_when(client, filed, people, task_of):
    client.force_login(people.agency_officer)
    html = client.get(f"/programme/agency/{people.agency.pk}/", **EN).content.decode()
    due = re.findall(r'data-testid="due-row" data-task="(\d+)" data-year="(\d+)"', html)
    assert (str(task_of(KTT, "2.1").pk), "2024") not in due  # filed
    assert (str(task_of(KTT, "2.1").pk), "2023") in due
    assert (str(task_of(KTT, "1.1").pk), "2024") in due  # Sở Kế hoạch và Đầu tư's, carried on
    assert "15/12/2023" in html and "overdue" in html
    assert "as Sở Kế hoạch và Đầu tư tỉnh Lai Châu" in html


def test_the_task_page_shows_reports_by_year_and_their_history(client, filed, people, task_of, file_report):
    task = task_of(KTT, "2.2")
    file_report(task, 2024, people.agency_officer, status="done", progress=100, narrative="Đã hoàn thành.")
    client.force_login(people.province)
    html = client.get(f"/programme/task/{task.pk}/", **EN).content.decode()
    assert 'data-year="2024" data-state="done"' in html
    assert "Đã hoàn thành." in html
    assert html.count('data-testid="history-entry"') == 2
    assert "Filed" in html and "40" in html and "100" in html


def test_the_index_lists_the_plans_and_the_agency_officers_own_page(client, ktt, load, people):
    load(SON_LA)
    client.force_login(people.agency_officer)
    html = client.get("/programme/", **EN).content.decode()
    assert f'data-slug="{KTT}"' in html and f'data-slug="{SON_LA}"' not in html
    assert f"/programme/agency/{people.agency.pk}/" in html
    client.force_login(people.admin)
    html = client.get("/programme/", **EN).content.decode()
    assert f'data-slug="{SON_LA}"' in html and 'data-testid="nav-programme"' in html


def test_the_report_form_is_offered_to_the_lead_agency_only(client, ktt, people, task_of):
    client.force_login(people.agency_officer)
    html = client.get(f"/programme/{KTT}/?year=2024", **EN).content.decode()
    assert f'href="/programme/task/{task_of(KTT, "2.1").pk}/report/2024/"' in html
    client.force_login(people.province)
    html = client.get(f"/programme/{KTT}/?year=2024", **EN).content.decode()
    assert 'data-testid="report-link"' not in html


def test_pages_cost_a_fixed_number_of_queries_whatever_the_reports(
    client, filed, people, task_of, file_report, agency_user
):
    client.force_login(people.province)
    urls = [
        f"/programme/{KTT}/?year=2023",
        f"/programme/agency/{people.agency.pk}/",
        f"/programme/task/{task_of(KTT, '2.2').pk}/",
        f"/programme/{KTT}/budget/",
    ]

    def cost() -> list[int]:
        found = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            found.append(len(ctx))
        return found

    before = cost()
    assert max(before) <= 25
    # More reports, contributions and years filed; the pages must not ask more.
    officer = agency_user("so-cong-thuong")
    for year in (2021, 2022, 2023):
        for ref in ("2.1", "2.2", "1.1", "1.2"):
            file_report(task_of(KTT, ref), year, people.agency_officer)
        file_report(task_of(KTT, "2.2"), year, officer, status="", progress=None, narrative="Phối hợp.")
    file_report(task_of(KTT, "5.1"), 2023, officer)
    assert cost() == before


def test_the_agency_page_lists_its_users_to_the_province_not_to_other_agencies(
    client, ktt, people, agency_user
):
    colleague = agency_user("so-tai-chinh", "stc.2")
    client.force_login(people.province)
    html = client.get(f"/programme/agency/{people.agency.pk}/", **EN).content.decode()
    assert 'data-testid="agency-users"' in html and colleague.email in html
    client.force_login(people.agency_officer)
    html = client.get(f"/programme/agency/{people.agency.pk}/", **EN).content.decode()
    assert colleague.email not in html
