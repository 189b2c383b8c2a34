"""The import page: upload, mapping, check, import, background jobs, annotated copy; never a 500."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from hoptac.imports.models import ImportJob
from hoptac.registry.models import Organisation

from .conftest import csv_bytes, district_rows, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client(raise_request_exception=False)
        client.force_login(user)
        return client

    return make


def upload(client, data: bytes, name="danh-sach.xlsx", **extra):
    return client.post(
        reverse("imports:registry"), {"file": SimpleUploadedFile(name, data), **extra}, follow=False
    )


def test_the_whole_journey_upload_mapping_check_import(client_for, people, units):
    client = client_for(people.province)
    response = upload(client, xlsx_bytes(district_rows(timezone.localdate())))
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "HTX Nông nghiệp Mường Cang" in body  # the preview
    assert job.mapping["B"] == "name" and job.mapping["A"] == ""
    form = {f"col_{c['letter']}": c["field"] for c in job.columns if c["header"] or c["field"]}

    checked = client.post(response["Location"], {**form, "action": "check"})
    job.refresh_from_db()
    assert checked.status_code == 302
    assert job.state == ImportJob.State.CHECKED
    assert job.counts == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    assert Organisation.objects.count() == 0
    assert "HTX Chè Mường Than" in client.get(response["Location"]).content.decode()

    imported = client.post(response["Location"], {"action": "import"})
    job.refresh_from_db()
    assert imported.status_code == 302 and job.state == ImportJob.State.DONE
    assert Organisation.objects.count() == 5
    assert Organisation.history.first().history_user == people.province


def test_a_corrected_mapping_is_used(client_for, people, units):
    client = client_for(people.admin)
    data = xlsx_bytes(
        [["Tên HTX", "Ghi chép", "Xã", "Lĩnh vực"], ["HTX Một", "Bản Nà", "Xã Than Uyên", "Xây dựng"]]
    )
    job_url = upload(client, data)["Location"]
    client.post(
        job_url,
        {"col_A": "name", "col_B": "address", "col_C": "commune", "col_D": "sector", "action": "check"},
    )
    client.post(job_url, {"action": "import"})
    assert Organisation.objects.get().address == "Bản Nà"


def test_errors_are_listed_and_the_annotated_copy_marks_them(client_for, people, units):
    client = client_for(people.admin)
    data = xlsx_bytes(
        [
            ["DANH SÁCH"],
            ["Tên HTX", "Xã", "Lĩnh vực", "Vốn điều lệ"],
            ["HTX Tốt", "Xã Than Uyên", "Nông nghiệp", "5"],
            ["HTX Xấu", "Xã Không Có", "Nông nghiệp", "năm"],
        ]
    )
    job_url = upload(client, data)["Location"]
    job = ImportJob.objects.get()
    form = {f"col_{c['letter']}": c["field"] for c in job.columns}
    client.post(job_url, {**form, "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.INVALID and job.error_count == 2
    body = client.get(job_url).content.decode()
    assert "Xã Không Có" in body and "năm" in body

    copy = client.get(reverse("imports:job-annotated", args=[job.pk]))
    assert copy.status_code == 200 and copy["Content-Type"] == XLSX
    content = b"".join(copy.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    assert book.sheet_names[-1] == "Lỗi - Errors"
    original = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    assert original[3][:2] == ["HTX Xấu", "Xã Không Có"]  # every cell of the user's file is there
    errors = book.get_sheet_by_index(1).to_python()
    assert [(int(r[0]), r[1]) for r in errors[1:]] == [(4, "B"), (4, "D")]
    archive = zipfile.ZipFile(io.BytesIO(content))
    comments = [n for n in archive.namelist() if "comments" in n]
    assert comments and "Xã Không Có" in archive.read(comments[0]).decode()
    assert b"FFC7CE" in archive.read("xl/styles.xml")
    # Nothing was written, and the import cannot be confirmed.
    client.post(job_url, {"action": "import"})
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("trong.xlsx", b""),
        ("anh.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        ("hong.xlsx", xlsx_bytes([["Tên HTX", "Xã"], ["a", "b"]])[:400]),
        ("van-ban.pdf", b"%PDF-1.4 hello"),
        ("khong-tieu-de.csv", csv_bytes([["a", "b"], ["c", "d"]])),
        ("chi-tieu-de.xlsx", xlsx_bytes([["Tên HTX", "Xã"]])),
    ],
)
def test_a_bad_file_is_a_message_on_the_form_never_a_500(client_for, people, name, data):
    client = client_for(people.commune)
    response = upload(client, data, name=name)
    assert response.status_code == 200
    assert 'data-testid="error-file"' in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_50_mb_file_is_refused_before_it_is_read(client_for, people):
    response = upload(client_for(people.commune), b"PK\x03\x04" + bytes(50 * 1024 * 1024), name="lon.xlsx")
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    assert "50" in response.content.decode() and "20" in response.content.decode()


def test_an_oversized_file_is_refused(client_for, people, settings):
    settings.HOPTAC_IMPORT_MAX_BYTES = 1000
    response = upload(
        client_for(people.commune), csv_bytes([["Tên HTX", "Xã"]] + [["HTX", "Xã Than Uyên"]] * 200)
    )
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    assert "MB" in response.content.decode()


def test_garbage_posts_never_answer_500(client_for, people, units):
    client = client_for(people.commune)
    assert client.post(reverse("imports:registry"), {"file": "not a file"}).status_code == 200
    assert client.post(reverse("imports:registry"), {}).status_code == 200
    job_url = upload(client, xlsx_bytes([["Tên HTX", "Xã"], ["HTX", "Xã Than Uyên"]]))["Location"]
    for data in (
        {"col_A": "nonsense"},
        {"col_A": "", "action": "check"},
        {"col_A": "name", "col_B": "name"},
        {"action": "import"},
        {"action": "../../etc"},
    ):
        assert client.post(job_url, data).status_code in (200, 302)
    assert Organisation.objects.count() == 0


def test_jobs_are_visible_only_to_their_user_and_admins(client_for, people, units):
    owner = client_for(people.commune)
    upload(owner, xlsx_bytes([["Tên HTX", "Xã"], ["HTX", "Xã Than Uyên"]]))
    job = ImportJob.objects.get()
    for name in ("imports:job", "imports:job-progress", "imports:job-annotated"):
        assert client_for(people.other_commune).get(reverse(name, args=[job.pk])).status_code == 404
    assert (
        client_for(people.other_commune)
        .post(reverse("imports:job", args=[job.pk]), {"action": "check"})
        .status_code
        == 404
    )
    assert client_for(people.admin).get(reverse("imports:job", args=[job.pk])).status_code == 200
    assert owner.get(reverse("imports:job", args=[job.pk])).status_code == 200


def test_only_users_who_write_the_registry_may_import(client_for, people):
    assert client_for(people.district_viewer).get(reverse("imports:registry")).status_code == 403
    assert client_for(people.agency_officer).get(reverse("imports:registry-template")).status_code == 403
    assert Client().get(reverse("imports:registry")).status_code == 302


def test_the_template_downloads(client_for, people):
    response = client_for(people.commune).get(reverse("imports:registry-template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response.content[:2] == b"PK"


def run_worker(monkeypatch):
    """The real database worker, once through the queue.

    The worker closes "old" connections as it starts; inside the test's transaction that would close
    the test's own connection on PostgreSQL, so that one call is made a no-op for the test.
    """
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")


def test_a_large_file_runs_in_the_background_with_progress(client_for, people, units, settings, monkeypatch):
    settings.HOPTAC_IMPORT_INLINE_ROWS = 3
    client = client_for(people.province)
    rows = [["Tên HTX", "Mã số HTX", "Xã", "Lĩnh vực", "Ngày thành lập"]] + [
        [f"HTX Nền {i}", f"62099{i:05d}", "Xã Than Uyên", "Nông nghiệp", "01/09/2025"] for i in range(10)
    ]
    job_url = upload(client, xlsx_bytes(rows))["Location"]
    job = ImportJob.objects.get()
    form = {f"col_{c['letter']}": c["field"] for c in job.columns}

    client.post(job_url, {**form, "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED and job.task_id
    fragment = client.get(reverse("imports:job-progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment

    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED, job.message
    assert job.counts["created"] == 10 and Organisation.objects.count() == 0
    fragment = client.get(reverse("imports:job-progress", args=[job.pk])).content.decode()
    assert "every 1s" not in fragment  # polling stops once the job is done

    client.post(job_url, {"action": "import"})
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert Organisation.objects.count() == 10
