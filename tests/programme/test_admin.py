"""The programme in the admin: data a province corrects (agencies, tasks, rules, budget lines) is
editable; what the services write (reports, entries, reminders) is read-only."""

from __future__ import annotations

import datetime

import pytest

from .conftest import KTT


@pytest.mark.parametrize(
    "model",
    [
        "agency",
        "programme",
        "taskgroup",
        "task",
        "taskreport",
        "reportattachment",
        "budgetline",
        "budgetentry",
        "reminder",
    ],
)
def test_every_programme_admin_list_opens(client, ktt, people, model):
    client.force_login(people.admin)
    assert client.get(f"/admin/programme/{model}/").status_code == 200


def test_reports_are_read_only_in_the_admin_with_their_history(client, ktt, people, task_of, file_report):
    report = file_report(task_of(KTT, "2.1"), 2024, people.agency_officer, on=datetime.date(2024, 12, 1))
    client.force_login(people.admin)
    assert client.get("/admin/programme/taskreport/add/").status_code == 403
    page = client.get(f"/admin/programme/taskreport/{report.pk}/change/")
    assert page.status_code == 200 and 'name="narrative"' not in page.content.decode()
    assert client.get(f"/admin/programme/taskreport/{report.pk}/history/").status_code == 200
