"""`hoptac import returns FILE --year N --user U` and `hoptac import template returns`: the mapping, the
counts, every error as `row N, column C: message` with status 1, never a traceback."""

from __future__ import annotations

import pytest
from django.utils import translation

from hoptac.imports.reader import read_bytes
from hoptac.returns.models import AnnualReturn

from .conftest import xlsx_bytes
from .test_command import run

YEAR = "2024"
HEADER = ["Mã số HTX", "Tên HTX", "Số thành viên", "Tổng số lao động", "Lao động là thành viên"]


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def sheet(tmp_path):
    def write(*rows, name="bao-cao.xlsx"):
        path = tmp_path / name
        path.write_bytes(xlsx_bytes([HEADER, *rows]))
        return str(path)

    return write


def test_the_command_prints_its_mapping_and_counts_and_writes_drafts(returns_orgs, people, sheet):
    path = sheet(["6201000001", None, 9, 5, 3], ["6201000003", None, 8, 4, 2])

    code, out, err = run("returns", path, "--year", YEAR, "--user", "thanuyen")

    assert code == 0, err
    assert "D  Tổng số lao động → Regular workers" in out
    assert "Rows: 2; created: 2; updated: 0; unchanged: 0." in out and "drafts" in out
    assert set(AnnualReturn.objects.values_list("status", "year")) == {("draft", 2024)}


def test_a_dry_run_writes_nothing(returns_orgs, people, sheet):
    code, out, _err = run(
        "returns",
        sheet(["6201000001", None, 9, 5, 3]),
        "--year",
        YEAR,
        "--user",
        "province",
        "--dry-run",
        verbosity=2,
    )
    assert code == 0 and "row 2: create HTX Chè Than Uyên" in out and "Dry run" in out
    assert AnnualReturn.objects.count() == 0


def test_errors_are_lines_of_row_and_column_and_the_status_is_1(returns_orgs, people, sheet):
    path = sheet(
        ["6201000001", None, 9, "năm", 3], ["6201000003", None, 9, 3, 5], ["6201000002", None, 1, 1, 1]
    )

    code, _out, err = run("returns", path, "--year", YEAR, "--user", "thanuyen")

    assert code == 1
    assert "row 2, column D (Tổng số lao động): " in err
    assert "row 3, column E (Lao động là thành viên): " in err
    assert "row 4, column A (Mã số HTX): " in err and "outside your area" in err
    assert "Traceback" not in err and AnnualReturn.objects.count() == 0


def test_warnings_are_printed_and_do_not_stop_the_import(returns_orgs, people, sheet):
    code, out, _err = run(
        "returns", sheet(["6201000001", None, 3, 5, 3]), "--year", YEAR, "--user", "thanuyen"
    )
    assert code == 0 and "warning: row 2, column C (Số thành viên): " in out
    assert AnnualReturn.objects.count() == 1


def test_a_mapping_given_on_the_command_line_is_used(returns_orgs, people, tmp_path):
    path = tmp_path / "rieng.xlsx"
    path.write_bytes(xlsx_bytes([["Đơn vị", "Mã", "Người làm"], ["HTX Chè Than Uyên", "6201000001", 6]]))
    code, _out, err = run(
        "returns", str(path), "--year", YEAR, "--user", "province", "--map", "Người làm=workers"
    )
    assert code == 0, err
    assert AnnualReturn.objects.get().workers == 6
    assert (
        run("returns", str(path), "--year", YEAR, "--user", "province", "--map", "Người làm=nonsense")[0] == 1
    )


def test_the_user_must_be_one_who_enters_returns(returns_orgs, people, sheet):
    path = sheet(["6201000001", None, 9, 5, 3])
    assert run("returns", path, "--year", YEAR)[0] == 1  # --user is required
    assert run("returns", path, "--year", YEAR, "--user", "nobody")[0] == 1
    code, _out, err = run("returns", path, "--year", YEAR, "--user", "viewer")
    assert code == 1 and "may not enter yearly returns" in err
    assert AnnualReturn.objects.count() == 0


def test_a_year_in_the_future_is_refused(returns_orgs, people, sheet):
    code, _out, err = run(
        "returns", sheet(["6201000001", None, 9, 5, 3]), "--year", "2999", "--user", "admin"
    )
    assert code == 1 and "The year must lie between" in err


def test_the_template_command_writes_a_prefilled_returns_template(returns_orgs, people, tmp_path):
    out_path = tmp_path / "mau.xlsx"
    code, _out, err = run(
        "template", "returns", "--year", YEAR, "--unit", "Xã Than Uyên", "--out", str(out_path)
    )
    assert code == 0, err
    names = {row[1] for row in read_bytes(out_path.read_bytes()).sheets[0].rows[3:]}
    assert "HTX Chè Than Uyên" in names and "HTX Lúa Tân Uyên" not in names
    code, _out, _err = run("template", "returns", "--year", YEAR, "--user", "tanuyen", "--out", str(out_path))
    assert {row[1] for row in read_bytes(out_path.read_bytes()).sheets[0].rows[3:]} == {"HTX Lúa Tân Uyên"}
    assert run("template", "returns", "--out", str(out_path))[0] == 1  # the year is needed
