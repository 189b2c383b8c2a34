"""The workbook: the same tables, one per sheet, totals as formulas, numbers with grouping formats."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from hoptac.documents.numbers import dec

from .files import xlsx_sheets

pytestmark = pytest.mark.django_db


def table_sheets(written):
    sheets, formats = xlsx_sheets(written.files["xlsx"])
    return sheets[1:], formats  # the first sheet describes the report


def test_xlsx_has_one_sheet_per_table_of_the_report(written):
    sheets, _formats = table_sheets(written)
    tables = written.report.tables()
    assert len(sheets) == len(tables)
    for sheet, table in zip(sheets, tables, strict=True):
        assert sheet.cells["A1"].value == table.caption
        assert sheet.name.startswith(f"{table.number}. ")


def test_xlsx_totals_are_formulas_that_give_the_documents_totals(written):
    sheets, _formats = table_sheets(written)
    checked = 0
    for sheet, table in zip(sheets, written.report.tables(), strict=True):
        total = table.total_row()
        if total is None:
            continue
        row = sheet.row(sheet.last_row)
        assert row[0].value == total[0]
        for i, column in enumerate(table.columns):
            if column.total != "sum":
                continue
            cell = row[i]
            assert cell.formula and cell.formula.startswith("SUM("), (sheet.name, cell.ref)
            first, last = re.match(r"SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", cell.formula).groups()
            assert (first[1:], int(last[1:])) == ("5", sheet.last_row - 1)  # every data row, nothing else
            expected = total[i]
            assert (Decimal(cell.value) if cell.value not in (None, "") else None) == expected, cell.ref
            checked += 1
    assert checked >= 15


def test_xlsx_changes_and_shares_are_formulas_too(written):
    sheets, _formats = table_sheets(written)
    by_kind = sheets[0]
    assert by_kind.cells["D5"].formula == 'IF(OR(B5="",C5=""),"",C5-B5)'
    by_sector = sheets[1]
    total_row = by_sector.last_row
    assert by_sector.cells["D5"].formula == f'IF(N(C${total_row})=0,"",C5/C${total_row}*100)'


def test_xlsx_numbers_are_numbers_with_grouping_formats(written):
    sheets, formats = table_sheets(written)
    for sheet, table in zip(sheets, written.report.tables(), strict=True):
        for r, row in enumerate(table.data_rows[:3]):
            if any(getattr(x, "group", False) for x in table.rows[: r + 1]):
                break
            for i, column in enumerate(table.columns):
                kind = row.kind(column, i)
                if kind == "text" or dec(row.cells[i]) is None:
                    continue
                cell = sheet.row(5 + r)[i]
                assert cell.value is not None and re.fullmatch(r"-?\d+(\.\d+)?", cell.value), (
                    sheet.name,
                    cell.ref,
                )
                expected = "#,##0" if kind == "int" else "#,##0.00"
                assert formats[cell.style] == expected, (sheet.name, cell.ref)
