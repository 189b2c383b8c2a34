"""The indicator source "scores": confirmed classes feed htx-effective-share-official, in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hoptac.indicators.engine import compute
from hoptac.indicators.models import Indicator
from hoptac.scoring import services
from hoptac.units.models import Unit

from .conftest import YEAR, manual_entries


def sheet_of(org, actor, *, points=None, status="confirmed", fined=False):
    sheet, _ = services.score_compute(organisation=org, year=YEAR, actor=actor)
    sheet = services.score_save(
        sheet=sheet, actor=actor, entries=manual_entries(sheet, points), expected_version=sheet.version,
        **({"fined": True, "fine_note": "QĐ xử phạt"} if fined else {}),
    )  # fmt: skip
    if status in ("submitted", "confirmed"):
        sheet = services.score_submit(sheet=sheet, actor=actor)
    if status == "confirmed":
        sheet = services.score_confirm(sheet=sheet, actor=actor)
    return sheet


@pytest.fixture
def rated(make_org, approve, complete_schemes, people):
    """Four agricultural HTX of Xã Than Uyên for 2024: tốt, khá and yếu (fined) confirmed; one only submitted."""
    orgs = [make_org(f"HTX Số {i}", code=f"62030000{i:02d}") for i in range(4)]
    for org in orgs:
        approve(org)
    officer = people.commune
    assert sheet_of(orgs[0], officer).klass == "tot"
    assert sheet_of(orgs[1], officer, points={"3": 0}).klass == "kha"  # 89 - 15 = 74
    assert sheet_of(orgs[2], officer, fined=True).klass == "yeu"
    assert sheet_of(orgs[3], officer, status="submitted").klass == "tot"
    return orgs


def test_the_official_effective_share_counts_confirmed_good_and_fair_sheets(rated, units):
    values = compute(
        ["htx-effective-share-official"],
        [units.xa_than_uyen, units.lai_chau, units.than_uyen_district],
        [YEAR],
    )
    for unit in (units.xa_than_uyen, units.lai_chau, units.than_uyen_district):
        v = values[("htx-effective-share-official", unit.id, YEAR)]
        assert (v.value, v.numerator, v.denominator, v.n_orgs) == (Decimal("66.67"), 2, 3, 3)


def test_no_confirmed_sheet_is_no_data(rated, units):
    v = compute(["htx-effective-share-official"], [units.xa_tan_uyen], [YEAR])[
        ("htx-effective-share-official", units.xa_tan_uyen.id, YEAR)
    ]
    assert v.no_data and v.value is None
    v = compute(["htx-effective-share-official"], [units.xa_than_uyen], [YEAR - 1])[
        ("htx-effective-share-official", units.xa_than_uyen.id, YEAR - 1)
    ]
    assert v.no_data


def test_a_count_with_class_and_status_filters(rated, units):
    weak = Indicator(
        code="htx-weak-official", name_vi="Số HTX yếu", name_en="Weak", unit="count", source="scores",
        aggregation="count", period="stock",
        filters={"kinds": ["htx"], "sectors": ["nong-nghiep"], "statuses": ["active"], "classes": ["yeu"]},
    )  # fmt: skip
    values = compute([weak], [units.lai_chau], [YEAR])
    assert values[("htx-weak-official", units.lai_chau.id, YEAR)].value == 1


def test_the_source_costs_one_query_whatever_the_units(rated, units):
    definition = Indicator.objects.get(code="htx-effective-share-official")
    many = list(Unit.objects.filter(era="current", level="commune", parent=units.lai_chau)[:40])
    with CaptureQueriesContext(connection) as one:
        compute([definition], [units.lai_chau], [YEAR])
    with CaptureQueriesContext(connection) as forty:
        compute([definition], [units.lai_chau, *many], [YEAR, YEAR - 1])
    assert len(one) == len(forty) == 1
