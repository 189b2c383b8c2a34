"""The report as a Word document: the docxtpl template filled with the report's blocks.

The template is `settings.HOPTAC_REPORT_TEMPLATE` when a province has its own, else the default
(templates/documents/annual_report.docx, built by docx_template.py); docs/reports.md lists the
variables. Tables are built here with python-docx (borders, widths, a header row repeated on every
page, Times New Roman named on every run) and inserted whole with `{{p b.table }}`; charts are PNG
images (`{{ b.image }}`). The template is rendered in Jinja's sandbox with escaping on, so that a
name with "&" or "<" cannot break the document's XML.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from .content import SYMBOL, Report
from .docx_template import DEFAULT_PATH, FONT, TEXT_WIDTH_MM
from .layout import Block, TableView, blocks

CHART_WIDTH_MM = 150
KEEP_TOGETHER_ROWS = 14  # as the PDF (render_pdf)


def template_path() -> Path:
    custom = getattr(settings, "HOPTAC_REPORT_TEMPLATE", "")
    return Path(custom) if custom else DEFAULT_PATH


def render(
    report: Report, report_blocks: list[Block] | None = None, *, template: Path | None = None
) -> bytes:
    tpl = DocxTemplate(str(template or template_path()))
    items = report_blocks if report_blocks is not None else blocks(report)
    body: list[dict[str, Any]] = []
    for b in items:
        if b.kind == "table" and b.table is not None:
            body.append(
                {
                    "kind": "table",
                    "caption": b.caption,
                    "unit_note": b.table.unit_note,
                    "table": Markup(table_xml(b.table)),
                    "text": "",
                }
            )
        elif b.kind == "chart":
            body.append(
                {
                    "kind": "chart",
                    "caption": b.caption,
                    "image": InlineImage(tpl, io.BytesIO(b.png), width=Mm(CHART_WIDTH_MM)),
                    "text": "",
                }
            )
        else:
            body.append({"kind": b.kind, "text": b.text})
    tpl.render(context(report, body), SandboxedEnvironment(autoescape=True), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


# The variables a template may use (docs/reports.md explains each, with the blocks of `body`).
TEMPLATE_VARIABLES = {
    "document_title": "the kind and subject together, for the file's properties",
    "issuer": "the issuing body on one line: ỦY BAN NHÂN DÂN TỈNH LAI CHÂU",
    "issuer_lines": "the issuing body as printed, line by line: [ỦY BAN NHÂN DÂN, TỈNH LAI CHÂU]",
    "number": "the document's number, or blank space for a draft",
    "symbol": "the symbol after the number: BC-UBND",
    "number_line": "Số: …/BC-UBND, whole",
    "place_date": "Lai Châu, ngày 05 tháng 01 năm 2025",
    "kind": "BÁO CÁO",
    "subject": "Tình hình phát triển kinh tế tập thể năm 2024",
    "intro": "the opening paragraphs (a list of texts)",
    "body": "the report's blocks in reading order (headings, paragraphs, tables, charts)",
    "closing": "the closing sentence (Trên đây là báo cáo …/.)",
    "recipients": "the recipients (Nơi nhận), a list of texts",
    "signature": "the signature block's lines: TM. …, KT. …, the signer's title",
    "signer_name": "the signer's name, or blank",
    "data_note": "the data snapshot and its cut-off",
    "unit": "the area: name, key, level, division_type, province",
    "year": "the year reported on",
}


def context(report: Report, body: list[dict[str, Any]]) -> dict[str, Any]:
    """The template's variables (TEMPLATE_VARIABLES; docs/reports.md)."""
    return {
        "document_title": f"{report.kind} {report.subject}",
        "issuer": report.issuer,
        "issuer_lines": report.issuer_lines,
        "number": report.number or "\u2003\u2003\u2003",
        "symbol": SYMBOL,
        "number_line": report.number_line,
        "place_date": report.place_date,
        "kind": report.kind,
        "subject": report.subject,
        "intro": report.intro,
        "body": body,
        "closing": report.closing,
        "recipients": report.recipients,
        "signature": report.signature,
        "signer_name": report.signer_name,
        "data_note": report.data_note,
        "unit": report.unit,
        "year": report.year,
    }


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FONTS = f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}" w:eastAsia="{FONT}"/>'
# Characters XML 1.0 refuses (a control character pasted into a name must not break the document).
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_JC = {"left": "left", "center": "center", "right": "right"}


def _text(value: str) -> str:
    return escape(_INVALID_XML.sub("", value))


def _cell(
    text: str,
    width: int,
    *,
    align: str = "left",
    bold: bool = False,
    italic: bool = False,
    span: int = 1,
    keep_next: bool = False,
) -> str:
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    props += '<w:vAlign w:val="center"/>'
    run_props = FONTS + ("<w:b/><w:bCs/>" if bold else "") + ("<w:i/><w:iCs/>" if italic else "")
    run_props += '<w:sz w:val="24"/><w:szCs w:val="24"/>'
    # The children of w:pPr in the order the schema requires (Word refuses another order).
    paragraph_props = ("<w:keepNext/>" if keep_next else "") + (
        '<w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>'
        f'<w:ind w:left="0" w:right="0" w:firstLine="0"/><w:jc w:val="{_JC.get(align, "left")}"/>'
    )
    paragraph = (
        f"<w:p><w:pPr>{paragraph_props}</w:pPr>"
        f'<w:r><w:rPr>{run_props}</w:rPr><w:t xml:space="preserve">{_text(text)}</w:t></w:r></w:p>'
    )
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraph}</w:tc>"


def table_xml(view: TableView) -> str:
    """A bordered table of the full text width as WordprocessingML, for `{{p b.table }}`.

    Written as XML directly (python-docx's object model costs a second for the report's tables):
    fixed column widths, a header row repeated on every page, rows that do not split across pages,
    Times New Roman named on every run, 12 pt.
    """
    total = round(TEXT_WIDTH_MM / 25.4 * 1440)
    widths = [round(total * w) for w in view.widths]
    border = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(border.format(side=s) for s in ("top", "left", "bottom", "right", "insideH", "insideV"))
    parts = [
        f'<w:tbl xmlns:w="{W}"><w:tblPr><w:tblW w:w="{total}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid>",
        "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>",
        *(
            _cell(label, w, align="center", bold=True, keep_next=True)
            for label, w in zip(view.header, widths, strict=True)
        ),
        "</w:tr>",
    ]
    # A short table is kept on one page: every row keeps with the next (Word's way), but the last.
    whole = len(view.rows) <= KEEP_TOGETHER_ROWS
    for i, row in enumerate(view.rows):
        keep = whole and i < len(view.rows) - 1
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        if row["group"]:
            parts.append(
                _cell(row["cells"][0], total, bold=True, italic=True, span=len(widths), keep_next=keep)
            )
        else:
            parts += [
                _cell(text, w, align=align, bold=row["total"], keep_next=keep)
                for text, align, w in zip(row["cells"], view.align, widths, strict=True)
            ]
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    return "".join(parts)
