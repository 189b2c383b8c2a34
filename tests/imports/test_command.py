"""`hoptac import …`: the mapping it used, the counts, every error as a line, exit status 1, no traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from hoptac.registry.models import Organisation

from .conftest import district_rows, xlsx_bytes

HOPTAC = Path(sys.executable).with_name("hoptac")


def run(*args, **options):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err, **options)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def district(tmp_path):
    path = tmp_path / "than-uyen.xlsx"
    path.write_bytes(xlsx_bytes(district_rows(timezone.localdate())))
    return path


def test_the_command_prints_its_mapping_and_counts(db, units, people, district):
    code, out, _err = run("registry", str(district), "--user", "province")

    assert code == 0
    assert "B  Tên hợp tác xã → " in out
    assert "A  STT → " in out  # left out, and said so
    assert "5" in out.splitlines()[-1]
    assert Organisation.objects.count() == 5


def test_dry_run_prints_the_counts_and_writes_nothing(db, units, people, district):
    code, out, err = run("registry", str(district), "--dry-run", verbosity=2)
    assert code == 0, err
    assert "row 7: create HTX Nông nghiệp Mường Cang" in out
    assert Organisation.objects.count() == 0


def test_errors_are_printed_as_row_and_column_and_the_status_is_1(db, units, people, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ["Tên HTX", "Xã", "Lĩnh vực", "Vốn điều lệ"],
                ["HTX A", "Xã Than Uyên", "Nông nghiệp", "một trăm"],
                ["HTX B", "Xã Nào Đó", "Nông nghiệp", "5"],
            ]
        )
    )
    code, _out, err = run("registry", str(path))
    assert code == 1
    assert "row 2, column D (Vốn điều lệ): " in err
    assert "row 3, column B (Xã): " in err
    assert "Traceback" not in err
    assert Organisation.objects.count() == 0


def test_scope_applies_to_the_user_given(db, units, people, tmp_path):
    path = tmp_path / "tan-uyen.xlsx"
    path.write_bytes(xlsx_bytes([["Tên HTX", "Xã", "Lĩnh vực"], ["HTX A", "Xã Tân Uyên", "Nông nghiệp"]]))
    code, _out, err = run("registry", str(path), "--user", "thanuyen")
    assert code == 1 and "row 2, column B" in err
    assert run("registry", str(path), "--user", "viewer")[0] == 1
    assert run("registry", str(path), "--user", "nobody")[0] == 1


def test_map_and_unit_options(db, units, people, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes([["Đơn vị", "Nơi", "Ngành"], ["HTX Ánh Xạ", "Mường Cang", "Xây dựng"]]))
    code, _out, err = run(
        "registry", str(path), "--map", "Đơn vị=name", "--map", "Nơi=commune", "--unit", "legacy-district:110"
    )
    assert code == 0, err
    assert Organisation.objects.get().unit.name == "Xã Mường Cang"
    assert run("registry", str(path), "--map", "Đơn vị=nonsense")[0] == 1


def test_the_template_command_writes_the_template(db, tmp_path):
    out_path = tmp_path / "mau.xlsx"
    code, _out, _err = run("template", "registry", "--out", str(out_path))
    assert code == 0 and out_path.read_bytes()[:2] == b"PK"


def _subprocess(*args, tmp_path):
    # A fresh process, as a user runs it: the file is refused before anything touches a database.
    env = {
        **os.environ,
        "HOPTAC_DATA_DIR": str(tmp_path / "data"),
        "DJANGO_SETTINGS_MODULE": "hoptac.settings",
    }
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [str(HOPTAC), "import", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.parametrize("what", [["registry"], ["returns", "--year", "2024", "--user", "nobody"]], ids=str)
@pytest.mark.parametrize("kind", ["missing", "empty", "not-a-spreadsheet", "oversized"])
def test_a_bad_file_gives_one_line_and_status_1_never_a_traceback(tmp_path, kind, what):
    path = tmp_path / "file.xlsx"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "not-a-spreadsheet":
        path.write_bytes(b"%PDF-1.4 not a spreadsheet at all\n" * 20)
    elif kind == "oversized":
        with path.open("wb") as handle:
            handle.truncate(50 * 1024 * 1024)

    done = _subprocess(what[0], str(path), *what[1:], tmp_path=tmp_path)

    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert len(done.stderr.strip().splitlines()) == 1
