"""The report's tables as a workbook: one sheet per table, totals and computed columns as formulas.

Numbers are numbers (not text), formatted `#,##0` (whole) and `#,##0.00` (two decimals). A number
format code is always written in Excel's invariant notation (comma for thousands, dot for decimals);
Excel and LibreOffice show it with the separators of the computer's regional settings, so a computer
set to Vietnamese shows 1.234 and 49,30, as the documents print them. (A format such as `#.##0` would
not mean "Vietnamese": Excel would read the dot as the decimal point.)

Totals are `SUM` formulas over the rows above them, differences and shares formulas over their row
(blank when an operand is blank, as the documents print "–"); each formula carries its computed value,
so that a reader that does not calculate (a viewer, python-calamine) sees the same figure.
"""

from __future__ import annotations

import io
import re
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from xlsxwriter.utility import xl_col_to_name

from .content import Report, Table
from .numbers import dec

FONT = "Times New Roman"
INT_FORMAT = "#,##0"
DEC_FORMAT = "#,##0.00"


def render(report: Report) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    workbook.set_properties(
        {"title": f"{report.kind} {report.subject}", "author": report.issuer, "company": report.issuer}
    )
    styles = _Styles(workbook)
    _info_sheet(workbook, styles, report)
    used: set[str] = set()
    for table in report.tables():
        _table_sheet(workbook, styles, table, _sheet_name(table, used))
    workbook.close()
    return out.getvalue()


class _Styles:
    def __init__(self, workbook: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.title = workbook.add_format({**base, "bold": True, "font_size": 14})
        self.text = workbook.add_format({**base, "text_wrap": True})
        self.note = workbook.add_format({**base, "italic": True, "align": "right"})
        self.header = workbook.add_format(
            {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#F2F2F2"}
        )
        self.group = workbook.add_format({**cell, "bold": True, "italic": True})
        self.cells = {}
        for total in (False, True):
            extra = {"bold": True} if total else {}
            self.cells[("text", total)] = workbook.add_format({**cell, **extra, "text_wrap": True})
            self.cells[("center", total)] = workbook.add_format({**cell, **extra, "align": "center"})
            self.cells[("int", total)] = workbook.add_format({**cell, **extra, "num_format": INT_FORMAT})
            self.cells[("dec", total)] = workbook.add_format({**cell, **extra, "num_format": DEC_FORMAT})
            self.cells[("pct", total)] = self.cells[("dec", total)]


def _sheet_name(table: Table, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", f"{table.number}. {table.key}")[:31].strip()
    name, n = base, 2
    while name.lower() in used:
        name = f"{base[:28]} {n}"
        n += 1
    used.add(name.lower())
    return name


def _info_sheet(workbook: xlsxwriter.Workbook, styles: _Styles, report: Report) -> None:
    sheet = workbook.add_worksheet(pgettext("report", "Report")[:31])
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 1, 70)
    sheet.write(0, 0, f"{report.kind} {report.subject}", styles.title)
    rows = [
        (_("Issued by"), report.issuer),
        (_("Area"), report.unit["name"]),
        (_("Year"), str(report.year)),
        (pgettext("report", "Date"), report.place_date),
        (pgettext("report", "Data"), report.data_note),
        (
            pgettext("report", "Numbers"),
            _(
                "Whole numbers are formatted #,##0 and decimals #,##0.00: Excel shows them with the separators "
                "of the computer's regional settings (1.234 and 49,30 in Vietnamese). Totals are formulas."
            ),
        ),
    ]
    for i, (label, value) in enumerate(rows, start=2):
        sheet.write(i, 0, label, styles.text)
        sheet.write(i, 1, value, styles.text)
    sheet.write(len(rows) + 3, 0, pgettext("report", "Tables"), styles.title)
    for i, table in enumerate(report.tables(), start=len(rows) + 4):
        sheet.write(i, 0, table.caption, styles.text)


def _number(value: Any) -> float | int | None:
    d = dec(value)
    if d is None:
        return None
    return int(d) if d == d.to_integral_value() and d.as_tuple().exponent >= 0 else float(d)


def _table_sheet(workbook: xlsxwriter.Workbook, styles: _Styles, table: Table, name: str) -> None:
    sheet = workbook.add_worksheet(name)
    columns = table.columns
    last_col = len(columns) - 1
    for i, column in enumerate(columns):
        sheet.set_column(i, i, max(8, round(column.width * 12)))
    sheet.merge_range(0, 0, 0, last_col, table.caption, styles.title)
    if table.unit_note:
        sheet.merge_range(1, 0, 1, last_col, table.unit_note, styles.note)
    header_row = 3
    for i, column in enumerate(columns):
        sheet.write(header_row, i, column.label, styles.header)
    sheet.set_row(header_row, 48)
    sheet.freeze_panes(header_row + 1, 1)
    first = header_row + 1
    data_rows = [r for r in table.rows if not r.group]
    total_at = first + len(table.rows)  # 0-based index of the total row, after every row
    r = first
    for row in table.rows:
        if row.group:
            sheet.merge_range(r, 0, r, last_col, str(row.cells[0]), styles.group)
            r += 1
            continue
        for i, (column, value) in enumerate(zip(columns, row.cells, strict=True)):
            kind = row.kind(column, i)
            style = styles.cells[(_style_kind(kind, column), False)]
            if column.formula:
                formula = _formula(column.formula, r, total_at)
                sheet.write_formula(r, i, formula, style, _cached(value))
            elif kind == "text":
                sheet.write(r, i, "" if value is None else str(value), style)
            elif _number(value) is None:
                sheet.write_blank(r, i, None, style)
            else:
                sheet.write_number(r, i, _number(value), style)
        r += 1
    total = table.total_row()
    if total is None or not data_rows:
        return
    for i, column in enumerate(columns):
        style = styles.cells[(_style_kind(column.kind, column), True)]
        if i == 0:
            sheet.write(total_at, 0, str(total[0]), style)
        elif column.total == "sum":
            letter = xl_col_to_name(i)
            sheet.write_formula(
                total_at, i, f"=SUM({letter}{first + 1}:{letter}{total_at})", style, _cached(total[i])
            )
        elif column.formula:
            sheet.write_formula(
                total_at, i, _formula(column.formula, total_at, total_at), style, _cached(total[i])
            )
        else:
            sheet.write_blank(total_at, i, None, style)


def _style_kind(kind: str, column) -> str:
    if kind == "text":
        return "text" if column.width > 1 else "center"
    return kind


def _cached(value: Any) -> Any:
    number = _number(value)
    return "" if number is None else number


def _formula(spec: str, row: int, total_row: int) -> str:
    """The formula of a computed column for a 0-based row (see content.Column.formula)."""
    kind, *cols = spec.split(":")
    r, t = row + 1, total_row + 1
    refs = [xl_col_to_name(int(c)) for c in cols]
    if kind == "diff":
        a, b = refs
        return f'=IF(OR({a}{r}="",{b}{r}=""),"",{b}{r}-{a}{r})'
    if kind == "share":
        (a,) = refs
        return f'=IF(N({a}${t})=0,"",{a}{r}/{a}${t}*100)'
    if kind == "rate":
        a, b = refs
        return f'=IF(N({a}{r})=0,"",{b}{r}/{a}{r}*100)'
    raise ValueError(f"unknown formula {spec!r}")
