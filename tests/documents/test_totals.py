"""Every figure and total of the tables equals what `hoptac indicators` (and `hoptac breakdown`) give."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hoptac.documents.numbers import dec

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def cli(written, code, year, part="value"):
    record = written.indicators[year][code]
    value = record[part]
    return None if value is None else Decimal(str(value))


def tables(written):
    return {t.key: t for t in written.report.tables()}


def test_every_declared_total_equals_hoptac_indicators(written):
    checked = 0
    for table in written.report.tables():
        total = table.total_row()
        for column, (code, year, part) in table.checks.items():
            assert total[column] == cli(written, code, year, part), (table.title, column, code)
            checked += 1
    assert checked >= 9


def test_table_by_kind_rows_and_totals_equal_the_indicators_and_the_breakdown(written):
    table = tables(written)["Theo loại hình"]
    htx, lhhtx, tht = (r.cells for r in table.data_rows)
    p, y = YEAR - 1, YEAR
    assert htx[1:] == [
        cli(written, "htx-existing", p),
        cli(written, "htx-existing", y),
        cli(written, "htx-existing", y) - cli(written, "htx-existing", p),
        cli(written, "htx-founded", y),
        cli(written, "htx-ended", y),
        cli(written, "htx-active", y),
    ]
    assert lhhtx[4] == cli(written, "lhhtx-founded", y) and lhhtx[6] == cli(written, "lhhtx-active", y)
    assert tht[4] == cli(written, "tht-founded", y) and tht[6] == cli(written, "tht-active", y)
    total = table.total_row()
    assert total[1] == written.breakdown_kind[p]["total"]
    assert total[2] == written.breakdown_kind[y]["total"]


def test_small_province_figures_are_those_its_data_make(written):
    """The figures of conftest's province, counted by hand: HTX a, b, c, e (d dissolved 30/06/2024, f
    suspended), groups g and h, union i; approved 2024 returns of a, b, c, e (f's only submitted)."""
    table = tables(written)["Theo loại hình"]
    assert [r.cells[1:] for r in table.data_rows] == [
        [5, 5, 0, 1, 1, 4],
        [1, 1, 0, 0, 0, 1],
        [1, 2, 1, 1, 0, 2],
    ]
    assert cli(written, "htx-members", YEAR) == 25 + 12 + 8 + 30


def test_table_by_commune_adds_up_to_the_province(written):
    table = tables(written)["Theo đơn vị hành chính"]
    total = table.total_row()
    assert total[1] == cli(written, "htx-existing", YEAR) == 5
    assert total[2] == cli(written, "htx-active", YEAR) == 4
    assert total[6] == cli(written, "htx-members", YEAR)
    than_uyen = next(r for r in table.data_rows if r.cells[0] == "Xã Than Uyên")
    assert than_uyen.cells[1:3] == [2, 2]


def test_classification_table_is_the_approved_returns_classes(written):
    table = tables(written)["Xếp loại"]
    assert [r.cells[1] for r in table.data_rows] == [1, 1, 1, 1]  # e tốt, a khá, b trung bình, c yếu
    assert table.total_row()[1] == cli(written, "htx-effective-share", YEAR, "denominator")
    good_and_fair = sum(dec(r.cells[2]) for r in table.data_rows[:2])
    assert good_and_fair == cli(written, "htx-effective-share", YEAR)


def test_main_figures_equal_the_indicators(written):
    table = tables(written)["Chỉ tiêu chủ yếu"]
    names = {code: written.figures["definitions"][code]["name_vi"] for code in written.figures["definitions"]}
    for row in table.data_rows:
        code = next(c for c, n in names.items() if n == row.cells[0])
        assert dec(row.cells[2]) == cli(written, code, YEAR - 1), code
        assert dec(row.cells[3]) == cli(written, code, YEAR), code


def test_targets_table_gives_each_target_its_status(written):
    table = tables(written)["Chỉ tiêu"]
    rows = table.data_rows
    assert len(rows) == len(written.figures["targets"]) > 20
    labels = {"Đã đạt", "Có khả năng đạt", "Có nguy cơ không đạt", "Khó đạt", "Chưa có số liệu"}
    assert {r.cells[4] for r in rows} <= labels
