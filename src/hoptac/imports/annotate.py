"""The annotated copy: the user's own file back, every error cell in red with its message as a comment.

Every sheet and every cell of the file is copied (values, not formatting), so that the user corrects
the copy and uploads it again. A last sheet lists the errors: row, column, header, value, message.
Excel forbids "/" in sheet names, hence "Lỗi - Errors".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import xlsxwriter
from django.utils.translation import gettext as _

from .reader import Workbook

ERRORS_SHEET = "Lỗi - Errors"
_INVALID = str.maketrans({c: "-" for c in "[]:*?/\\"})


def _sheet_name(name: str, used: set[str]) -> str:
    base = (name.translate(_INVALID).strip() or "Sheet")[:31]
    candidate, n = base, 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    used.add(candidate.lower())
    return candidate


def write_annotated(
    target: str | Path | IO[bytes],
    workbook: Workbook,
    *,
    sheet_name: str,
    issues: Sequence[Any],
) -> None:
    """Write the copy to `target` (a path or a binary file object).

    `issues` are ImportIssue-like objects with `row` (1-based), `col_index` (0-based or None for the
    whole row), `column`, `header`, `value` and `message`; they mark the sheet called `sheet_name`.
    """
    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    error_fmt = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    date_error_fmt = book.add_format(
        {"num_format": "dd/mm/yyyy", "bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1}
    )
    by_cell: dict[tuple[int, int], list[str]] = defaultdict(list)
    for issue in issues:
        if issue.row is None:
            continue
        by_cell[(issue.row - 1, issue.col_index if issue.col_index is not None else 0)].append(issue.message)
    used: set[str] = {ERRORS_SHEET.lower()}
    for sheet in workbook.sheets:
        marks = by_cell if sheet.name == sheet_name else {}
        ws = book.add_worksheet(_sheet_name(sheet.name, used))
        if not sheet.visible:
            ws.hide()
        for r, row in enumerate(sheet.rows):
            for c, value in enumerate(row):
                messages = marks.get((r, c)) if marks else None
                _write(
                    ws, r, c, value, error_fmt if messages else None, date_error_fmt if messages else date_fmt
                )
                if messages:
                    ws.write_comment(r, c, "\n".join(messages), {"x_scale": 2.5, "y_scale": 1.5})
        if marks:
            # Row-level errors may point past the last cell of a short row: mark its first cell.
            for (r, c), messages in marks.items():
                if r >= len(sheet.rows) or c >= len(sheet.rows[r]):
                    ws.write_comment(r, c, "\n".join(messages), {"x_scale": 2.5, "y_scale": 1.5})
    _write_errors_sheet(book, issues)
    book.close()


def _write(ws, r: int, c: int, value: Any, fmt, date_fmt) -> None:
    if value is None or value == "":
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, int | float):
        ws.write_number(r, c, value, fmt)
    elif isinstance(value, datetime.datetime | datetime.date):
        if not isinstance(value, datetime.datetime):
            value = datetime.datetime.combine(value, datetime.time())
        ws.write_datetime(r, c, value, date_fmt)
    else:
        ws.write_string(r, c, str(value), fmt)


def _write_errors_sheet(book, issues: Sequence[Any]) -> None:
    ws = book.add_worksheet(ERRORS_SHEET)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    headers = [_("Row"), _("Column"), _("Header"), _("Value"), _("Message")]
    for c, (header, width) in enumerate(zip(headers, (8, 8, 28, 28, 90), strict=True)):
        ws.set_column(c, c, width)
        ws.write_string(0, c, header, bold)
    for r, issue in enumerate(issues, start=1):
        if issue.row is not None:
            ws.write_number(r, 0, issue.row)
        ws.write_string(r, 1, issue.column or "")
        ws.write_string(r, 2, issue.header or "")
        ws.write_string(r, 3, issue.value or "")
        ws.write_string(r, 4, issue.message)
    ws.freeze_panes(1, 0)
