"""Benchmark: import a 100,000-row registry file on PostgreSQL, against the lower bound of the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/import_registry.py

DATABASE_URL names the PostgreSQL server (its database name is ignored): the benchmark drops and
creates the database `hoptac_bench` there, migrates it and loads the administrative units. It then

1. generates a registry file as offices send them (title rows, their own headers, a row of column
   numbers, communes of five provinces by name, current and former ones with their districts, dates
   as text and as real Excel dates, Vietnamese numbers, dissolved cooperatives, a total row);
2. measures the lower bound: reading the file with python-calamine, plus one bulk insert of the same
   rows into the organisations table (COPY, as the import itself inserts), committed;
3. empties the table, then measures the import itself, end to end: reading, finding the headers,
   checking every row, writing organisations, their history and their status changes in one
   transaction (`hoptac.imports.registry.import_registry`, as the page and the command call it).

The last line printed is a JSON object: rows, seconds, rows_per_second, lower_bound_seconds, ratio.
Options: --rows N (100000), --keep (leave the database), --file PATH (keep the generated file there,
or reuse it if it exists).
Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DB = "hoptac_bench"
PROVINCES = ("12", "11", "14", "15", "51")  # Lai Châu, Điện Biên, Sơn La, Lào Cai, Quảng Ngãi (with Kon Tum)
LEGACY_PROVINCES = ("12", "11", "14", "62")  # the same, before 01/07/2025, Kon Tum included
REFORM = datetime.date(2025, 7, 1)


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "DATABASE_URL must name a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres"
        )
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def fresh_database(url: str) -> None:
    import psycopg

    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = with_database(url, BENCH_DB)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoptac.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("loadunits", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    # A database in use has its statistics; a fresh one would plan the foreign-key checks of the
    # insert as scans of an "empty" units table.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# --- the file ------------------------------------------------------------------------------------

ACTIVITIES = [
    ("Nông nghiệp", "Nông nghiệp"),
    ("Nông nghiệp và Dịch vụ", "Nông, lâm, ngư nghiệp"),
    ("Chè", "Trồng trọt"),
    ("Rau an toàn", "Trồng trọt"),
    ("Chăn nuôi", "Chăn nuôi"),
    ("Thủy sản", "Thủy sản"),
    ("Lâm nghiệp", "Lâm nghiệp"),
    ("Dịch vụ tổng hợp", "Thương mại, dịch vụ"),
    ("Thương mại", "Thương mại - Dịch vụ"),
    ("Xây dựng", "Xây dựng"),
    ("Vận tải", "Giao thông vận tải"),
    ("Mây tre đan", "Công nghiệp - TTCN"),
    ("Dệt thổ cẩm", "Tiểu thủ công nghiệp"),
    ("Du lịch cộng đồng", "Du lịch"),
    ("Môi trường", "Môi trường"),
    ("Nước sạch", "Nước sạch"),
]
ADJECTIVES = [
    "",
    "Xanh",
    "Phát Triển",
    "Thành Công",
    "Bền Vững",
    "Hợp Lực",
    "Toàn Thắng",
    "An Phú",
    "Tiến Bộ",
]
HEADER = [
    "STT",
    "Tên hợp tác xã",
    "Mã số HTX",
    "Loại hình",
    "Xã, phường",
    "Huyện",
    "Tỉnh",
    "Ngành nghề",
    "Ngày thành lập",
    "Vốn điều lệ\n(triệu đồng)",
    "Tình trạng hoạt động",
    "Ngày giải thể",
    "Số QĐ giải thể",
    "Người đại diện",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Lò", "Quàng", "Tòng", "Lường", "Vàng", "Giàng"]
GIVEN = ["Văn Thắng", "Thị Hoa", "Văn Minh", "Thị Lan", "Văn Sơn", "A Páo", "Thị Mai", "Văn Hùng", "Thị Thu"]


def _places():
    """(commune, district, province, era) tuples whose names resolve alone: no namesake in the province."""
    from collections import Counter

    from hoptac.units.models import Unit

    current = list(
        Unit.objects.filter(era="current", level="commune", parent__code__in=PROVINCES).select_related(
            "parent"
        )
    )
    twice = Counter((u.parent_id, u.name) for u in current)
    out = [(u.name, "", u.parent.name, "current") for u in current if twice[(u.parent_id, u.name)] == 1]
    legacy = Unit.objects.filter(
        era="legacy", level="commune", parent__parent__code__in=LEGACY_PROVINCES
    ).select_related("parent__parent")
    out += [(u.name, u.parent.name, u.parent.parent.name, "legacy") for u in legacy]
    return out


def generate(path: Path, rows: int, seed: int = 2025) -> None:
    import xlsxwriter
    from django.utils import timezone

    rng = random.Random(seed)
    today = timezone.localdate()
    places = _places()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = book.add_worksheet("Danh sách HTX")
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_string(0, 0, "SỞ TÀI CHÍNH")
    ws.write_string(1, 0, "DANH SÁCH TỔ CHỨC KINH TẾ TẬP THỂ TRÊN ĐỊA BÀN")
    ws.write_string(2, 0, "(Kèm theo Báo cáo số 215/BC-STC)")
    ws.write_row(4, 0, HEADER)
    ws.write_row(5, 0, [f"({i})" for i in range(1, len(HEADER) + 1)])
    for i in range(rows):
        r = 6 + i
        commune, district, province, era = rng.choice(places)
        place = commune.split(" ", 1)[1] if " " in commune else commune
        activity, sector = rng.choice(ACTIVITIES)
        group = rng.random() < 0.25
        kind = "THT" if group else "HTX"
        name = f"{'Tổ hợp tác' if group else 'HTX'} {activity} {rng.choice(ADJECTIVES)} {place} {i + 1}"
        if era == "legacy":
            founded = datetime.date(2000, 1, 1) + datetime.timedelta(
                days=rng.randrange((REFORM - datetime.date(2000, 1, 1)).days)
            )
        else:
            founded = REFORM + datetime.timedelta(days=rng.randrange(max(1, (today - REFORM).days)))
        ws.write_number(r, 0, i + 1)
        ws.write_string(r, 1, " ".join(name.split()))
        ws.write_string(r, 2, f"{6200000000 + i}")
        ws.write_string(r, 3, kind)
        ws.write_string(r, 4, commune)
        if district:
            ws.write_string(r, 5, district)
        ws.write_string(r, 6, province)
        ws.write_string(r, 7, sector)
        if i % 2:
            ws.write_datetime(r, 8, datetime.datetime.combine(founded, datetime.time()), date_fmt)
        else:
            ws.write_string(r, 8, founded.strftime("%d/%m/%Y"))
        capital = rng.randrange(5, 50000) / 10
        if i % 3:
            ws.write_string(r, 9, f"{capital:,.1f}".replace(",", " ").replace(".", ",").replace(" ", "."))
        else:
            ws.write_number(r, 9, capital)
        ended = None
        if era == "legacy" and rng.random() < 0.08:
            ended = founded + datetime.timedelta(days=rng.randrange(200, 3000))
            if ended >= REFORM:
                ended = None
        if ended:
            ws.write_string(r, 10, rng.choice(["Đã giải thể", "Giải thể"]))
            if i % 2:
                ws.write_datetime(r, 11, datetime.datetime.combine(ended, datetime.time()), date_fmt)
            else:
                ws.write_string(r, 11, ended.strftime("%d/%m/%Y"))
            ws.write_string(r, 12, f"{rng.randrange(1, 999)}/QĐ-UBND")
        else:
            ws.write_string(
                r, 10, rng.choice(["Đang hoạt động"] * 8 + ["Tạm ngừng hoạt động", "Ngừng hoạt động"])
            )
        ws.write_string(r, 13, f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}")
    ws.write_string(6 + rows, 1, "Tổng cộng")
    ws.write_string(6 + rows, 9, f"=SUM(J7:J{6 + rows})")
    book.close()


# --- the measures --------------------------------------------------------------------------------


def lower_bound(path: Path) -> float:
    """Read the file with calamine, and insert the same rows in one bulk insert, committed."""
    from django.db import connection, transaction
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    from hoptac.imports import bulk
    from hoptac.registry.models import Organisation, Sector
    from hoptac.units.models import Unit

    sector = Sector.objects.get(code="nong-nghiep")
    unit = Unit.objects.get(era="current", level="commune", code="03595")
    now = timezone.now()
    started = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    objs = [
        bulk.new(
            Organisation,
            code=str(row[2]),
            name=row[1],
            name_folded=row[1].lower(),
            kind="htx",
            sector_id=sector.pk,
            unit_id=unit.pk,
            current_commune_id=unit.pk,
            current_path=unit.path,
            representative=row[13],
        )
        for row in rows[6:]
        if row[2]
    ]
    with transaction.atomic():
        bulk.insert(Organisation, objs, now=now, need_ids=False)
    seconds = time.perf_counter() - started
    # Raw SQL: the ORM's delete would write a "-" history record per organisation, one at a time.
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_organisation")
        cursor.execute("VACUUM ANALYZE registry_organisation")
    return seconds


def import_file(path: Path) -> tuple[float, dict]:
    from hoptac.accounts.models import Role, User
    from hoptac.imports.reader import read_file
    from hoptac.imports.registry import import_registry

    user = User.objects.create_user("bench", role=Role.ADMIN, is_staff=True, is_superuser=True)
    marks: dict[str, float] = {}

    def progress(phase: str, done: int, total: int) -> None:
        marks.setdefault(phase, time.perf_counter())

    started = time.perf_counter()
    workbook = read_file(path)
    marks["read"] = time.perf_counter()
    result = import_registry(workbook, actor=user, source=path.name, progress=progress)
    seconds = time.perf_counter() - started
    end = started + seconds
    print(
        f"  reading {marks['read'] - started:.2f} s, checking {marks.get('writing', end) - marks['read']:.2f} s, "
        f"writing {end - marks.get('writing', end):.2f} s"
    )
    if result.errors:
        for issue in result.errors[:20]:
            print(issue.line(), file=sys.stderr)
        sys.exit(f"{len(result.errors)} errors: the generated file should import cleanly")
    return seconds, result.counts()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="Leave the hoptac_bench database in place.")
    parser.add_argument(
        "--file", type=Path, help="Write the generated file here (default: a temporary file)."
    )
    args = parser.parse_args()
    url = server_url()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    fresh_database(url)
    setup_django(url)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "registry-100k.xlsx"
        if args.file and args.file.exists():
            print(f"reusing {path} ({path.stat().st_size / 1e6:.1f} MB)")
        else:
            started = time.perf_counter()
            generate(path, args.rows)
            size = path.stat().st_size / 1e6
            print(f"generated {args.rows} rows in {time.perf_counter() - started:.1f} s ({size:.1f} MB)")
        bound = lower_bound(path)
        print(f"lower bound (calamine read + one COPY of the rows): {bound:.2f} s")
        seconds, counts = import_file(path)
        print(f"import: {seconds:.2f} s, {counts}")
    from django.db import connection

    connection.close()
    if not args.keep:
        import psycopg

        with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    print(
        json.dumps(
            {
                "rows": counts["rows"],
                "seconds": round(seconds, 2),
                "rows_per_second": round(counts["rows"] / seconds),
                "lower_bound_seconds": round(bound, 2),
                "ratio": round(seconds / bound, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
