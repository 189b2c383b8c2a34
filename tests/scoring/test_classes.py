"""Class boundaries at exactly 50, 65 and 80 points, and who is not rated (operating < 12 months, stopped > 3)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from hoptac.registry.models import Status
from hoptac.registry.services import organisation_change_status
from hoptac.scoring import services
from hoptac.scoring.models import Scheme
from hoptac.scoring.rules import class_for, load_scheme

from .conftest import TT01, TT09, YEAR, manual_entries

D = Decimal


@pytest.mark.django_db
@pytest.mark.parametrize("code", [TT09, TT01])
@pytest.mark.parametrize(
    ("total", "klass"),
    [
        (D("100"), "tot"),
        (D("80"), "tot"),  # tốt from 80
        (D("79.99"), "kha"),
        (D("65"), "kha"),  # khá from 65 to under 80
        (D("64.99"), "trung_binh"),
        (D("50"), "trung_binh"),  # trung bình from 50 to under 65
        (D("49.99"), "yeu"),
        (D("0"), "yeu"),
    ],
)
def test_class_boundaries_of_both_circulars(code, total, klass):
    thresholds = load_scheme(Scheme.objects.get(code=code, version=1)).thresholds
    assert class_for(thresholds, total) == klass


@pytest.mark.parametrize(
    ("total", "klass"),
    [(80, "tot"), (79, "kha"), (65, "kha"), (64, "trung_binh"), (50, "trung_binh"), (49, "yeu")],
)
def test_a_sheet_totalling_exactly_a_boundary_takes_the_higher_class(
    agri_org, approve, complete_schemes, people, total, klass
):
    approve(agri_org)  # 1.1–1.3 computed: 17 points
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    entries = manual_entries(sheet, fill="zero")
    remaining = total - 17
    for number in ("3", "2.2", "6", "4", "2.1", "1.4", "1.5", "5"):  # maxima 15, 14, 10, 10, 8, 5, 5, 5
        maximum = sheet.scheme.criteria.get(number=number).max_points
        entries[number]["points"] = min(maximum, D(remaining))
        remaining -= entries[number]["points"]
    sheet = services.score_save(
        sheet=sheet, actor=people.commune, entries=entries, expected_version=sheet.version
    )
    assert sheet.total == total and sheet.klass == klass and sheet.complete


# Not rated -------------------------------------------------------------------------------------------------


def test_a_cooperative_founded_eight_months_before_the_year_end_is_not_rated(
    make_org, approve, complete_schemes, people
):
    org = make_org("HTX Mới Thành Lập", founded_on=datetime.date(YEAR, 5, 1))
    approve(org)
    with pytest.raises(services.NotRatedError, match="operated fewer than 12 months"):
        services.score_compute(organisation=org, year=YEAR, actor=people.commune)
    report = services.scores_compute_bulk(unit=None, year=YEAR, actor=people.commune)
    assert [(o.organisation.pk, o.kind) for o in report.outcomes] == [(org.pk, "not_rated")]
    # The next year it has operated twelve months: rated.
    approve(org, year=YEAR + 1)
    sheet, _ = services.score_compute(organisation=org, year=YEAR + 1, actor=people.commune)
    assert sheet.pk


@pytest.mark.parametrize(
    ("founded_on", "rated"),
    [
        (datetime.date(YEAR, 1, 1), True),
        (datetime.date(YEAR, 1, 2), False),
        (datetime.date(YEAR - 1, 12, 31), True),
    ],
)
def test_twelve_months_means_the_whole_year(make_org, approve, complete_schemes, people, founded_on, rated):
    org = make_org("HTX Ngày Thành Lập", founded_on=founded_on)
    approve(org)
    if rated:
        assert services.score_compute(organisation=org, year=YEAR, actor=people.commune)[0].pk
    else:
        with pytest.raises(services.NotRatedError):
            services.score_compute(organisation=org, year=YEAR, actor=people.commune)


def _stop(org, actor, start, end):
    organisation_change_status(
        org=org, actor=actor, status=Status.SUSPENDED, effective_on=start, reason="Tạm ngừng"
    )
    organisation_change_status(
        org=org, actor=actor, status=Status.ACTIVE, effective_on=end, reason="Hoạt động lại"
    )


def test_a_cooperative_stopped_more_than_three_months_is_not_rated_under_tt01(
    trade_org, approve, complete_schemes, people
):
    approve(trade_org)
    _stop(trade_org, people.admin, datetime.date(YEAR, 3, 1), datetime.date(YEAR, 7, 1))  # four months
    with pytest.raises(services.NotRatedError, match="stopped operating more than 3 months"):
        services.score_compute(organisation=trade_org, year=YEAR, actor=people.commune)


def test_a_cooperative_stopped_two_months_is_rated_under_tt01(trade_org, approve, complete_schemes, people):
    approve(trade_org)
    _stop(trade_org, people.admin, datetime.date(YEAR, 3, 1), datetime.date(YEAR, 5, 1))
    assert services.score_compute(organisation=trade_org, year=YEAR, actor=people.commune)[0].pk


def test_stopped_months_do_not_exclude_under_tt09_which_has_no_such_rule(
    agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    _stop(agri_org, people.admin, datetime.date(YEAR, 3, 1), datetime.date(YEAR, 9, 1))
    assert services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)[0].pk


def test_a_stop_that_began_the_year_before_counts_from_01_01(trade_org, approve, complete_schemes, people):
    approve(trade_org)
    _stop(
        trade_org, people.admin, datetime.date(YEAR - 1, 10, 1), datetime.date(YEAR, 4, 15)
    )  # 105 days of YEAR
    with pytest.raises(services.NotRatedError):
        services.score_compute(organisation=trade_org, year=YEAR, actor=people.commune)
