"""The reports page: write a report for an area in scope, follow it, download its files; scope is 404."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from hoptac.documents.models import AnnualReport

from .conftest import YEAR

pytestmark = pytest.mark.django_db

URL = "/documents/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """The reports' files go to a temporary folder, not to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for():
    def make(user):
        client = Client(HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(user)
        return client

    return make


def write(client, unit, year=YEAR, **extra):
    return client.post(URL, {"unit": unit.key, "year": year, **extra})


def test_province_officer_writes_the_report_and_downloads_the_three_files(client_for, people, province):
    client = client_for(people.province)
    response = write(client, province.unit, number="125", signer_name="Nguyễn Văn A")
    assert response.status_code == 302
    report = AnnualReport.objects.get()
    assert (
        report.state == "done"
        and report.snapshot.unit == province.unit
        and report.created_by == people.province
    )
    page = client.get(URL).content.decode()
    assert "Tỉnh Lai Châu" in page and reverse("documents:download", args=[report.pk, "pdf"]) in page
    for fmt, start in (("docx", b"PK"), ("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(reverse("documents:download", args=[report.pk, fmt]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert body.startswith(start)
        assert f"bao-cao-kinh-te-tap-the-2024-tinh-lai-chau.{fmt}" in response["Content-Disposition"]


def test_a_large_area_is_written_by_the_task_worker(client_for, people, province, settings, monkeypatch):
    settings.HOPTAC_REPORT_INLINE_ORGANISATIONS = 3
    client = client_for(people.province)
    write(client, province.unit)
    report = AnnualReport.objects.get()
    assert report.state == "queued" and report.task_id and report.snapshot is None
    row = client.get(reverse("documents:report-row", args=[report.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in row

    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    report.refresh_from_db()
    assert report.state == "done" and report.snapshot is not None and report.pdf
    row = client.get(reverse("documents:report-row", args=[report.pk])).content.decode()
    assert "hx-trigger" not in row and "download-pdf" in row


def test_writing_again_from_a_snapshot_reuses_it(client_for, people, province):
    client = client_for(people.province)
    write(client, province.unit)
    first = AnnualReport.objects.get()
    client.post(reverse("documents:report-again", args=[first.pk]))
    second = AnnualReport.objects.exclude(pk=first.pk).get()
    assert second.snapshot_id == first.snapshot_id and second.state == "done"


def test_commune_officer_writes_his_communes_report_only(client_for, people, province):
    client = client_for(people.commune)  # Xã Than Uyên
    assert write(client, province.communes["than_uyen"]).status_code == 302
    response = write(client, province.communes["tan_uyen"])
    assert response.status_code == 200 and AnnualReport.objects.count() == 1
    assert 'data-testid="error-unit"' in response.content.decode()


def test_another_communes_report_is_404_and_not_listed(client_for, people, province):
    write(client_for(people.province), province.communes["tan_uyen"])
    report = AnnualReport.objects.get()
    client = client_for(people.commune)  # Xã Than Uyên
    for url in (
        reverse("documents:download", args=[report.pk, "pdf"]),
        reverse("documents:report-row", args=[report.pk]),
    ):
        assert client.get(url).status_code == 404
    assert client.post(reverse("documents:report-again", args=[report.pk])).status_code == 404
    assert "Xã Tân Uyên" not in client.get(URL).content.decode()
    assert AnnualReport.objects.count() == 1


def test_viewers_and_agencies_read_reports_but_do_not_write_them(client_for, people, province):
    write(client_for(people.province), province.unit)
    report = AnnualReport.objects.get()
    for user in (people.agency_officer,):
        client = client_for(user)
        page = client.get(URL)
        assert page.status_code == 200 and "report-form" not in page.content.decode()
        assert client.get(reverse("documents:download", args=[report.pk, "xlsx"])).status_code == 200
        assert write(client, province.unit).status_code == 403
        assert client.post(reverse("documents:report-again", args=[report.pk])).status_code == 403
    assert AnnualReport.objects.count() == 1


def test_a_cooperative_representative_sees_no_report(client_for, people, province):
    from hoptac.accounts.models import Role, User

    write(client_for(people.province), province.communes["than_uyen"])
    report = AnnualReport.objects.get()
    rep = User.objects.create_user(
        username="rep", password="pw", role=Role.COOPERATIVE, organisation=province.organisations["a"]
    )
    client = client_for(rep)
    assert client.get(reverse("documents:download", args=[report.pk, "pdf"])).status_code == 404
    assert "Xã Than Uyên" not in client.get(URL).content.decode()


def test_an_unknown_format_or_a_year_out_of_range_is_refused(client_for, people, province):
    client = client_for(people.province)
    response = write(client, province.unit, year=1990)
    assert response.status_code == 200 and "Năm phải từ 2000" in response.content.decode()
    write(client, province.unit)
    report = AnnualReport.objects.get()
    assert client.get(reverse("documents:download", args=[report.pk, "csv"])).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(province):
    response = Client().get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
