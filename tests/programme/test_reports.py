"""Yearly task reports: the lead agency's report and a coordinating agency's contribution, late and
missing reports, attachments checked by type, content and size, and the history."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from hoptac.programme.agencies import AgencyGraph
from hoptac.programme.models import ReportAttachment, TaskReport
from hoptac.programme.queries import State, cell_for, index_reports

from .conftest import KON_TUM, KTT


def state_of(task, year, today):
    reports = index_reports(TaskReport.objects.filter(task=task, year=year))
    return cell_for(
        task, year, programme=task.plan.programme, graph=AgencyGraph(), reports=reports, today=today
    )


def test_a_task_with_no_report_after_its_deadline_is_late(ktt, task_of):
    task = task_of(KTT, "2.1")  # Sở Tài chính, yearly; reports due by 15/12
    assert state_of(task, 2024, datetime.date(2024, 12, 15)).state == State.DUE
    assert state_of(task, 2024, datetime.date(2024, 12, 16)).state == State.LATE


def test_a_report_filed_after_the_deadline_counts_but_shows_filed_late(ktt, people, task_of, file_report):
    task = task_of(KTT, "2.1")
    file_report(
        task, 2023, people.agency_officer, status="done", progress=100, on=datetime.date(2023, 12, 10)
    )
    file_report(
        task, 2024, people.agency_officer, status="in_progress", progress=60, on=datetime.date(2025, 1, 20)
    )
    on_time = state_of(task, 2023, datetime.date(2025, 2, 1))
    late = state_of(task, 2024, datetime.date(2025, 2, 1))
    assert (on_time.state, on_time.reported_late) == (State.DONE, False)
    assert (late.state, late.reported_late, late.progress) == (State.IN_PROGRESS, True, 60)


def test_the_lead_agency_reports_status_progress_and_narrative(ktt, people, task_of, file_report):
    report = file_report(task_of(KTT, "2.2"), 2024, people.agency_officer, status="done", progress=100)
    assert (report.agency.code, report.role, report.status, report.progress) == (
        "so-tai-chinh",
        TaskReport.Role.LEAD,
        "done",
        100,
    )


def test_a_successor_files_what_the_merged_agency_left_missing_under_its_name(
    ktt, people, task_of, file_report
):
    task = task_of(KTT, "1.1")  # Sở Kế hoạch và Đầu tư
    old = file_report(task, 2024, people.agency_officer, on=datetime.date(2024, 12, 1))
    new = file_report(task, 2025, people.agency_officer, on=datetime.date(2025, 12, 1))
    assert old.agency.code == "so-ke-hoach-dau-tu" and new.agency.code == "so-tai-chinh"


def test_a_coordinating_agency_adds_its_contribution(ktt, people, task_of, file_report, agency_user):
    task = task_of(KTT, "2.2")  # Sở Tài chính leads, "các sở, ngành liên quan" coordinate
    officer = agency_user("so-cong-thuong")
    contribution = file_report(
        task, 2024, officer, status="", progress=None, narrative="Đã cung cấp số liệu."
    )
    assert (contribution.role, contribution.agency.code) == (TaskReport.Role.CONTRIBUTION, "so-cong-thuong")
    cell = state_of(task, 2024, datetime.date(2025, 1, 1))
    assert cell.state == State.LATE  # a contribution does not replace the lead's report
    assert [r.agency.code for r in cell.contributions] == ["so-cong-thuong"]


def test_an_agency_not_named_by_the_task_may_not_report(ktt, task_of, file_report, agency_user):
    with pytest.raises(PermissionDenied):
        file_report(task_of(KTT, "2.1"), 2024, agency_user("hoi-nong-dan"))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": "", "progress": 50}, "status", "Choose the task's status."),
        ({"status": "in_progress", "progress": None}, "progress", "Give the progress, from 0 to 100 %."),
        ({"status": "done", "progress": 80}, "progress", "A task that is done is at 100 %."),
        ({"status": "not_started", "progress": 10}, "progress", "A task not started is at 0 %."),
        (
            {"status": "in_progress", "progress": 150},
            "progress",
            "The progress is a percentage, from 0 to 100.",
        ),
        ({"narrative": "  "}, "narrative", "Say what was done this year."),
    ],
)
def test_a_lead_report_is_refused_with_a_message_naming_the_field(
    ktt, people, task_of, file_report, fields, field, message
):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        file_report(task_of(KTT, "2.1"), 2024, people.agency_officer, **fields)
    assert err.value.message_dict[field] == [message]
    assert not TaskReport.objects.exists()


def test_correcting_a_report_keeps_its_filing_date_and_its_history(ktt, people, task_of, file_report):
    task = task_of(KTT, "2.1")
    first = file_report(task, 2024, people.agency_officer, progress=40, on=datetime.date(2024, 12, 1))
    again = file_report(task, 2024, people.agency_officer, progress=70)
    assert again.pk == first.pk and again.submitted_at == first.submitted_at and again.progress == 70
    assert [h.progress for h in again.history.order_by("history_date")] == [40, 70]
    assert {h.history_user for h in again.history.all()} == {people.agency_officer}


def test_pdf_and_office_files_are_attached(ktt, people, task_of, file_report, files):
    report = file_report(task_of(KTT, "2.1"), 2024, people.agency_officer, files=[files.pdf(), files.docx()])
    assert sorted(report.attachments.values_list("kind", flat=True)) == ["docx", "pdf"]
    assert all(a.file.storage.exists(a.file.name) for a in report.attachments.all())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda f: f.exe(),
            "“setup.exe”: only PDF and office files (.pdf, .doc, .xls, .ppt, .docx, .xlsx, .pptx, .odt, .ods, .odp) may be attached.",
        ),
        (
            lambda f: f.fake_pdf(),
            "“Bao-cao.pdf” is not a real .pdf file: its content does not match its extension.",
        ),
        (lambda f: f.big(1.5), "“Phu-luc.pdf” is 1.5 MB; an attachment may be at most 1 MB."),
    ],
)
def test_attachments_of_the_wrong_type_or_too_big_are_refused_with_a_clear_message(
    ktt, people, task_of, file_report, files, settings, make, message
):
    settings.HOPTAC_ATTACHMENT_MAX_MB = 1
    with translation.override("en"), pytest.raises(ValidationError) as err:
        file_report(task_of(KTT, "2.1"), 2024, people.agency_officer, files=[files.pdf(), make(files)])
    assert err.value.message_dict["attachments"] == [message]
    assert not TaskReport.objects.exists() and not ReportAttachment.objects.exists()  # nothing half-written


def test_the_report_form_shows_the_attachment_error_beside_the_field(client, ktt, people, task_of, files):
    client.force_login(people.agency_officer)
    url = f"/programme/task/{task_of(KTT, '2.1').pk}/report/2024/"
    response = client.post(
        url,
        {"status": "in_progress", "progress": "50", "narrative": "Đã làm.", "attachments": [files.exe()]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "“setup.exe”: only PDF and office files" in response.content.decode()
    assert not TaskReport.objects.exists()


def test_the_report_form_files_the_report_with_its_attachment(client, ktt, people, task_of, files):
    client.force_login(people.agency_officer)
    task = task_of(KTT, "2.1")
    response = client.post(
        f"/programme/task/{task.pk}/report/2024/",
        {"status": "done", "progress": "100", "narrative": "Đã hoàn thành.", "attachments": [files.pdf()]},
    )
    assert response.status_code == 302 and response["Location"] == f"/programme/task/{task.pk}/"
    report = TaskReport.objects.get()
    attachment = report.attachments.get()
    download = client.get(f"/programme/attachment/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(people.commune)
    assert client.get(f"/programme/attachment/{attachment.pk}/").status_code == 404


def test_an_attachment_is_removed_by_its_agency_only(
    client, ktt, people, task_of, file_report, files, agency_user
):
    report = file_report(task_of(KTT, "2.2"), 2024, people.agency_officer, files=[files.pdf()])
    attachment = report.attachments.get()
    client.force_login(agency_user("so-cong-thuong"))  # sees the task (coordinates it), did not file it
    assert client.post(f"/programme/attachment/{attachment.pk}/remove/").status_code == 404
    client.force_login(people.agency_officer)
    response = client.post(f"/programme/attachment/{attachment.pk}/remove/")
    assert response.status_code == 302 and not ReportAttachment.objects.exists()


def test_kon_tum_reports_of_2019_were_due_on_10_december(load, task_of, agency_user, file_report):
    load(KON_TUM)
    task = task_of(KON_TUM, "10.1")
    file_report(task, 2019, agency_user("kon-tum-lien-minh-htx"), on=datetime.date(2019, 12, 11))
    assert state_of(task, 2019, datetime.date(2020, 1, 1)).reported_late
