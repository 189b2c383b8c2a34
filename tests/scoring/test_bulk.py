"""Bulk scoring: every cooperative whose criteria can all be filled is scored; the others are reported."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from hoptac.scoring import services
from hoptac.scoring.models import ClassThreshold, Criterion, Scheme, SchemeRule, ScoreSheet
from hoptac.scoring.services import Outcome

from .conftest import YEAR, manual_entries


@pytest.fixture
def computed_scheme(db):
    """A province's scheme computed entirely from the return (revenue and members), above the official ones."""
    scheme = Scheme.objects.create(
        code="lai-chau-thu", name_vi="Bộ tiêu chí thử của tỉnh", name_en="Province's trial scheme",
        kinds="htx", priority=100, active=True,
    )  # fmt: skip
    Criterion.objects.create(
        scheme=scheme, number="1", order=10, title_vi="Doanh thu", title_en="Revenue", max_points=60, rule="bands",
        expression="revenue", bands=[{"min": None, "max": 1000, "points": 20}, {"min": 1000, "max": None, "points": 60}],
    )  # fmt: skip
    Criterion.objects.create(
        scheme=scheme, number="2", order=20, title_vi="Thành viên", title_en="Members", max_points=40, rule="bands",
        expression="members_official", bands=[{"min": None, "max": 20, "points": 10}, {"min": 20, "max": None, "points": 40}],
    )  # fmt: skip
    for klass, minimum in (("tot", 80), ("kha", 65), ("trung_binh", 50), ("yeu", 0)):
        ClassThreshold.objects.create(scheme=scheme, klass=klass, min_points=minimum)
    SchemeRule.objects.create(scheme=scheme, kind="exclude", condition="operating_months_below", months=12)
    return scheme


def by_org(report):
    return {o.organisation.name: o for o in report.outcomes}


def test_bulk_scores_every_cooperative_whose_computed_criteria_suffice(
    computed_scheme, agri_org, trade_org, make_org, approve, people
):
    approve(agri_org)  # revenue 1 200, 10 members: 60 + 10 = 70, khá
    approve(trade_org, revenue=800, members_individual=25)  # 20 + 40 = 60, trung bình
    no_members = make_org("HTX Không Số Thành Viên", code="6201000011")
    approve(no_members, members_individual=None)
    no_return = make_org("HTX Chưa Báo Cáo", code="6201000012")
    new = make_org("HTX Mới", code="6201000013", founded_on=datetime.date(YEAR, 5, 1))
    approve(new)
    report = services.scores_compute_bulk(unit=None, year=YEAR, actor=people.commune)
    outcomes = by_org(report)
    assert (outcomes[agri_org.name].kind, outcomes[agri_org.name].total, outcomes[agri_org.name].klass) == (
        "scored",
        70,
        "kha",
    )
    assert (outcomes[trade_org.name].kind, outcomes[trade_org.name].klass) == ("scored", "trung_binh")
    assert outcomes[no_members.name].kind == Outcome.NEEDS_INPUT and outcomes[no_members.name].missing == (
        "2",
    )
    assert outcomes[no_return.name].kind == Outcome.NO_RETURN
    assert outcomes[new.name].kind == Outcome.NOT_RATED
    assert {o.organisation.name for o in report.needs_input} == {no_members.name, no_return.name}
    sheets = {s.organisation_id: s for s in ScoreSheet.objects.all()}
    assert set(sheets) == {agri_org.pk, trade_org.pk}
    assert (
        sheets[agri_org.pk].status == ScoreSheet.Status.DRAFT
        and sheets[agri_org.pk].scheme == computed_scheme
    )
    assert sheets[agri_org.pk].history.get().history_user == people.commune


def test_a_dry_run_reports_the_same_and_writes_nothing(computed_scheme, agri_org, approve, people):
    approve(agri_org)
    report = services.scores_compute_bulk(unit=None, year=YEAR, actor=people.commune, dry_run=True)
    assert [(o.kind, o.total) for o in report.outcomes] == [("scored", 70)]
    assert not ScoreSheet.objects.exists()


def test_bulk_keeps_what_people_entered_and_leaves_submitted_sheets_alone(
    agri_org, other_org, approve, complete_schemes, people
):
    approve(agri_org)
    approve(other_org)
    # Under the official (completed) scheme most criteria are entered by a person.
    report = services.scores_compute_bulk(unit=None, year=YEAR, actor=people.province)
    assert {o.kind for o in report.outcomes} == {Outcome.NEEDS_INPUT}
    assert "criteria to enter: 1.4, 1.5, 2.1, 2.2, 3, 4, 5, 6" in report.outcomes[0].detail
    # Once entered on a draft, the bulk recomputes it; a submitted one stays as it is.
    for org in (agri_org, other_org):
        sheet, _ = services.score_compute(organisation=org, year=YEAR, actor=people.province)
        services.score_save(
            sheet=sheet, actor=people.province, entries=manual_entries(sheet), expected_version=sheet.version
        )
    services.score_submit(sheet=ScoreSheet.objects.get(organisation=other_org), actor=people.province)
    report = services.scores_compute_bulk(unit=None, year=YEAR, actor=people.province)
    outcomes = by_org(report)
    assert (outcomes[agri_org.name].kind, outcomes[agri_org.name].total) == ("scored", 89)
    assert outcomes[other_org.name].kind == Outcome.LOCKED


def test_with_the_shipped_schemes_bulk_says_what_an_administrator_must_enter(agri_org, approve, people):
    approve(agri_org)
    report = services.scores_compute_bulk(unit=None, year=YEAR, actor=people.commune)
    assert report.outcomes[0].kind == Outcome.NEEDS_INPUT
    assert "without maximum points" in report.outcomes[0].detail


def test_bulk_stays_in_the_actors_area_and_under_the_unit(
    computed_scheme, agri_org, other_org, approve, people, units
):
    approve(agri_org)
    approve(other_org)
    report = services.scores_compute_bulk(unit=None, year=YEAR, actor=people.commune)
    assert [o.organisation for o in report.outcomes] == [agri_org]
    report = services.scores_compute_bulk(unit=units.xa_tan_uyen, year=YEAR, actor=people.province)
    assert [o.organisation for o in report.outcomes] == [other_org]
    report = services.scores_compute_bulk(unit=units.xa_tan_uyen, year=YEAR, actor=people.commune)
    assert report.outcomes == []
    assert sorted(ScoreSheet.objects.values_list("organisation_id", flat=True)) == [agri_org.pk, other_org.pk]


@pytest.mark.parametrize("who", ["district_viewer", "agency_officer"])
def test_readers_cannot_bulk_score(people, who):
    with pytest.raises(PermissionDenied):
        services.scores_compute_bulk(unit=None, year=YEAR, actor=getattr(people, who))


def test_bulk_reads_cost_the_same_for_two_or_eight_cooperatives(computed_scheme, make_org, approve, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count():
        with CaptureQueriesContext(connection) as ctx:
            services.scores_compute_bulk(unit=None, year=YEAR, actor=people.admin, dry_run=True)
        return len(ctx.captured_queries)

    for i in range(2):
        approve(make_org(f"HTX Thử {i}", code=f"62020000{i:02d}"))
    two = count()
    for i in range(2, 8):
        approve(make_org(f"HTX Thử {i}", code=f"62020000{i:02d}"))
    assert count() == two
    assert two <= 12  # organisations, returns, sheets and their lines, status changes, schemes (6)
