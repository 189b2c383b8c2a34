"""The PDF: an official document in Vietnamese, every diacritic in the shipped fonts, nothing unfilled."""

from __future__ import annotations

import io

import pytest

from .files import pdf_margin_texts, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db

A4 = (595.28, 841.89)  # points


def test_pdf_text_holds_the_national_title_and_the_motto(written):
    text = pdf_text(written.files["pdf"])
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text


def test_pdf_has_every_element_of_an_official_report(written):
    text = pdf_text(written.files["pdf"])
    for expected in (
        "ỦY BAN NHÂN DÂN",
        "TỈNH LAI CHÂU",
        "Số:",
        "/BC-UBND",
        "BÁO CÁO",
        "Tình hình phát triển kinh tế tập thể năm 2024",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "- Lưu: VT.",
    ):
        assert expected in text, expected
    assert "Lai Châu, ngày" in text and "tháng" in text and "năm" in text


def test_pdf_has_no_unfilled_placeholder(written):
    text = pdf_text(written.files["pdf"])
    for leftover in ("{{", "}}", "{%", "%}", "None", "nan", "%(", "Decimal("):
        assert leftover not in text, leftover


def test_pdf_writes_vietnamese_letters_that_older_fonts_lack(written):
    """Ơ, Ư and the letters with a dot below are those a subset or an old Liberation font garbles."""
    text = pdf_text(written.files["pdf"])
    for word in ("Ủy ban", "hợp tác xã", "Liên minh", "ngư nghiệp", "Thương mại", "Đơn vị tính", "thực hiện"):
        assert word in text, word


def test_pdf_embeds_only_the_shipped_liberation_serif(written):
    """Every font of the PDF is a subset of the shipped Liberation Serif 2 (not a system font)."""
    from fontTools.ttLib import TTFont

    programs = {}
    for page in pdf_pages(written.files["pdf"]):
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = (font.get("/DescendantFonts") or [font])[0].get_object()["/FontDescriptor"]
            programs[str(font["/BaseFont"])] = descriptor.get_object()["/FontFile2"].get_object().get_data()
    assert len(programs) == 4, programs.keys()  # regular, bold, italic, bold italic
    for name, program in programs.items():
        names = TTFont(io.BytesIO(program))["name"]
        assert names.getDebugName(1) == "Liberation Serif", name
        assert names.getDebugName(5).startswith("Version 2."), name


def test_pdf_pages_are_a4(written):
    pages = pdf_pages(written.files["pdf"])
    assert len(pages) >= 3
    for page in pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(width - A4[0]) < 1 and abs(height - A4[1]) < 1


def test_pdf_numbers_pages_in_the_top_margin_from_the_second(written):
    margins = pdf_margin_texts(written.files["pdf"])
    assert margins[0] == ""
    assert margins[1:] == [str(n) for n in range(2, len(margins) + 1)]


def test_pdf_prints_numbers_the_vietnamese_way(written):
    text = pdf_text(written.files["pdf"])
    assert "Cuối năm 2024" in text
    assert ",00" in text or "," in text  # decimals with a comma (percentages such as 66,67)
    assert "49.3" not in text


def test_pdf_holds_the_charts_as_images(written):
    images = set()  # the pages share one resource dictionary: count each image object once
    for page in pdf_pages(written.files["pdf"]):
        for ref in (page["/Resources"].get("/XObject") or {}).values():
            if ref.get_object().get("/Subtype") == "/Image":
                images.add(ref.idnum)
    assert len(images) == len(written.report.charts()) >= 3


def test_the_pdf_writer_fetches_nothing_from_the_network():
    from hoptac.documents.render_pdf import _fetcher

    fetcher = _fetcher({"report:chart-1": b"\x89PNG"})
    assert fetcher.fetch("report:chart-1").read() == b"\x89PNG"
    for url in ("https://cdn.example.com/font.woff2", "http://example.com/chart.png", "ftp://example.com/x"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
