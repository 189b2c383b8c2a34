"""The DOCX: Nghị định 30/2020/NĐ-CP's page, font and elements; tables and charts; a replaceable template."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from .files import docx_text

pytestmark = pytest.mark.django_db

TNR = "Times New Roman"


def document(written):
    return Document(io.BytesIO(written.files["docx"]))


def _fonts_of(rpr) -> list[str]:
    fonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    if fonts is None:
        return []
    return [fonts.get(qn(a)) for a in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia") if fonts.get(qn(a))]


def test_docx_is_in_times_new_roman(written):
    doc = document(written)
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert set(_fonts_of(defaults)) == {TNR}
    assert doc.styles["Normal"].font.name == TNR
    for style in doc.styles:
        rpr = style.element.find(qn("w:rPr"))
        assert set(_fonts_of(rpr)) <= {TNR}, style.name
        theme = rpr.find(qn("w:rFonts")) if rpr is not None else None
        assert theme is None or theme.get(qn("w:asciiTheme")) is None, style.name
    runs = doc.element.body.iter(qn("w:r"))
    named = 0
    for run in runs:
        fonts = _fonts_of(run.find(qn("w:rPr")))
        assert set(fonts) <= {TNR}
        named += bool(fonts)
    assert named > 100  # the tables' runs name it too


def test_docx_body_is_13_to_14_points(written):
    doc = document(written)
    assert doc.styles["Normal"].font.size == Pt(14)
    for name in ("Report Body", "Report Heading 1", "Report Heading 2", "Report Bullet"):
        assert Pt(13) <= doc.styles[name].font.size <= Pt(14), name


def test_docx_page_is_a4_with_the_decrees_margins(written):
    section = document(written).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5) and abs(section.page_height - Mm(297)) < Mm(0.5)
    tolerance = Mm(0.1)  # Word keeps margins in twentieths of a point
    assert Mm(20) - tolerance <= section.top_margin <= Mm(25)
    assert Mm(20) - tolerance <= section.bottom_margin <= Mm(25)
    assert Mm(30) - tolerance <= section.left_margin <= Mm(35)
    assert Mm(15) - tolerance <= section.right_margin <= Mm(20)


def test_docx_numbers_pages_in_the_header_but_not_on_the_first(written):
    section = document(written).sections[0]
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "PAGE" not in section.first_page_header._element.xml


def test_docx_has_the_heading_block_of_an_official_document(written):
    doc = document(written)
    head = doc.tables[0]
    left, right = (unicodedata.normalize("NFC", c.text) for c in head.rows[0].cells)
    assert "ỦY BAN NHÂN DÂN\nTỈNH LAI CHÂU" in left
    assert "Số:" in left and "/BC-UBND" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right
    assert "Lai Châu, ngày" in right
    title, motto = right.split("\n")[:2]
    paragraphs = head.rows[0].cells[1].paragraphs
    assert all(r.bold for r in paragraphs[0].runs) and title.isupper()
    assert motto == "Độc lập - Tự do - Hạnh phúc"
    assert all(r.bold and r.underline for r in paragraphs[1].runs)
    assert all(r.italic for r in paragraphs[2].runs)


def test_docx_has_kind_subject_recipients_and_signature(written):
    text = docx_text(written.files["docx"])
    assert "BÁO CÁO\nTình hình phát triển kinh tế tập thể năm 2024" in text
    assert "Nơi nhận:" in text and "- Lưu: VT." in text
    assert "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH" in text


def test_docx_has_no_unfilled_placeholder(written):
    xml = zipfile.ZipFile(io.BytesIO(written.files["docx"])).read("word/document.xml").decode()
    text = docx_text(written.files["docx"])
    for leftover in ("{{", "}}", "{%", "%}", "None", "%("):
        assert leftover not in xml and leftover not in text, leftover


def test_docx_holds_the_tables_and_the_charts(written):
    doc = document(written)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Report Caption"]
    assert captions == [t.caption for t in written.report.tables()]
    assert len(doc.tables) == 2 + len(captions)  # the heading block and the signature block
    images = [n for n in zipfile.ZipFile(io.BytesIO(written.files["docx"])).namelist() if n.endswith(".png")]
    assert len(images) == len(written.report.charts()) >= 3
    table = doc.tables[1]
    assert [c.text for c in table.rows[0].cells][:3] == ["Loại hình", "Cuối năm 2023", "Cuối năm 2024"]
    assert table.rows[-1].cells[0].text == "Tổng cộng"
