"""Reading a user's file into sheets of cells: .xlsx, .xlsb, .xls, .ods (python-calamine) and .csv.

The format is decided by the content, never by the name: an .xlsx renamed .xls reads, and a PDF
renamed .xlsx is refused with one clear message. Every problem with the file as a whole raises
`ImportFileError` (its message translated); problems of single cells are for the callers.

Rows keep their place: `sheet.rows[i]` is row i+1 of the user's sheet, whatever blank rows precede
the table, so that every message can name the row the user sees.

Formulas: calamine gives each formula cell's cached value, which a file written by a program (or
never recalculated) may not hold. The import refuses formulas in data cells, so the positions of
formula cells are read from the sheet's XML for .xlsx and .ods (.xls files give their cached
values); text that starts with "=" is refused by the value parsers.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file cannot be imported at all (empty, too big, not a spreadsheet, no header …)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class LiteralText(str):
    """Text the file marks as text (a CSV cell written '=…): never a formula."""


@dataclass
class Sheet:
    name: str
    rows: list[list[Any]]
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row, column), 0-based
    visible: bool = True

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Workbook:
    format: str  # xlsx, xlsb, xls, ods, csv
    sheets: list[Sheet]


def max_bytes() -> int:
    return settings.HOPTAC_IMPORT_MAX_BYTES


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def check_size(size: int) -> None:
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    limit = max_bytes()
    if size > limit:
        raise ImportFileError(
            _("The file is %(size)s MB; files of up to %(limit)s MB can be imported.")
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.1f}".replace(".", ",") if value < 10 else str(round(value))


def read_file(path: str | Path) -> Workbook:
    """Read a workbook from a path; a missing or unreadable path is an ImportFileError too."""
    path = Path(path)
    try:
        if not path.is_file():
            raise ImportFileError(_("The file %(path)s does not exist.") % {"path": path})
        check_size(path.stat().st_size)
        data = path.read_bytes()
    except OSError as err:
        raise ImportFileError(
            _("The file %(path)s cannot be read: %(error)s") % {"path": path, "error": err.strerror}
        ) from None
    return read_bytes(data)


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff_format(data: bytes) -> str:
    """xlsx, xlsb, ods, xls or csv; raises ImportFileError for anything else."""
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            raise ImportFileError(_("The spreadsheet could not be read: the file is damaged.")) from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "xl/workbook.bin" in names:
            return "xlsb"
        if "content.xml" in names:
            return "ods"
        raise _not_a_spreadsheet()
    if data.startswith(_OLE2):
        return "xls"
    head = data[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _not_a_spreadsheet()
    lowered = head.lstrip().lower()
    if lowered.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"%pdf", b"{\\rtf")):
        raise _not_a_spreadsheet()
    return "csv"


def _not_a_spreadsheet() -> ImportFileError:
    return ImportFileError(
        _("This file is not a spreadsheet: upload an Excel (.xlsx, .xls), OpenDocument (.ods) or CSV file.")
    )


def read_bytes(data: bytes) -> Workbook:
    check_size(len(data))
    fmt = sniff_format(data)
    if fmt == "csv":
        return Workbook("csv", [_read_csv(data)])
    return Workbook(fmt, _read_calamine(data, fmt))


def _read_calamine(data: bytes, fmt: str) -> list[Sheet]:
    from python_calamine import (
        CalamineError,
        CalamineWorkbook,
        PasswordError,
        SheetTypeEnum,
        SheetVisibleEnum,
    )

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for index, meta in enumerate(book.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            rows = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
            sheets.append(Sheet(meta.name, rows, visible=meta.visible == SheetVisibleEnum.Visible))
    except PasswordError:
        raise ImportFileError(
            _("The file is protected by a password: save it without the password and try again.")
        ) from None
    except (CalamineError, ValueError, OSError, RuntimeError, TypeError):
        raise ImportFileError(_("The spreadsheet could not be read: the file is damaged.")) from None
    if not sheets or not any(any(_filled(v) for v in row) for s in sheets for row in s.rows):
        raise ImportFileError(_("The file is empty."))
    try:
        formulas = _xlsx_formulas(data) if fmt == "xlsx" else _ods_formulas(data) if fmt == "ods" else {}
    except (zipfile.BadZipFile, KeyError, ET.ParseError, ValueError):
        formulas = {}
    for sheet in sheets:
        sheet.formulas = formulas.get(sheet.name, set())
    return sheets


def _filled(value: Any) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


# --- formulas ------------------------------------------------------------------------------------

_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_ANY_FORMULA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_FORMULA_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(?<!/)>\s*<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")
_CELL_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')


def _ref_to_index(letters: bytes, digits: bytes) -> tuple[int, int]:
    col = 0
    for ch in letters:
        col = col * 26 + (ch - 64)
    return int(digits) - 1, col - 1


def _xlsx_formulas(data: bytes) -> dict[str, set[tuple[int, int]]]:
    """Sheet name → (row, column) of every cell holding a formula, by a regex over the sheet XML."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    book = ET.fromstring(archive.read("xl/workbook.xml"))
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out: dict[str, set[tuple[int, int]]] = {}
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        target = targets.get(sheet.get(_NS_REL), "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        try:
            xml = archive.read(path)
        except KeyError:
            continue
        # Every formula element holds "<f" or, with a namespace prefix, ":f": two plain searches
        # (a fraction of a second for 100,000 rows) spare the regex's scan of a sheet without any.
        if (b"<f" not in xml and b":f" not in xml) or not _ANY_FORMULA.search(xml):
            continue
        cells = set()
        for match in _FORMULA_CELL.finditer(xml):
            ref = _CELL_REF.search(match.group(1))
            if ref:
                cells.add(_ref_to_index(ref.group(1), ref.group(2)))
        out[sheet.get("name", "")] = cells
    return out


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def _ods_formulas(data: bytes) -> dict[str, set[tuple[int, int]]]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    content = archive.read("content.xml")
    if b"table:formula" not in content:
        return {}
    out: dict[str, set[tuple[int, int]]] = {}
    root = ET.fromstring(content)
    for table in root.iter(f"{_ODS_TABLE}table"):
        cells: set[tuple[int, int]] = set()
        row_index = 0
        for row in table.iter(f"{_ODS_TABLE}table-row"):
            repeat_rows = int(row.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
            col_index = 0
            for cell in row:
                if not cell.tag.endswith(("}table-cell", "}covered-table-cell")):
                    continue
                repeat_cols = int(cell.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                if cell.get(f"{_ODS_TABLE}formula"):
                    for r in range(row_index, row_index + min(repeat_rows, 1000)):
                        for c in range(col_index, col_index + min(repeat_cols, 1000)):
                            cells.add((r, c))
                col_index += repeat_cols
            row_index += repeat_rows
        out[table.get(f"{_ODS_TABLE}name", "")] = cells
    return out


# --- CSV -----------------------------------------------------------------------------------------

_ENCODINGS = ("utf-8-sig", "cp1258")
_DELIMITERS = (",", ";", "\t")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 with its mark, else Windows-1258."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _not_a_spreadsheet() from None
    for encoding in _ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Windows-1258 writes Vietnamese with combining accents: compose them as every other source does.
        return unicodedata.normalize("NFC", text)
    raise ImportFileError(
        _("The text of this CSV file is in an unknown encoding: save it as “CSV UTF-8” and try again.")
    )


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same number (> 1) of fields most often."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    best, best_rank = ",", (0.0, 0)
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        multi = [n for n in counts if n > 1]
        if not multi:
            continue
        mode = max(set(multi), key=multi.count)
        rank = (multi.count(mode) / len(counts), mode)
        if rank > best_rank:
            best, best_rank = delimiter, rank
    return best


def _read_csv(data: bytes) -> Sheet:
    text = decode_text(data)
    if not text.strip():
        raise ImportFileError(_("The file is empty."))
    delimiter = sniff_delimiter(text)
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append([_csv_cell(v) for v in row])
    except csv.Error:
        raise _not_a_spreadsheet() from None
    return Sheet("CSV", rows)


def _csv_cell(value: str) -> Any:
    # The registry export writes '=… so that spreadsheets show text that looks like a formula as text.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return LiteralText(value[1:])
    return value
