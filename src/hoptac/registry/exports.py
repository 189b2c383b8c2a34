"""Exports of the organisation list to XLSX and CSV.

`organisation_rows` turns a queryset (from queries.organisation_list_queryset) into rows of typed
values: text, `datetime.date`, `Decimal` or `bool`, in the order of `COLUMNS`. Both writers share it,
and so can an import that must read back what the export wrote.

Spreadsheet formula injection: a name such as `=HYPERLINK("http://x","y")` must stay text. The CSV
writer prefixes such cells with an apostrophe (which Excel hides and treats as "this is text"); the
XLSX writer never lets XlsxWriter guess a type, writes every text with write_string, and marks the
risky ones quote-prefixed so that editing the cell in Excel does not turn it into a formula either.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

import xlsxwriter
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import Organisation

CellKind = Literal["text", "date", "number", "bool"]
Cell = str | datetime.date | Decimal | bool | None


@dataclass(frozen=True)
class Column:
    key: str
    header: Promise | str
    kind: CellKind = "text"
    width: int = 16


COLUMNS: tuple[Column, ...] = (
    Column("code", _("Cooperative code"), width=14),
    Column("name", _("Name"), width=44),
    Column("kind", _("Kind"), width=22),
    Column("sector", _("Sector"), width=26),
    Column("subsector", _("Sub-sector"), width=22),
    Column("commune", _("Commune or ward"), width=22),
    Column("legacy_commune", _("Former commune (before 01/07/2025)"), width=22),
    Column("legacy_district", _("Former district (before 01/07/2025)"), width=20),
    Column("province", _("Province"), width=16),
    Column("address", _("Address"), width=36),
    Column("founded_on", _("Date founded"), "date", 12),
    Column("law", _("Registered under"), width=24),
    Column("charter_capital", _("Charter capital (million VND)"), "number", 14),
    Column("supporter", _("Founding supporter"), width=22),
    Column("union_member", _("Member of the provincial cooperative union"), "bool", 12),
    Column("status", _("Status"), width=24),
    Column("ended_on", _("Ended on"), "date", 12),
)

DATE_FORMAT = "dd/mm/yyyy"
NUMBER_FORMAT = "#,##0.0"
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")


def _top(unit):
    while unit.parent_id is not None:
        unit = unit.parent
    return unit


def _legacy_district(org: Organisation) -> str:
    if org.legacy_commune_id:
        return org.legacy_commune.parent.name if org.legacy_commune.parent_id else ""
    unit = org.unit
    if unit.is_legacy and unit.level == unit.Level.DISTRICT:
        return unit.name
    return ""


def _province(org: Organisation) -> str:
    if org.current_commune_id and org.current_commune.parent_id:
        return org.current_commune.parent.name
    return _top(org.unit).name


def organisation_row(org: Organisation) -> tuple[Cell, ...]:
    """One organisation as the export's cells, in the order of COLUMNS (labels in the active language).

    Expects the relations of queries.LIST_RELATED to be selected: no query per row.
    """
    return (
        org.code or "",
        org.name,
        org.get_kind_display(),
        org.sector.label,
        org.subsector.label if org.subsector_id else "",
        org.current_commune.name if org.current_commune_id else "",
        org.legacy_commune.name if org.legacy_commune_id else "",
        _legacy_district(org),
        _province(org),
        org.address,
        org.founded_on,
        org.get_law_display() if org.law else "",
        org.charter_capital,
        org.get_supporter_display() if org.supporter else "",
        org.union_member,
        org.get_status_display(),
        org.ended_on,
    )


def organisation_rows(qs: QuerySet[Organisation]) -> Iterator[tuple[Cell, ...]]:
    """Every organisation of `qs`, in its order, as export rows; reads in chunks so memory stays flat."""
    for org in qs.iterator(chunk_size=2000):
        yield organisation_row(org)


def headers() -> list[str]:
    """The column headers in the active language."""
    return [str(c.header) for c in COLUMNS]


def is_risky(text: str) -> bool:
    """Whether a spreadsheet would read this text as a formula (or a DDE command)."""
    return text.startswith(_RISKY_START)


def neutralise(text: str) -> str:
    """`=cmd()` → `'=cmd()`: spreadsheets show the text and never evaluate it."""
    return "'" + text if is_risky(text) else text


def _text(value: Cell, kind: CellKind) -> str:
    """A cell as CSV text: dates dd/mm/yyyy, numbers with a dot, booleans as translated yes/no."""
    if value is None or value == "":
        return ""
    if kind == "date":
        return value.strftime("%d/%m/%Y")
    if kind == "bool":
        return gettext("Yes") if value else gettext("No")
    if kind == "number":
        return str(value)
    return neutralise(str(value))


def write_csv(rows: Iterable[tuple[Cell, ...]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel needs to read Vietnamese letters right."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers())
    for row in rows:
        writer.writerow([_text(v, c.kind) for v, c in zip(row, COLUMNS, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(rows: Iterable[tuple[Cell, ...]], *, title: str) -> bytes:
    """A workbook with a title row, a header row (frozen, with autofilter), real dates and numbers."""
    buffer = io.BytesIO()
    # No guessing of types from strings: text stays text, whatever it starts with.
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    sheet = workbook.add_worksheet(gettext("Organisations")[:31])
    title_fmt = workbook.add_format({"bold": True, "font_size": 14})
    header_fmt = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
    )
    date_fmt = workbook.add_format({"num_format": DATE_FORMAT})
    number_fmt = workbook.add_format({"num_format": NUMBER_FORMAT})
    risky_fmt = workbook.add_format({"quote_prefix": True})

    last_col = len(COLUMNS) - 1
    sheet.merge_range(0, 0, 0, last_col, title, title_fmt)
    sheet.set_row(0, 22)
    for col, column in enumerate(COLUMNS):
        sheet.set_column(col, col, column.width)
        sheet.write_string(1, col, str(column.header), header_fmt)
    sheet.set_row(1, 45)

    row_index = 1
    for row in rows:
        row_index += 1
        for col, (value, column) in enumerate(zip(row, COLUMNS, strict=True)):
            if value is None or value == "":
                continue
            if column.kind == "date":
                sheet.write_datetime(row_index, col, value, date_fmt)
            elif column.kind == "number":
                sheet.write_number(row_index, col, float(value), number_fmt)
            elif column.kind == "bool":
                sheet.write_string(row_index, col, gettext("Yes") if value else gettext("No"))
            else:
                text = str(value)
                sheet.write_string(row_index, col, text, risky_fmt if is_risky(text) else None)

    sheet.freeze_panes(2, 0)
    sheet.autofilter(1, 0, row_index, last_col)
    workbook.close()
    return buffer.getvalue()
