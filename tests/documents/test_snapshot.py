"""A report records the data snapshot it was written from; written again from it, it gives the same
figures, whatever was approved or changed since; a new report reads the new data."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hoptac.documents import services
from hoptac.documents.content import Table
from hoptac.documents.numbers import dec

from .conftest import YEAR, _org, _status, approved, figures
from .files import pdf_text, xlsx_sheets

pytestmark = pytest.mark.django_db


def table_figures(snapshot) -> list[list]:
    report = services.build(snapshot)
    return [[r.cells for r in t.rows] + [t.total_row()] for t in report.tables() if isinstance(t, Table)]


def workbook_values(data: bytes) -> list[dict]:
    sheets, _formats = xlsx_sheets(data)
    return [{ref: c.value for ref, c in sheet.cells.items()} for sheet in sheets[1:]]


def change_the_data(province) -> None:
    """After the snapshot: a return approved, an approved one reopened and corrected, a dissolution, a
    new cooperative."""
    from hoptac.returns import services as returns

    approved(province, "f", YEAR - 1, **figures(40, 30, 90, 90, "tot"))  # a late return for 2023
    ret = returns.return_approve(ret=province.returns[("f", YEAR)], actor=province.actor)  # f's 2024
    assert ret.status == "approved"
    a = province.returns[("a", YEAR)]
    a = returns.return_reopen(ret=a, actor=province.actor, reason="Sửa số thành viên")
    a, _w = returns.return_save(
        ret=a, actor=province.actor, data={"members_individual": 99}, expected_version=a.version
    )
    returns.return_submit(ret=a, actor=province.actor)
    returns.return_approve(ret=a, actor=province.actor)
    _status(province, "b", "dissolved", datetime.date(2024, 11, 30))
    _org(province, "new", "than_uyen", datetime.date(2024, 9, 1))


def test_a_report_written_again_from_its_snapshot_keeps_its_figures_after_new_data(province):
    snapshot = services.snapshot_take(unit=province.unit, year=YEAR)
    before = services.generate(snapshot, formats=("xlsx", "pdf"))
    figures_before = table_figures(snapshot)

    change_the_data(province)

    again = services.generate(snapshot, formats=("xlsx", "pdf"))
    assert table_figures(snapshot) == figures_before
    assert workbook_values(again["xlsx"]) == workbook_values(before["xlsx"])
    assert pdf_text(again["pdf"]) == pdf_text(before["pdf"])


def test_a_new_report_reads_the_new_data(province):
    old = services.snapshot_take(unit=province.unit, year=YEAR)
    change_the_data(province)
    new = services.snapshot_take(unit=province.unit, year=YEAR)

    def value(snapshot, code):
        return dec(snapshot.figures["values"][code][str(YEAR)]["value"])

    assert value(old, "htx-members") == 75
    assert value(new, "htx-members") == 75 - 25 + 99 + 7  # a corrected, f approved
    assert value(new, "htx-ended") == value(old, "htx-ended") + 1
    assert value(new, "htx-founded") == value(old, "htx-founded") + 1
    assert table_figures(new) != table_figures(old)


def test_a_snapshot_reads_only_returns_approved_by_its_cut_off(province):
    from hoptac.returns.models import AnnualReturn

    snapshot = services.snapshot_take(unit=province.unit, year=YEAR)
    counted = dec(snapshot.figures["values"]["report-htx-returns"][str(YEAR)]["value"])
    approved_by_then = AnnualReturn.objects.filter(
        status="approved", year=YEAR, approved_at__lte=snapshot.taken_at, organisation__kind__in=["htx", "qtdnd"],
        organisation__current_path__startswith=province.unit.path,
    ).count()  # fmt: skip
    assert counted == approved_by_then == 4
    change_the_data(province)
    later = AnnualReturn.objects.filter(approved_at__gt=snapshot.taken_at)
    assert later.count() == 3
    again = services.build(snapshot)
    assert "4 báo cáo năm" in " ".join(b.text for s in again.sections for b in s.blocks if hasattr(b, "text"))


def test_a_snapshot_knows_whether_newer_data_exists(province):
    snapshot = services.snapshot_take(unit=province.unit, year=YEAR)
    assert snapshot.returns_count == 7  # approved returns of the province, every year (not Điện Biên's)
    assert services.snapshot_is_current(snapshot)
    change_the_data(province)
    assert not services.snapshot_is_current(snapshot)


def test_a_snapshot_costs_the_same_queries_whatever_the_number_of_organisations(province):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            services.snapshot_take(unit=province.unit, year=YEAR)
        return len(captured)

    first = queries()
    for n in range(6):
        _org(province, f"more{n}", "muong_than", datetime.date(2016 + n, 1, 1))
        approved(province, f"more{n}", YEAR, **figures(10 + n, 5, 30, 30, "kha"))
    assert queries() == first
