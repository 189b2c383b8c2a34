"""The default Word template is what its script writes; a province may replace it with its own."""

from __future__ import annotations

import io

import pytest
from docx import Document

from hoptac.documents import docx_template, render_docx

from .files import docx_text

pytestmark = pytest.mark.django_db


def test_committed_template_is_what_the_generator_writes(tmp_path):
    fresh = docx_template.build(tmp_path / "annual_report.docx").read_bytes()
    assert fresh == docx_template.DEFAULT_PATH.read_bytes(), "run scripts/report-template.sh"


def test_template_uses_only_the_documented_variables_and_the_context_gives_them_all(written):
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(docx_template.DEFAULT_PATH))
    assert tpl.get_undeclared_template_variables() <= set(render_docx.TEMPLATE_VARIABLES)
    assert set(render_docx.context(written.report, [])) == set(render_docx.TEMPLATE_VARIABLES)


def test_docs_list_every_template_variable():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "reports.md").read_text()
    for name in render_docx.TEMPLATE_VARIABLES:
        assert f"`{name}`" in docs, name


def test_a_provinces_own_template_replaces_the_default(written, tmp_path, settings):
    own = Document()
    own.add_paragraph("MẪU RIÊNG CỦA TỈNH")
    own.add_paragraph("{{ subject }} — {{ place_date }}")
    own.add_paragraph("{%p for line in signature %}")
    own.add_paragraph("{{ line }}")
    own.add_paragraph("{%p endfor %}")
    path = tmp_path / "own.docx"
    own.save(path)
    settings.HOPTAC_REPORT_TEMPLATE = str(path)
    data = render_docx.render(written.report)
    text = docx_text(data)
    assert "MẪU RIÊNG CỦA TỈNH" in text
    assert "Tình hình phát triển kinh tế tập thể năm 2024 — Lai Châu, ngày" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text
    assert Document(io.BytesIO(data)).paragraphs[0].text == "MẪU RIÊNG CỦA TỈNH"
