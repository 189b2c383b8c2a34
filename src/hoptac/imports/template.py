"""The import templates, and the returns export that shares the returns template's shape.

Registry: the registry export's columns (`hoptac.registry.exports.COLUMNS`), so that a file exported
from the list, or a filled-in template, imports back as it is. Yearly returns: the columns of
`returns.SHEET_COLUMNS` (the organisation, then one column per figure), prefilled with the
organisations of the user's area; the export of a year's returns is the same workbook with the
figures filled in, so that export then import changes nothing.

Layout: a title on row 1, the headers on row 2 (in Vietnamese), a notes row under them (what each
column holds, its unit), data from row 4. Coded columns offer dropdowns of the values the import
reads (kind, sector, sub-sector, law, supporter, union member, status; yes/no; the classes); dates
are formatted dd/mm/yyyy; counts and amounts accept numbers of zero or more.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import translation
from django.utils.translation import gettext as _

from hoptac.registry.exports import is_risky, neutralise
from hoptac.registry.models import Kind, Law, Sector, Status, Supporter
from hoptac.returns.fields import CLASSIFICATION_VI, YES_NO_VI, Type

from .columns import EXPORT_KEYS, REGISTRY_FIELDS
from .returns import SHEET_COLUMNS

DATA_ROWS = 5000
FIRST_DATA_ROW = 3  # 0-based: title, headers, notes


class TemplateBook:
    """One sheet with a title, headers, notes and data rows, and a hidden sheet of dropdown lists."""

    def __init__(self, sheet_name: str):
        self.buffer = io.BytesIO()
        # No guessing of types from strings: text stays text, whatever it starts with.
        self.book = xlsxwriter.Workbook(
            self.buffer,
            {
                "in_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.sheet = self.book.add_worksheet(sheet_name[:31])
        self.lists = self.book.add_worksheet("Lists")
        self.lists.hide()
        fmt = self.book.add_format
        self.title_fmt = fmt({"bold": True, "font_size": 14})
        self.header_fmt = fmt(
            {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
        )
        self.note_fmt = fmt(
            {
                "italic": True,
                "text_wrap": True,
                "valign": "top",
                "font_color": "#595959",
                "bg_color": "#F2F2F2",
            }
        )
        self.date_fmt = fmt({"num_format": "dd/mm/yyyy"})
        self.text_fmt = fmt({"num_format": "@"})
        self.risky_fmt = fmt({"num_format": "@", "quote_prefix": True})
        self.number_fmts: dict[str, Any] = {}
        self.ranges: dict[str, str] = {}

    def number_fmt(self, pattern: str):
        if pattern not in self.number_fmts:
            self.number_fmts[pattern] = self.book.add_format({"num_format": pattern})
        return self.number_fmts[pattern]

    def add_list(self, key: str, values: Sequence[str]) -> None:
        col = len(self.ranges)
        self.lists.write_string(0, col, key)
        for row, value in enumerate(values, start=1):
            self.lists.write_string(row, col, value)
        letter = xlsxwriter.utility.xl_col_to_name(col)
        self.ranges[key] = f"=Lists!${letter}$2:${letter}${len(values) + 1}"

    def head(self, title: str, columns: Sequence[tuple[str, str, int, Any]]) -> None:
        """The title, and per column (header, note, width, cell format) the header and the note."""
        self.sheet.merge_range(0, 0, 0, len(columns) - 1, title, self.title_fmt)
        self.sheet.set_row(0, 22)
        for col, (header, note, width, fmt) in enumerate(columns):
            self.sheet.set_column(col, col, width, fmt)
            self.sheet.write_string(1, col, header, self.header_fmt)
            self.sheet.write_string(2, col, note, self.note_fmt)
        self.sheet.set_row(1, 45)
        self.sheet.set_row(2, 60)

    def validate(self, col: int, header: str, options: dict[str, Any], *, last: int) -> None:
        self.sheet.data_validation(FIRST_DATA_ROW, col, last, col, {"error_title": header[:32], **options})

    def validate_list(self, col: int, header: str, key: str, *, last: int) -> None:
        self.validate(
            col,
            header,
            {
                "validate": "list",
                "source": self.ranges[key],
                "error_type": "warning",
                "error_message": _("Choose a value from the list.")[:255],
            },
            last=last,
        )

    def close(self, *, freeze_columns: int = 2) -> bytes:
        self.sheet.freeze_panes(FIRST_DATA_ROW, freeze_columns)
        self.book.close()
        return self.buffer.getvalue()


# --- the registry ---------------------------------------------------------------------------------


def registry_template(*, language: str = "vi") -> bytes:
    """The registry template as .xlsx bytes, its words in `language` (Vietnamese by default)."""
    from hoptac.registry.exports import COLUMNS

    with translation.override(language):
        t = TemplateBook(_("Organisations"))
        for key, values in _choice_lists().items():
            t.add_list(key, values)
        fmts = {"date": t.date_fmt, "number": t.number_fmt("#,##0.0")}
        head = []
        for column in COLUMNS:
            field = EXPORT_KEYS.get(column.key)
            spec = REGISTRY_FIELDS.spec(field) if field else None
            note = str(spec.note) if spec and spec.note else ""
            head.append((str(column.header), note, column.width, fmts.get(column.kind, t.text_fmt)))
        t.head(_("Collective economic organisations: registry import template"), head)
        last = FIRST_DATA_ROW + DATA_ROWS - 1
        for col, column in enumerate(COLUMNS):
            field = EXPORT_KEYS.get(column.key)
            header = str(column.header)
            if field in t.ranges:
                t.validate_list(col, header, field, last=last)
            elif column.kind == "date":
                t.validate(
                    col,
                    header,
                    {
                        "validate": "date",
                        "criteria": "between",
                        "minimum": datetime.date(1950, 1, 1),
                        "maximum": datetime.date(2100, 12, 31),
                        "error_message": _("Type a date as dd/mm/yyyy.")[:255],
                    },
                    last=last,
                )
            elif column.kind == "number":
                t.validate(
                    col,
                    header,
                    {
                        "validate": "decimal",
                        "criteria": ">=",
                        "value": 0,
                        "error_message": _("Type a number of zero or more.")[:255],
                    },
                    last=last,
                )
        return t.close()


def _choice_lists() -> dict[str, list[str]]:
    """Field key → the words its dropdown offers, in the active language, as the export writes them."""
    top = list(Sector.objects.filter(parent__isnull=True).order_by("order", "code"))
    subs = list(Sector.objects.filter(parent__isnull=False).order_by("parent__order", "order", "code"))
    return {
        "kind": [str(label) for _value, label in Kind.choices],
        "sector": [s.label for s in top],
        "subsector": [s.label for s in subs],
        "law": [str(label) for _value, label in Law.choices],
        "supporter": [str(label) for value, label in Supporter.choices if value],
        "union_member": [_("Yes"), _("No")],
        "status": [str(label) for _value, label in Status.choices],
    }


# --- yearly returns -------------------------------------------------------------------------------

_RETURN_FORMATS = {Type.INTEGER: "#,##0", Type.DECIMAL: "#,##0.0##"}


def returns_workbook(rows: Iterable[Sequence[Any]], *, year: int, title: str, language: str = "vi") -> bytes:
    """The returns sheet for `year` as .xlsx bytes: the template's shape, with `rows` (returns.sheet_rows)."""
    with translation.override(language):
        t = TemplateBook(_("Returns %(year)s") % {"year": year})
        t.add_list("yes_no", list(YES_NO_VI.values()))
        t.add_list("classification", list(CLASSIFICATION_VI.values()))
        head = []
        for column in SHEET_COLUMNS:
            pattern = _RETURN_FORMATS.get(column.kind)
            fmt = t.number_fmt(pattern) if pattern else t.text_fmt
            head.append((column.header, column.note, column.width, fmt))
        t.head(title, head)
        count = 0
        for r, row in enumerate(rows, start=FIRST_DATA_ROW):
            count += 1
            for col, value in enumerate(row):
                _write_cell(t, r, col, value)
        last = FIRST_DATA_ROW + max(count + 500, DATA_ROWS) - 1
        for col, column in enumerate(SHEET_COLUMNS):
            spec = column.figure
            if spec is None:
                continue
            if spec.type == Type.BOOLEAN:
                t.validate_list(col, column.header, "yes_no", last=last)
            elif spec.type == Type.CHOICE:
                t.validate_list(col, column.header, "classification", last=last)
            elif spec.is_number and not spec.may_be_negative:
                t.validate(
                    col,
                    column.header,
                    {
                        "validate": "integer" if spec.type == Type.INTEGER else "decimal",
                        "criteria": ">=",
                        "value": 0,
                        "error_type": "warning",
                        "error_message": (
                            _("Type a whole number of zero or more.")
                            if spec.type == Type.INTEGER
                            else _("Type a number of zero or more.")
                        )[:255],
                    },
                    last=last,
                )
        return t.close()


def _write_cell(t: TemplateBook, r: int, c: int, value: Any) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        t.sheet.write_string(r, c, YES_NO_VI[value])
    elif isinstance(value, int | Decimal | float):
        t.sheet.write_number(r, c, float(value))
    else:
        text = str(value)
        t.sheet.write_string(r, c, text, t.risky_fmt if is_risky(text) else None)


def returns_template(user, *, year: int, unit=None) -> bytes:
    """The returns template of `year`, prefilled with the organisations of `user`'s area (under `unit`)
    that existed during the year: their code, name, kind, commune and province, the figures blank."""
    from hoptac.returns.queries import round_queryset

    from .returns import sheet_rows

    orgs = round_queryset(user, year, unit=unit)
    with translation.override("vi"):
        title = _("Yearly returns %(year)s of collective economic organisations: import template") % {
            "year": year
        }
    return returns_workbook(sheet_rows(orgs, year=year, figures=False), year=year, title=title)


def returns_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """The returns sheet as CSV (UTF-8 with a byte-order mark): the headers, then the rows, every text
    that a spreadsheet would take for a formula written '=… (as the registry's CSV export does)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.header for c in SHEET_COLUMNS])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _csv_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return YES_NO_VI[value]
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))
