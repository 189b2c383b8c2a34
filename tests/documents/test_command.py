"""`hoptac report annual` and `hoptac report template`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from hoptac.documents.models import ReportSnapshot

from .conftest import YEAR
from .files import pdf_text

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_report_annual_writes_the_three_files_and_names_its_snapshot(province, tmp_path):
    output = run("annual", "--unit", "province:12", "--year", str(YEAR), "--out", str(tmp_path))
    names = sorted(p.name for p in tmp_path.iterdir())
    stem = "bao-cao-kinh-te-tap-the-2024-tinh-lai-chau"
    assert names == [f"{stem}.docx", f"{stem}.pdf", f"{stem}.xlsx"]
    snapshot = ReportSnapshot.objects.get()
    assert f"--snapshot {snapshot.pk}" in output
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pdf_text((tmp_path / f"{stem}.pdf").read_bytes())


def test_report_annual_from_a_snapshot_takes_no_new_one(province, tmp_path):
    run("annual", "--unit", "12", "--year", str(YEAR), "--out", str(tmp_path / "a"), "--format", "xlsx")
    snapshot = ReportSnapshot.objects.get()
    run("annual", "--unit", "12", "--year", str(YEAR), "--out", str(tmp_path / "b"), "--format", "xlsx",
        "--snapshot", str(snapshot.pk))  # fmt: skip
    assert ReportSnapshot.objects.count() == 1
    a = (tmp_path / "a" / "bao-cao-kinh-te-tap-the-2024-tinh-lai-chau.xlsx").read_bytes()
    b = (tmp_path / "b" / "bao-cao-kinh-te-tap-the-2024-tinh-lai-chau.xlsx").read_bytes()
    from .files import xlsx_sheets

    def values(data):
        return [{k: c.value for k, c in s.cells.items()} for s in xlsx_sheets(data)[0]]

    assert values(a) == values(b)


def test_report_annual_refuses_a_snapshot_of_another_area(province, tmp_path):
    run("annual", "--unit", "12", "--year", str(YEAR), "--out", str(tmp_path), "--format", "xlsx")
    snapshot = ReportSnapshot.objects.get()
    with pytest.raises(CommandError, match="không phải địa bàn"):
        run("annual", "--unit", "commune:03595", "--year", str(YEAR), "--out", str(tmp_path),
            "--snapshot", str(snapshot.pk))  # fmt: skip


def test_report_annual_refuses_a_year_out_of_range(province, tmp_path):
    with pytest.raises(CommandError, match="Năm phải từ 2000"):
        run("annual", "--unit", "12", "--year", "1999", "--out", str(tmp_path))


def test_report_template_writes_the_default_template(tmp_path):
    from hoptac.documents.docx_template import DEFAULT_PATH

    run("template", "--out", str(tmp_path / "t.docx"))
    assert (tmp_path / "t.docx").read_bytes() == DEFAULT_PATH.read_bytes()
