"""Reading the report's files back: the PDF's text (pypdf), the DOCX (python-docx), the XLSX (its XML)."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from lxml import etree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return unicodedata.normalize("NFC", "\n".join(page.extract_text() or "" for page in reader.pages))


TOP_MARGIN = 20 / 25.4 * 72  # 20 mm in points


def _page_texts(page) -> tuple[str, str]:
    """(text in the top margin, text of the page's body) of one page."""
    height = float(page.mediabox.height)
    margin, body = [], []

    def visit(text, cm, tm, _font, _size):
        if not text.strip():
            return
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        (margin if y > height - TOP_MARGIN else body).append(text)

    page.extract_text(visitor_text=visit)
    return "".join(margin), "".join(body)


def pdf_margin_texts(data: bytes) -> list[str]:
    """What each page prints in its top margin (the page number)."""
    return [_page_texts(page)[0].strip() for page in pdf_pages(data)]


def pdf_body_text(data: bytes) -> str:
    """The pages' text without their top margins, all white space removed (lines wrap anywhere)."""
    text = "".join(_page_texts(page)[1] for page in pdf_pages(data))
    return "".join(unicodedata.normalize("NFC", text).split())


def pdf_pages(data: bytes):
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).pages


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return unicodedata.normalize("NFC", "\n".join(parts))


@dataclass
class Cell:
    ref: str
    value: str | None
    formula: str | None
    style: int


@dataclass
class Sheet:
    name: str
    cells: dict[str, Cell]

    def row(self, number: int) -> list[Cell]:
        found = [c for ref, c in self.cells.items() if int(re.sub(r"[A-Z]+", "", ref)) == number]
        return sorted(found, key=lambda c: (len(c.ref), c.ref))

    @property
    def last_row(self) -> int:
        return max(int(re.sub(r"[A-Z]+", "", ref)) for ref in self.cells)


def xlsx_sheets(data: bytes) -> tuple[list[Sheet], dict[int, str]]:
    """The sheets with their cells (value, formula, style index), and the number format of each style."""
    z = zipfile.ZipFile(io.BytesIO(data))
    strings = []
    if "xl/sharedStrings.xml" in z.namelist():
        root = etree.fromstring(z.read("xl/sharedStrings.xml"))
        strings = ["".join(si.itertext()) for si in root.findall("m:si", NS)]
    workbook = etree.fromstring(z.read("xl/workbook.xml"))
    rels = etree.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sheets = []
    for s in workbook.find("m:sheets", NS):
        root = etree.fromstring(z.read("xl/" + targets[s.get(REL)]))
        cells = {}
        for c in root.iter(f"{{{NS['m']}}}c"):
            v = c.find("m:v", NS)
            f = c.find("m:f", NS)
            value = v.text if v is not None else None
            if c.get("t") == "s" and value is not None:
                value = strings[int(value)]
            cells[c.get("r")] = Cell(c.get("r"), value, f.text if f is not None else None, int(c.get("s", 0)))
        sheets.append(Sheet(s.get("name"), cells))
    styles = etree.fromstring(z.read("xl/styles.xml"))
    custom = {int(n.get("numFmtId")): n.get("formatCode") for n in styles.iter(f"{{{NS['m']}}}numFmt")}
    formats = {}
    xfs = styles.find("m:cellXfs", NS)
    for i, xf in enumerate(xfs):
        formats[i] = custom.get(int(xf.get("numFmtId", 0)), xf.get("numFmtId"))
    return sheets, formats
