"""Sections read the other apps' data when there is some for the year, and say "no data" otherwise."""

from __future__ import annotations

import datetime

import pytest

from hoptac.documents import services
from hoptac.documents.content import Paragraph

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def said(snapshot, key) -> list[str]:
    report = services.build(snapshot)
    section = next(s for s in report.sections if s.key == key)
    return [b.text for b in section.blocks if isinstance(b, Paragraph)]


def test_a_commune_without_tasks_or_budget_says_no_data_for_them(province):
    snapshot = services.snapshot_take(unit=province.communes["muong_than"], year=YEAR)
    assert said(snapshot, "tasks") == [
        "Chưa có nhiệm vụ nào của chương trình hành động được ghi nhận cho năm 2024 (chưa có số liệu)."
    ]
    assert said(snapshot, "budget") == [
        "Chưa có số liệu kinh phí hỗ trợ phát triển kinh tế tập thể năm 2024."
    ]
    assert said(snapshot, "targets") == [
        "Chưa có kế hoạch nào giao chỉ tiêu cho địa bàn trong năm 2024 (chưa có số liệu)."
    ]


def test_a_year_without_approved_returns_says_no_data_rather_than_zero(province):
    snapshot = services.snapshot_take(unit=province.unit, year=2022)
    assert said(snapshot, "people") == [
        "Chưa có báo cáo năm 2022 của hợp tác xã nào được phê duyệt: chưa có số liệu về thành viên, lao động "
        "và thu nhập."
    ]
    assert said(snapshot, "classification") == [
        "Chưa có kết quả xếp loại hợp tác xã năm 2022 (chưa có số liệu)."
    ]


def test_official_scores_take_the_place_of_the_self_classification(province):
    """Confirmed score sheets of the `scoring` app, once there are any for the year."""
    from django.utils import timezone

    from hoptac.scoring.models import Scheme, ScoreSheet

    scheme = Scheme.objects.order_by("pk").first()
    for key, klass in (("a", "tot"), ("b", "tot"), ("c", "kha"), ("e", "yeu")):
        ScoreSheet.objects.create(
            organisation=province.organisations[key], year=YEAR, scheme=scheme, klass=klass, total=70,
            status=ScoreSheet.Status.CONFIRMED, confirmed_at=datetime.datetime(2025, 4, 15, tzinfo=timezone.get_current_timezone()),
        )  # fmt: skip
    ScoreSheet.objects.create(  # not confirmed: not counted
        organisation=province.organisations["f"], year=YEAR, scheme=scheme, klass="tot", status="submitted"
    )
    snapshot = services.snapshot_take(unit=province.unit, year=YEAR)
    text = " ".join(said(snapshot, "classification"))
    assert text.startswith(
        "Theo kết quả đánh giá, xếp loại chính thức 4 hợp tác xã, năm 2024 có 2 hợp tác xã xếp loại tốt"
    )
    report = services.build(snapshot)
    table = next(t for t in report.tables() if t.key == "Xếp loại")
    assert [r.cells[1] for r in table.data_rows] == [2, 1, 0, 1]
    official = snapshot.figures["values"]["htx-effective-share-official"][str(YEAR)]
    assert table.total_row()[1] == int(official["denominator"]) == 4
