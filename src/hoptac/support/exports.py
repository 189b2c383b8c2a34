"""Exports of the support list and the loan book to XLSX and CSV.

The same rules as the registry's exports (hoptac.registry.exports): typed cells, real dates and
numbers in XLSX, UTF-8 with a byte-order mark in CSV, and text that a spreadsheet would read as a
formula neutralised (registry.exports.neutralise / is_risky).
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.utils.functional import Promise
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from hoptac.registry.exports import DATE_FORMAT, is_risky, neutralise

from .models import SupportRecord
from .queries import LoanRow

Cell = str | datetime.date | Decimal | int | None
MONEY_FORMAT = "#,##0.0##"


@dataclass(frozen=True)
class Column:
    header: Promise | str
    kind: str = "text"  # text, date, number
    width: int = 16


RECORD_COLUMNS: tuple[Column, ...] = (
    Column(_("Date"), "date", 12),
    Column(_("Cooperative code"), width=14),
    Column(_("Organisation"), width=40),
    Column(_("Kind"), width=20),
    Column(_("Sector"), width=24),
    Column(_("Commune or ward"), width=22),
    Column(_("Purpose"), width=32),
    Column(_("Form of support"), width=12),
    Column(_("Amount (million VND)"), "number", 14),
    Column(_("Support in kind"), width=30),
    Column(_("Estimated value (million VND)"), "number", 14),
    Column(_("Programme"), width=30),
    Column(_("Plan"), width=30),
    Column(_("Providing agency"), width=30),
    Column(_("Note"), width=30),
)

LOAN_COLUMNS: tuple[Column, ...] = (
    Column(_("Cooperative code"), width=14),
    Column(_("Borrower"), width=40),
    Column(_("Sector"), width=24),
    Column(_("Contract number"), width=16),
    Column(_("Disbursement date"), "date", 12),
    Column(_("Amount lent (million VND)"), "number", 14),
    Column(_("Term (months)"), "number", 10),
    Column(_("Interest rate (%/year)"), "number", 10),
    Column(_("Repayment schedule"), width=22),
    Column(_("Maturity"), "date", 12),
    Column(_("Principal repaid (million VND)"), "number", 14),
    Column(_("Outstanding principal (million VND)"), "number", 14),
    Column(_("Overdue principal (million VND)"), "number", 14),
    Column(_("Days overdue"), "number", 10),
    Column(_("Status"), width=14),
    Column(_("Purpose"), width=30),
)


def record_rows(records: Iterable[SupportRecord]) -> Iterator[tuple[Cell, ...]]:
    """Support records as export rows (relations of queries.RECORD_RELATED selected: no query per row)."""
    for r in records:
        org = r.organisation
        commune = org.current_commune.name if org.current_commune_id else org.unit.name
        yield (
            r.given_on,
            org.code or "",
            org.name,
            org.get_kind_display(),
            org.sector.label,
            commune,
            r.topic.name,
            r.get_form_display(),
            r.amount,
            r.in_kind_description,
            r.estimated_value,
            r.programme,
            str(r.plan) if r.plan_id else "",
            r.agency.name if r.agency_id else "",
            r.note,
        )


def loan_rows_cells(rows: Iterable[LoanRow]) -> Iterator[tuple[Cell, ...]]:
    for row in rows:
        loan, pos = row.loan, row.position
        yield (
            loan.organisation.code or "",
            loan.organisation.name,
            loan.organisation.sector.label,
            loan.contract_number,
            loan.disbursed_on,
            loan.amount,
            loan.term_months,
            loan.interest_rate,
            loan.get_schedule_display(),
            pos.maturity,
            pos.repaid,
            pos.outstanding,
            pos.overdue,
            pos.days_overdue,
            pos.status_label,
            loan.purpose,
        )


def _text(value: Cell, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "date":
        return value.strftime("%d/%m/%Y")
    if kind == "number":
        return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)
    return neutralise(str(value))


def write_csv(columns: Sequence[Column], rows: Iterable[tuple[Cell, ...]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(c.header) for c in columns])
    for row in rows:
        writer.writerow([_text(v, c.kind) for v, c in zip(row, columns, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def write_xlsx(
    columns: Sequence[Column], rows: Iterable[tuple[Cell, ...]], *, title: str, sheet: str
) -> bytes:
    """A workbook with a title row, a frozen header row with an autofilter, real dates and numbers."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    ws = workbook.add_worksheet(sheet[:31])
    title_fmt = workbook.add_format({"bold": True, "font_size": 14})
    header_fmt = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
    )
    date_fmt = workbook.add_format({"num_format": DATE_FORMAT})
    number_fmt = workbook.add_format({"num_format": MONEY_FORMAT})
    risky_fmt = workbook.add_format({"quote_prefix": True})
    last_col = len(columns) - 1
    ws.merge_range(0, 0, 0, last_col, title, title_fmt)
    ws.set_row(0, 22)
    for col, column in enumerate(columns):
        ws.set_column(col, col, column.width)
        ws.write_string(1, col, str(column.header), header_fmt)
    ws.set_row(1, 45)
    index = 1
    for row in rows:
        index += 1
        for col, (value, column) in enumerate(zip(row, columns, strict=True)):
            if value is None or value == "":
                continue
            if column.kind == "date":
                ws.write_datetime(index, col, value, date_fmt)
            elif column.kind == "number":
                ws.write_number(index, col, float(value), number_fmt)
            else:
                text = str(value)
                ws.write_string(index, col, text, risky_fmt if is_risky(text) else None)
    ws.freeze_panes(2, 0)
    ws.autofilter(1, 0, index, last_col)
    workbook.close()
    return buffer.getvalue()


def support_export(records: Iterable[SupportRecord], fmt: str, *, today: datetime.date) -> bytes:
    rows = record_rows(records)
    if fmt == "xlsx":
        title = _g("Support to organisations, exported on %(date)s") % {"date": today.strftime("%d/%m/%Y")}
        return write_xlsx(RECORD_COLUMNS, rows, title=title, sheet=_g("Support"))
    return write_csv(RECORD_COLUMNS, rows)


def loans_export(rows: Iterable[LoanRow], fmt: str, *, as_of: datetime.date) -> bytes:
    cells = loan_rows_cells(rows)
    if fmt == "xlsx":
        title = _g("Loans of the cooperative support fund on %(date)s") % {"date": as_of.strftime("%d/%m/%Y")}
        return write_xlsx(LOAN_COLUMNS, cells, title=title, sheet=_g("Loans"))
    return write_csv(LOAN_COLUMNS, cells)
