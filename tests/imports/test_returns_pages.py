"""The returns import page: upload, mapping, check, import, background jobs, annotated copy, links from
the round and the registry list; scoped, and never a 500."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from hoptac.imports.models import ImportJob
from hoptac.returns import services
from hoptac.returns.models import AnnualReturn

from .conftest import Formula, csv_bytes, xlsx_bytes
from .test_pages import run_worker

YEAR = 2024
HEADER = ["Mã số HTX", "Tên HTX", "Xã", "Số thành viên", "Tổng số lao động", "Lao động là thành viên"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user):
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    client.force_login(user)
    return client


def upload(client, data: bytes, name="bao-cao.xlsx", year=YEAR, **extra):
    return client.post(
        reverse("imports:returns", args=[year]), {"file": SimpleUploadedFile(name, data), **extra}
    )


def mapping_of(job):
    return {f"col_{c['letter']}": c["field"] for c in job.columns if c["header"] or c["field"]}


def test_the_whole_journey_upload_mapping_check_import(returns_orgs, people):
    client = client_for(people.commune)
    data = xlsx_bytes(
        [
            ["BÁO CÁO NĂM 2024"],
            ["STT", *HEADER],
            [1, "6201000001", "HTX Chè Than Uyên", "Xã Than Uyên", 3, 8, 2],
            [2, None, "Tổ hợp tác Rau Than Uyên", "Xã Than Uyên", 3, 2, 2],
        ]
    )
    response = upload(client, data)
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert (job.kind, job.year, job.mapping["E"]) == ("returns", YEAR, "members_individual")
    page = client.get(response["Location"])
    assert page.status_code == 200 and "HTX Chè Than Uyên" in page.content.decode()
    assert "Yearly returns 2024" in page.content.decode()  # the breadcrumb leads back to the round

    client.post(response["Location"], {**mapping_of(job), "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED, job.message
    assert job.counts == {"rows": 2, "created": 2, "updated": 0, "unchanged": 0}
    # An HTX of the 2023 law with 3 official members: a warning, which does not block.
    assert job.warning_count == 1 and job.warnings[0]["row"] == 3 and job.warnings[0]["column"] == "E"
    assert 'data-testid="warnings"' in client.get(response["Location"]).content.decode()
    assert AnnualReturn.objects.count() == 0

    imported = client.post(response["Location"], {"action": "import"})
    job.refresh_from_db()
    assert imported.status_code == 302 and job.state == ImportJob.State.DONE
    assert set(AnnualReturn.objects.values_list("status", "updated_by")) == {("draft", people.commune.pk)}
    assert "drafts" in client.get(response["Location"]).content.decode()


def test_errors_are_listed_with_row_and_column_and_the_annotated_copy_marks_them(returns_orgs, people):
    client = client_for(people.commune)
    data = xlsx_bytes(
        [
            HEADER,
            ["6201000001", None, None, 9, 3, 5],
            ["6201000002", None, None, 9, Formula("=1+2"), 1],
        ]
    )
    job_url = upload(client, data)["Location"]
    job = ImportJob.objects.get()
    client.post(job_url, {**mapping_of(job), "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.INVALID
    assert {(e["row"], e["column"]) for e in job.errors} == {(2, "F"), (3, "A"), (3, "E")}
    body = client.get(job_url).content.decode()
    assert "cannot outnumber the regular workers" in body and "outside your area" in body

    copy = client.get(reverse("imports:job-annotated", args=[job.pk]))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(copy.streaming_content)))
    errors = book.get_sheet_by_index(1).to_python()
    assert sorted((int(r[0]), r[1]) for r in errors[1:]) == [(2, "F"), (3, "A"), (3, "E")]
    client.post(job_url, {"action": "import"})
    assert AnnualReturn.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("trong.xlsx", b""),
        ("anh.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4),
        ("van-ban.pdf", b"%PDF-1.4 hello"),
        ("khong-tieu-de.csv", csv_bytes([["a", "b"], ["c", "d"]])),
        ("chi-tieu-de.xlsx", xlsx_bytes([HEADER])),
    ],
)
def test_a_bad_file_is_a_message_on_the_form_never_a_500(returns_orgs, people, name, data):
    response = upload(client_for(people.commune), data, name=name)
    assert response.status_code == 200
    assert 'data-testid="error-file"' in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_an_oversized_file_is_refused(returns_orgs, people, settings):
    settings.HOPTAC_IMPORT_MAX_BYTES = 1000
    response = upload(
        client_for(people.commune), csv_bytes([HEADER] + [["6201000001", "", "", 1, 1, 1]] * 100)
    )
    assert response.status_code == 200 and ImportJob.objects.count() == 0
    assert "MB" in response.content.decode()


def test_garbage_posts_never_answer_500(returns_orgs, people):
    client = client_for(people.commune)
    assert client.post(reverse("imports:returns", args=[YEAR]), {"file": "x"}).status_code == 200
    job_url = upload(client, xlsx_bytes([HEADER, ["6201000001", "", "", 1, 1, 1]]))["Location"]
    for data in (
        {"col_A": "nonsense", "action": "check"},
        {"col_A": "", "col_B": "", "action": "check"},
        {"col_A": "code", "col_B": "code", "action": "check"},
        {"col_D": "", "col_E": "", "col_F": "", "action": "check"},
        {"action": "import"},
    ):
        assert client.post(job_url, data).status_code in (200, 302)
    assert AnnualReturn.objects.count() == 0


def test_a_corrected_mapping_is_used(returns_orgs, people):
    client = client_for(people.province)
    job_url = upload(client, xlsx_bytes([["Mã số HTX", "Tên HTX", "Người làm"], ["6201000001", "", 7]]))[
        "Location"
    ]
    assert ImportJob.objects.get().mapping == {"A": "code", "B": "name", "C": ""}
    client.post(job_url, {"col_A": "code", "col_B": "name", "col_C": "workers", "action": "check"})
    client.post(job_url, {"action": "import"})
    assert AnnualReturn.objects.get().workers == 7


def test_a_large_file_runs_in_the_background_with_progress(returns_orgs, people, settings, monkeypatch):
    settings.HOPTAC_IMPORT_INLINE_ROWS = 1
    client = client_for(people.province)
    job_url = upload(
        client, xlsx_bytes([HEADER, ["6201000001", "", "", 9, 5, 3], ["6201000003", "", "", 8, 4, 2]])
    )["Location"]
    job = ImportJob.objects.get()
    client.post(job_url, {**mapping_of(job), "action": "check"})
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED
    fragment = client.get(reverse("imports:job-progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in fragment and "<progress" in fragment

    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.state == ImportJob.State.CHECKED, job.message
    client.post(job_url, {"action": "import"})
    run_worker(monkeypatch)
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE and AnnualReturn.objects.count() == 2


def test_who_may_use_the_returns_import(returns_orgs, people):
    url = reverse("imports:returns", args=[YEAR])
    assert client_for(people.commune).get(url).status_code == 200
    assert client_for(people.district_viewer).get(url).status_code == 403
    assert (
        client_for(people.agency_officer).get(reverse("imports:returns-template", args=[YEAR])).status_code
        == 403
    )
    assert Client().get(url).status_code == 302
    future = timezone.localdate().year + 1
    assert client_for(people.commune).get(reverse("imports:returns", args=[future])).status_code == 404
    assert (
        client_for(people.commune).get(reverse("imports:returns-export", args=[YEAR, "pdf"])).status_code
        == 404
    )


def test_another_users_returns_job_is_a_404(returns_orgs, people):
    upload(client_for(people.commune), xlsx_bytes([HEADER, ["6201000001", "", "", 1, 1, 1]]))
    job = ImportJob.objects.get()
    other = client_for(people.other_commune)
    for name in ("imports:job", "imports:job-progress", "imports:job-annotated"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404
    assert other.post(reverse("imports:job", args=[job.pk]), {"action": "import"}).status_code == 404


def test_the_round_page_links_to_export_template_and_import(returns_orgs, people):
    body = (
        client_for(people.commune)
        .get(reverse("returns:round", args=[YEAR]), {"status": "missing"})
        .content.decode()
    )
    assert reverse("imports:returns-export", args=[YEAR, "xlsx"]) + "?status=missing" in body
    import_link = f'href="{reverse("imports:returns", args=[YEAR])}"'
    assert import_link in body and reverse("imports:returns-template", args=[YEAR]) in body
    viewer = client_for(people.district_viewer).get(reverse("returns:round", args=[YEAR])).content.decode()
    assert reverse("imports:returns-export", args=[YEAR, "csv"]) in viewer
    assert import_link not in viewer


def test_the_registry_list_links_to_the_import_for_those_who_write_it(returns_orgs, people):
    url = reverse("registry:organisation-list")
    assert reverse("imports:registry") in client_for(people.commune).get(url).content.decode()
    assert reverse("imports:registry") not in client_for(people.district_viewer).get(url).content.decode()


def test_an_approved_return_changed_in_the_file_is_refused_on_the_page(returns_orgs, people):
    ret, _ = services.return_create_or_get(organisation=returns_orgs.tea, year=YEAR, actor=people.province)
    ret, _ = services.return_save(ret=ret, actor=people.province, data={"workers": 8}, expected_version=0)
    services.return_approve(ret=services.return_submit(ret=ret, actor=people.province), actor=people.province)
    client = client_for(people.commune)
    job_url = upload(client, xlsx_bytes([["Mã số HTX", "Tổng số lao động"], ["6201000001", 9]]))["Location"]
    client.post(job_url, {**mapping_of(ImportJob.objects.get()), "action": "check"})
    assert "approved and locked" in client.get(job_url).content.decode()
    assert AnnualReturn.objects.get().workers == 8
