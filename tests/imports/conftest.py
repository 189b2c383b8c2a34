"""Helpers for the import tests: real .xlsx files written with XlsxWriter, real CSV bytes."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from typing import Any

import pytest
import xlsxwriter

DATE_FORMAT = {"num_format": "dd/mm/yyyy"}


class Formula(str):
    """A cell to write as a formula (XlsxWriter stores 0 as its cached value, as programs do)."""


def xlsx_bytes(rows: Sequence[Sequence[Any]], *, sheet: str = "Danh sách", extra_sheets=None) -> bytes:
    """An .xlsx whose first sheet holds `rows` from A1 (None leaves a cell empty)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    date_fmt = book.add_format(DATE_FORMAT)
    for name, sheet_rows in [(sheet, rows), *(extra_sheets or [])]:
        ws = book.add_worksheet(name)
        for r, row in enumerate(sheet_rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, Formula):
                    ws.write_formula(r, c, str(value))
                elif isinstance(value, datetime.datetime | datetime.date):
                    if not isinstance(value, datetime.datetime):
                        value = datetime.datetime.combine(value, datetime.time())
                    ws.write_datetime(r, c, value, date_fmt)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    ws.write_number(r, c, value)
                else:
                    ws.write_string(r, c, str(value))
    book.close()
    return buffer.getvalue()


def csv_bytes(rows: Sequence[Sequence[Any]], *, delimiter: str = ",", encoding: str = "utf-8-sig") -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters (â, ơ, ư …) with combining tone marks."""
    import unicodedata

    out = bytearray()
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            tones = "\u0300\u0301\u0303\u0309\u0323"
            decomposed = unicodedata.normalize("NFD", char)
            base = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in tones))
            out += base.encode("cp1258") + "".join(ch for ch in decomposed if ch in tones).encode("cp1258")
    return bytes(out)


def workbook(data: bytes):
    from hoptac.imports.reader import read_bytes

    return read_bytes(data)


# The shape of a district office's list: its own headers, title rows, column numbers, text and real
# dates, legacy names of communes (before 01/07/2025), dissolved cooperatives, a total row.
DISTRICT_TITLE = [
    ["UBND HUYỆN THAN UYÊN", None, None, None, None, None, None, None, None, None, None],
    ["DANH SÁCH HỢP TÁC XÃ TRÊN ĐỊA BÀN HUYỆN NĂM 2023"],
    ["(Kèm theo Báo cáo số 215/BC-UBND ngày 15/12/2023 của UBND huyện Than Uyên)"],
    [],
]
DISTRICT_HEADER = [
    "STT",
    "Tên hợp tác xã",
    "Mã số HTX",
    "Xã, thị trấn",
    "Huyện",
    "Ngành nghề\nkinh doanh",
    "Ngày thành lập",
    "Vốn điều lệ\n(triệu đồng)",
    "Tình trạng hoạt động",
    "Ngày giải thể",
    "Số QĐ giải thể",
]


def district_rows(today: datetime.date) -> list[list[Any]]:
    return [
        *DISTRICT_TITLE,
        DISTRICT_HEADER,
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)", "(8)", "(9)", "(10)", "(11)"],
        [
            1,
            "HTX Nông nghiệp Mường Cang",
            "6207000101",
            "Xã Mường Cang",
            "Huyện Than Uyên",
            "Nông nghiệp",
            "05/03/2018",
            "1.234,5",
            "Đang hoạt động",
            None,
            None,
        ],
        [
            2,
            "HTX Dịch vụ Thương mại Than Uyên",
            "6207000102",
            "Thị trấn Than Uyên",
            "Huyện Than Uyên",
            "Thương mại, dịch vụ",
            datetime.date(2019, 6, 1),
            500,
            "Đang hoạt động",
            None,
            None,
        ],
        [
            3,
            "HTX Chè Mường Than",
            None,
            "Mường Than",
            "Than Uyên",
            "Trồng trọt",
            "1/2/15",
            "35.874",
            "Đã giải thể",
            "20/10/2022",
            "123/QĐ-UBND",
        ],
        [
            4,
            "HTX Vận tải Than Uyên",
            "6207000104",
            "TT. Than Uyên",
            "H. Than Uyên",
            "Vận tải",
            "12/12/2016",
            None,
            "Giải thể",
            datetime.date(2023, 1, 5),
            None,
        ],
        [
            5,
            "Tổ hợp tác Dệt thổ cẩm Hua Nà",
            None,
            "Xã Hua Nà",
            "Huyện Than Uyên",
            "Công nghiệp - TTCN",
            "02/09/2020",
            "12,5",
            "Tạm ngừng hoạt động",
            None,
            None,
        ],
        [None, "Tổng cộng", None, None, None, None, None, "=SUM(H7:H11)", None, None, None],
    ]


@pytest.fixture
def district_file(settings) -> bytes:
    from django.utils import timezone

    return xlsx_bytes(district_rows(timezone.localdate()))


# --- yearly returns ------------------------------------------------------------------------------


@pytest.fixture
def returns_orgs(make_org, units):
    """Organisations for the returns import: two HTX and a group under Xã Than Uyên (one without a
    code), a credit fund there, and an HTX of Xã Tân Uyên (outside the commune officer's area)."""
    from hoptac.registry.models import Sector

    credit = Sector.objects.get(code="tin-dung")

    class Orgs:
        tea = make_org("HTX Chè Than Uyên", code="6201000001", law="2023")
        rice = make_org("HTX Lúa Mường Than", code="6201000003", law="2023")
        group = make_org("Tổ hợp tác Rau Than Uyên", kind="tht", law="civil")
        fund = make_org("Quỹ tín dụng nhân dân Than Uyên", kind="qtdnd", sector=credit, code="6201000004")
        other = make_org("HTX Lúa Tân Uyên", unit=units.xa_tan_uyen, code="6201000002", law="2023")

    return Orgs
