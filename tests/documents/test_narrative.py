"""The narrative is written from the data, in Vietnamese: counts and changes, classes, targets, no data."""

from __future__ import annotations

import pytest

from hoptac.documents.content import Paragraph

from .files import docx_text, pdf_body_text

pytestmark = pytest.mark.django_db


def sentences(written, key):
    section = next(s for s in written.report.sections if s.key == key)
    return [b.text for b in section.blocks if isinstance(b, Paragraph)]


def test_narrative_gives_counts_and_changes_on_the_previous_year(written):
    first = sentences(written, "organisations")
    assert first[0] == (
        "Đến ngày 31/12/2024, toàn tỉnh có 5 hợp tác xã (kể cả quỹ tín dụng nhân dân), 1 liên hiệp hợp tác xã "
        "và 2 tổ hợp tác. So với cuối năm 2023, số hợp tác xã không thay đổi, số tổ hợp tác tăng 1."
    )
    assert first[1] == (
        "Trong năm 2024, thành lập mới 1 hợp tác xã, 0 liên hiệp hợp tác xã và 1 tổ hợp tác; giải thể, chấm dứt "
        "hoạt động 1 hợp tác xã, 0 liên hiệp hợp tác xã và 0 tổ hợp tác."
    )
    assert first[2].startswith("Số hợp tác xã đang hoạt động đến cuối năm là 4 (chiếm 80,00% số hợp tác xã")


def test_narrative_gives_members_workers_and_income_with_their_change(written):
    text = " ".join(sentences(written, "people"))
    assert (
        "Tổng số thành viên hợp tác xã là 75 thành viên (tăng 92,31% so với năm 2023 là 39 thành viên)"
        in text
    )
    assert "Thu nhập bình quân của thành viên hợp tác xã đạt" in text


def test_narrative_gives_the_classification(written):
    text = " ".join(sentences(written, "classification"))
    assert "Theo kết quả tự xếp loại trong 4 báo cáo năm đã được phê duyệt" in text
    assert "1 hợp tác xã xếp loại tốt (25,00%)" in text
    assert "Tỷ lệ hợp tác xã hoạt động có hiệu quả (xếp loại tốt, khá) đạt 50,00%" in text


def test_narrative_says_each_target_with_its_status(written):
    section = next(s for s in written.report.sections if s.key == "targets")
    bullets = [b.text for b in section.blocks if isinstance(b, Paragraph) and b.style == "bullet"]
    assert len(bullets) == len(written.figures["targets"])
    statuses = ("đã đạt", "có khả năng đạt", "có nguy cơ không đạt", "khó đạt", "chưa có số liệu")
    assert all(": chỉ tiêu " in b and any(s in b for s in statuses) for b in bullets)
    founded = next(
        b for b in bullets if b.startswith("Số HTX thành lập mới trong năm: chỉ tiêu ≥ 25 mỗi năm")
    )
    assert "thực hiện 1 (năm 2024) — khó đạt" in founded


def test_narrative_gives_the_tasks_done_and_not_reported(written):
    """Seed 000's action plan holds 29 tasks due in 2024; the union reported one done, one in progress."""
    text = sentences(written, "tasks")
    assert text[0] == (
        "Năm 2024 có 29 nhiệm vụ của chương trình hành động phải thực hiện: 1 nhiệm vụ đã hoàn thành, 1 nhiệm "
        "vụ đang thực hiện, 0 nhiệm vụ chưa triển khai và 27 nhiệm vụ cơ quan chủ trì chưa báo cáo dù đã quá hạn."
    )
    assert text[1].startswith("Các cơ quan chủ trì chưa báo cáo (số nhiệm vụ): ")
    table = next(t for t in written.report.tables() if t.key == "Nhiệm vụ")
    states = [r.cells[4] for r in table.data_rows]
    assert len(states) == 29 and states.count("Hoàn thành") == 1
    assert sum(state.startswith("Đang thực hiện") for state in states) == 1


def test_narrative_gives_the_budget_allocated_and_disbursed(written):
    assert sentences(written, "budget")[0].startswith(
        "Năm 2024, kinh phí bố trí cho phát triển kinh tế tập thể là 500,00 triệu đồng, đã giải ngân 300,00 "
        "triệu đồng (đạt 60,00% số bố trí)"
    )
    table = next(t for t in written.report.tables() if t.key == "Kinh phí")
    total = table.total_row()
    assert total[4:] == [500, 300, 60]
    assert [r.cells[4] for r in table.data_rows].count(None) == len(table.data_rows) - 1  # blank, not 0


def _letters(text: str) -> str:
    return "".join(text.split())  # a PDF's lines wrap anywhere


def test_the_pdf_and_the_docx_say_the_same(written):
    pdf, docx = pdf_body_text(written.files["pdf"]), _letters(docx_text(written.files["docx"]))
    for key in ("organisations", "people", "classification", "targets", "assessment"):
        for sentence in sentences(written, key):
            assert _letters(sentence) in pdf, sentence
            assert _letters(sentence) in docx, sentence
