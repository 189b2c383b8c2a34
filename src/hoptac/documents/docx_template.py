"""The default Word template of the annual report, built with python-docx.

`hoptac report template --out PATH` (scripts/report-template.sh) writes it to
templates/documents/annual_report.docx, where it is committed. A province may replace it with its own
(setting HOPTAC_REPORT_TEMPLATE): docs/reports.md lists the variables; this file shows how each one
is laid out.

The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I): A4 portrait; margins top and bottom 20 mm,
left 30 mm, right 15 mm; Times New Roman, black; the issuing body (13 pt, capitals, bold, a short rule
under it) and the number and symbol (13 pt) on the left; the national title (12.5 pt, capitals,
bold), the motto (13.5 pt, bold, underlined over its length) and the place and date (14 pt, italic)
on the right; the kind of document and its subject (14 pt, bold, centred, a short rule under them);
the body (14 pt, justified, first line indented 1.27 cm, 6 pt between paragraphs, line spacing 1.15);
"Nơi nhận" (12 pt, bold italic) and its list (11 pt); the signature block (14 pt, capitals, bold),
with room for the signature and the seal, and the signer's name (bold); page numbers centred in the
top margin (13 pt), none on the first page.

The fixed words (national title, motto, kind of document, "Nơi nhận") are written in Vietnamese, as an
official document has them; everything computed is a docxtpl variable.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15
DEFAULT_PATH = Path(__file__).resolve().parent / "templates" / "documents" / "annual_report.docx"


def set_fonts(element, name: str = FONT) -> None:
    """Name the font for every script on a run or style's rPr (Word picks by script: ascii, hAnsi, cs)."""
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), name)


def _lang(element, code: str = "vi-VN") -> None:
    rpr = element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), code)
    lang.set(qn("w:bidi"), "ar-SA")
    rpr.append(lang)


def _border(paragraph, side: str = "bottom", size: int = 6) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), "000000")
    borders.append(edge)
    ppr.append(borders)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        edge = OxmlElement(f"w:{side}")
        edge.set(qn("w:val"), "nil")
        borders.append(edge)
    tbl_pr.append(borders)


def _keep_whole(table) -> None:
    """Rows that never split across pages (the heading block, the recipients and signature)."""
    for row in table.rows:
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(round(width / 25.4 * 1440)))


def _style(doc, name: str, *, size: float = 14, bold=False, italic=False, align=None, indent=None,
           before: float = 0, after: float = 6, spacing: float = 1.15, keep_next: bool = False):  # fmt: skip
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    style.font.name = FONT
    set_fonts(style.element)
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    fmt = style.paragraph_format
    if align is not None:
        fmt.alignment = align
    if indent is not None:
        fmt.first_line_indent = Cm(indent)
    fmt.space_before = Pt(before)
    fmt.space_after = Pt(after)
    fmt.line_spacing = spacing
    fmt.keep_with_next = keep_next
    return style


def _para(container, text: str = "", style: str | None = None, *, bold=None, italic=None, size=None,
          align=None, underline=None, after=None, before=None):  # fmt: skip
    p = container.add_paragraph(style=style)
    if align is not None:
        p.alignment = align
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    if before is not None:
        p.paragraph_format.space_before = Pt(before)
    if text:
        run = p.add_run(text)
        set_fonts(run._r)
        if bold is not None:
            run.bold = bold
        if italic is not None:
            run.italic = italic
        if size is not None:
            run.font.size = Pt(size)
        if underline is not None:
            run.underline = underline
    return p


def _rule(container, width_mm: float, cell_mm: float) -> None:
    """A short centred rule: an empty paragraph with a bottom border, narrowed by its indents."""
    p = container.add_paragraph()
    indent = max((cell_mm - width_mm) / 2, 0)
    p.paragraph_format.left_indent = Mm(indent)
    p.paragraph_format.right_indent = Mm(indent)
    p.paragraph_format.space_after = Pt(4)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    p.paragraph_format.line_spacing = Pt(3)
    _border(p)


def _theme_fonts(doc) -> None:
    """Times New Roman as the theme's heading and body fonts (the theme part is plain XML)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    for rel in doc.part.rels.values():
        if rel.reltype == RT.THEME:
            part = rel.target_part
            part._blob = re.sub(rb'(<a:latin typeface=")[^"]*(")', rb"\g<1>Times New Roman\g<2>", part.blob)


def _page_number(paragraph) -> None:
    run = paragraph.add_run()
    set_fonts(run._r)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


def build(path: Path = DEFAULT_PATH) -> Path:
    """Write the default template to `path` (byte-identical from one run to the next)."""
    with translation.override("vi"):
        data = _build()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _build() -> bytes:
    doc = Document()
    # Page: A4 portrait, margins of Nghị định 30/2020/NĐ-CP.
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance, section.footer_distance = Mm(10), Mm(10)
    section.different_first_page_header_footer = True

    # Times New Roman everywhere: the document defaults and the Normal style, every script.
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr_default.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr_default.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
        if fonts.get(qn(attr)) is not None:
            del fonts.attrib[qn(attr)]
    # No style may fall back on the theme's fonts (Calibri, Cambria): Times New Roman for every one,
    # and in the theme itself, for a style a user adds later.
    for style in doc.styles:
        rpr = style.element.rPr
        theme_fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
        if theme_fonts is not None:
            for attr in list(theme_fonts.attrib):
                if attr.endswith("Theme"):
                    del theme_fonts.attrib[attr]
            set_fonts(style.element)
    _theme_fonts(doc)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    set_fonts(normal.element)
    _lang(normal.element)
    normal.paragraph_format.space_after = Pt(0)
    for name in ("Header", "Footer", "Table Grid"):
        if name in [s.name for s in doc.styles]:
            style = doc.styles[name]
            style.font.name = FONT
            set_fonts(style.element)

    justify, center = WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.CENTER
    _style(doc, "Report Body", align=justify, indent=1.27)
    _style(doc, "Report Heading 1", bold=True, align=justify, indent=1.27, before=6, keep_next=True)
    _style(doc, "Report Heading 2", bold=True, align=justify, indent=1.27, before=4, keep_next=True)
    _style(doc, "Report Subheading", bold=True, italic=True, align=justify, indent=1.27, keep_next=True)
    _style(doc, "Report Bullet", align=justify, indent=1.27)
    _style(doc, "Report Note", size=12, italic=True, align=justify, indent=1.27)
    _style(
        doc,
        "Report Caption",
        size=13,
        bold=True,
        align=center,
        before=6,
        after=2,
        spacing=1.0,
        keep_next=True,
    )
    _style(
        doc,
        "Report Unit",
        size=12,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
        after=2,
        spacing=1.0,
        keep_next=True,
    )
    _style(doc, "Report Figure", align=center, after=0, spacing=1.0, keep_next=True)
    _style(doc, "Report Figure Caption", size=12, italic=True, align=center, after=8, spacing=1.0)
    _style(doc, "Report Data Note", size=10, italic=True, before=12, after=0, spacing=1.0)

    # Page numbers: centred in the top margin from the second page (none on the first).
    header = section.header.paragraphs[0]
    header.alignment = center
    header.style = doc.styles["Header"]
    _page_number(header)
    for run in header.runs:
        run.font.size = Pt(13)
    section.first_page_header.paragraphs[0].text = ""

    body = doc.paragraphs[0]._p if doc.paragraphs else None
    if body is not None:
        body.getparent().remove(body)

    # The heading block: issuing body and number on the left, national title, motto, date on the right.
    left_mm, right_mm = 63, TEXT_WIDTH_MM - 63
    head = doc.add_table(rows=1, cols=2)
    _no_borders(head)
    _widths(head, [left_mm, right_mm])
    _keep_whole(head)
    left, right = head.rows[0].cells
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    _para(left, "{%p for line in issuer_lines %}", bold=True, size=13, align=center)
    _para(left, "{{ line }}", bold=True, size=13, align=center)
    _para(left, "{%p endfor %}", bold=True, size=13, align=center)
    _rule(left, 22, left_mm)
    _para(left, _("No.:") + " {{ number }}/{{ symbol }}", size=13, align=center)
    _para(right, _("SOCIALIST REPUBLIC OF VIETNAM"), bold=True, size=12.5, align=center)
    _para(right, _("Independence - Freedom - Happiness"), bold=True, size=13.5, align=center, underline=True)
    _para(right, "{{ place_date }}", italic=True, size=14, align=center, before=8)

    # Kind and subject, a short rule under them.
    _para(doc, _("REPORT"), bold=True, size=14, align=center, before=18, after=0)
    _para(doc, "{{ subject }}", bold=True, size=14, align=center, after=0)
    _rule(doc, 45, TEXT_WIDTH_MM)

    _para(doc, "{%p for text in intro %}", "Report Body")
    _para(doc, "{{ text }}", "Report Body")
    _para(doc, "{%p endfor %}", "Report Body")

    body_tags = [
        ("{%p for b in body %}", "Report Body"),
        ('{%p if b.kind == "heading1" %}', "Report Body"),
        ("{{ b.text }}", "Report Heading 1"),
        ('{%p elif b.kind == "heading2" %}', "Report Body"),
        ("{{ b.text }}", "Report Heading 2"),
        ('{%p elif b.kind == "subheading" %}', "Report Body"),
        ("{{ b.text }}", "Report Subheading"),
        ('{%p elif b.kind == "bullet" %}', "Report Body"),
        ("- {{ b.text }}", "Report Bullet"),
        ('{%p elif b.kind == "note" %}', "Report Body"),
        ("{{ b.text }}", "Report Note"),
        ('{%p elif b.kind == "table" %}', "Report Body"),
        ("{{ b.caption }}", "Report Caption"),
        ("{%p if b.unit_note %}", "Report Body"),
        ("{{ b.unit_note }}", "Report Unit"),
        ("{%p endif %}", "Report Body"),
        ("{{p b.table }}", "Report Body"),
        ('{%p elif b.kind == "chart" %}', "Report Body"),
        ("{{ b.image }}", "Report Figure"),
        ("{{ b.caption }}", "Report Figure Caption"),
        ("{%p else %}", "Report Body"),
        ("{{ b.text }}", "Report Body"),
        ("{%p endif %}", "Report Body"),
        ("{%p endfor %}", "Report Body"),
    ]
    for text, style in body_tags:
        _para(doc, text, style)
    closing = _para(doc, "{{ closing }}", "Report Body", before=6)
    closing.paragraph_format.keep_with_next = True  # never a signature alone on its page

    # Recipients and signature.
    sign = doc.add_table(rows=1, cols=2)
    _no_borders(sign)
    _widths(sign, [TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2])
    _keep_whole(sign)
    left, right = sign.rows[0].cells
    left.paragraphs[0]._p.getparent().remove(left.paragraphs[0]._p)
    right.paragraphs[0]._p.getparent().remove(right.paragraphs[0]._p)
    _para(left, _("Recipients:"), bold=True, italic=True, size=12)
    _para(left, "{%p for r in recipients %}", size=11)
    _para(left, "- {{ r }}{% if loop.last %}.{% else %};{% endif %}", size=11)
    _para(left, "{%p endfor %}", size=11)
    _para(right, "{%p for line in signature %}", bold=True, size=14, align=center)
    _para(right, "{{ line }}", bold=True, size=14, align=center)
    _para(right, "{%p endfor %}", bold=True, size=14, align=center)
    for _i in range(5):
        _para(right, "", size=14, align=center)
    _para(right, "{{ signer_name }}", bold=True, size=14, align=center)

    _para(doc, "{{ data_note }}", "Report Data Note")

    doc.core_properties.title = "{{ document_title }}"
    doc.core_properties.author = "hoptac"
    doc.core_properties.language = "vi-VN"
    out = io.BytesIO()
    doc.save(out)
    return _stable_zip(out.getvalue())


def _stable_zip(data: bytes) -> bytes:
    """The same bytes for the same content: fixed dates on every member of the archive."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=(2020, 3, 5, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            content = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _fixed_core_dates(content)
            target.writestr(info, content)
    return out.getvalue()


def _fixed_core_dates(xml: bytes) -> bytes:
    return re.sub(
        rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2020-03-05T00:00:00Z\g<2>", xml
    )
