"""`hoptac remind`: e-mails before and after a deadline to the agencies whose reports are missing,
each reminder once however often it runs (Django's locmem outbox in tests)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from hoptac.programme.models import Reminder
from hoptac.programme.services import due_stage

from .conftest import KTT


def remind(day: str) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("remind", "--today", day, "--plan", KTT, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def officers(ktt, people, agency_user):
    people.agency_officer.email = "stc@hoptac.example"
    people.agency_officer.save()
    return {"stc": people.agency_officer, "cong_thuong": agency_user("so-cong-thuong", "ct")}


def test_remind_run_twice_sends_each_reminder_once(officers):
    remind("2026-12-01")  # 14 days before 15/12/2026
    first = len(mail.outbox)
    assert first >= 2
    assert f"0 reminders sent, {first} already sent before." in remind("2026-12-01")
    assert len(mail.outbox) == first
    assert Reminder.objects.filter(stage="before-14").count() == first
    remind("2026-12-05")  # still the 14-day stage: nothing new
    assert len(mail.outbox) == first


def test_reminders_go_before_and_after_the_deadline_to_the_agencies_with_missing_reports(
    officers, task_of, file_report
):
    stc = officers["stc"]
    remind("2026-12-01")
    to_stc = [m for m in mail.outbox if m.to == ["stc@hoptac.example"]]
    assert len(to_stc) == 1
    body = to_stc[0].body
    assert "2.1 " in body and "2.2 " in body and "1.1 " in body  # its tasks and Sở KH&ĐT's, now its own
    assert "3.1 " not in body
    # Sở Tài chính files everything; Sở Công Thương does not.
    for ref in ("1.1", "1.2", "1.3", "1.4", "2.1", "2.2"):
        file_report(task_of(KTT, ref), 2026, stc)
    mail.outbox.clear()
    remind("2026-12-12")  # 3 days before
    assert [m.to for m in mail.outbox] == [["ct@hoptac.example"]]
    mail.outbox.clear()
    remind("2026-12-16")  # the day after
    assert [m.to for m in mail.outbox] == [["ct@hoptac.example"]]
    assert "15/12/2026" in mail.outbox[0].subject  # in the site's language, dates dd/mm/yyyy
    assert set(Reminder.objects.values_list("stage", flat=True)) == {"before-14", "before-3", "after-1"}


def test_no_reminder_for_a_year_long_past(officers):
    remind("2024-03-01")  # the 2023 deadline (15/12/2023) was two and a half months ago
    assert mail.outbox == []


def test_an_agency_without_an_address_is_reported_and_not_remembered(ktt, people, agency_user):
    agency_user("so-cong-thuong", "ct", email=False)
    out = io.StringIO()
    err = io.StringIO()
    with translation.override("en"):
        call_command("remind", "--today", "2026-12-01", "--plan", KTT, stdout=out, stderr=err)
    assert "Sở Công Thương tỉnh Lai Châu" in err.getvalue()
    assert not Reminder.objects.filter(agency__code="so-cong-thuong").exists()


def test_the_stage_of_a_day_is_the_last_one_reached(ktt):
    programme = ktt.programme
    assert [s[0] for s in programme.stages()] == ["before-14", "before-3", "after-1", "after-7"]
    assert due_stage(programme, 2026, datetime.date(2026, 11, 30)) is None
    assert due_stage(programme, 2026, datetime.date(2026, 12, 1))[0] == "before-14"
    assert due_stage(programme, 2026, datetime.date(2026, 12, 14))[0] == "before-3"
    assert due_stage(programme, 2026, datetime.date(2026, 12, 15))[0] == "before-3"
    assert due_stage(programme, 2026, datetime.date(2026, 12, 22))[0] == "after-7"
    assert due_stage(programme, 2026, datetime.date(2027, 1, 21))[0] == "after-7"
    assert due_stage(programme, 2026, datetime.date(2027, 1, 23)) is None
