"""The band tables the circulars publish, as shipped in the schemes (docs/research/scoring-schemes.md)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hoptac.returns.models import AnnualReturn
from hoptac.scoring.models import Criterion, Scheme
from hoptac.scoring.rules import band_points, evaluate, load_scheme

from .conftest import TT01, TT09

D = Decimal
pytestmark = pytest.mark.django_db


def shipped(code):
    return Scheme.objects.get(code=code, version=1)


def score(org, code, number, *, prev=None, **figures):
    """The evaluated row of criterion `number` for a return with these figures (nothing written)."""
    data = load_scheme(shipped(code))
    ret = AnnualReturn(organisation=org, year=2024, **figures)
    previous = AnnualReturn(organisation=org, year=2023, **prev) if prev is not None else None
    return evaluate(data, org=org, ret=ret, prev=previous).by_number()[number]


@pytest.mark.parametrize(
    ("revenue_million", "points"),
    [
        (D("999.9"), 4),  # under 1 tỷ đồng
        (D("1000"), 6),  # from 1 tỷ …
        (D("4999.9"), 6),  # … to under 5 tỷ: 6 points
        (D("5000"), 8),
        (D("9999.9"), 8),
        (D("10000"), 10),
        (D("250000"), 10),
    ],
)
def test_tt09_criterion_1_2_revenue_bands(agri_org, revenue_million, points):
    row = score(agri_org, TT09, "1.2", revenue=revenue_million)
    assert row.computed and row.points == points


@pytest.mark.parametrize(
    ("profit", "members", "points"),
    [
        (D("-5"), 10, 0),  # no profit after tax
        (D("0"), 10, 0),
        (D("5"), 10, 2),  # 0,5 million a member: under 1
        (D("10"), 10, 4),  # exactly 1 million
        (D("49.9"), 10, 4),
        (D("50"), 10, 7),  # from 5 …
        (D("99.9"), 10, 7),  # … to under 10 million a member: 7 points
        (D("100"), 10, 10),
    ],
)
def test_tt09_criterion_1_3_income_per_member_bands(agri_org, profit, members, points):
    row = score(agri_org, TT09, "1.3", profit=profit, members_individual=members)
    assert row.computed and row.points == points


def test_tt09_criterion_1_3_counts_households_and_legal_entities_as_members(agri_org):
    row = score(
        agri_org,
        TT09,
        "1.3",
        profit=D("60"),
        members_individual=4,
        members_household=4,
        members_legal_entity=2,
    )
    assert row.value == D(6) and row.points == 7


@pytest.mark.parametrize(
    ("revenue", "planned", "points"),
    [
        (D("990"), D("1000"), 0),
        (D("1000"), D("1000"), 4),
        (D("1199"), D("1000"), 4),
        (D("1200"), D("1000"), 8),
    ],
)
def test_tt09_criterion_1_1_actual_to_planned_revenue_bands(agri_org, revenue, planned, points):
    row = score(agri_org, TT09, "1.1", revenue=revenue, revenue_planned=planned)
    assert row.points == points


def test_a_blank_figure_leaves_the_criterion_for_a_person(agri_org):
    row = score(agri_org, TT09, "1.1", revenue=D("1200"))  # no planned revenue
    assert row.enterable and row.points is None and not row.computed
    row = score(agri_org, TT09, "1.3", profit=D("30"))  # no members
    assert row.enterable and row.points is None


def test_the_figures_behind_a_computed_criterion_are_listed(agri_org):
    row = score(agri_org, TT09, "1.1", revenue=D("1200"), revenue_planned=D("1000"))
    assert [i.name for i in row.inputs] == ["revenue", "revenue_planned"]
    assert [i.value for i in row.inputs] == [D("1200"), D("1000")] and row.value == D(120)


def test_tt01_criterion_1b_compares_total_capital_with_last_years_approved_return(trade_org):
    assert score(trade_org, TT01, "1b", total_assets=D(2100), prev={"total_assets": D(2000)}).points == 1
    assert score(trade_org, TT01, "1b", total_assets=D(2000), prev={"total_assets": D(2000)}).points == 0
    no_prev = score(trade_org, TT01, "1b", total_assets=D(2000))
    assert no_prev.enterable and no_prev.points is None


def test_band_edges_are_min_inclusive_and_max_exclusive():
    bands = [
        {"min": None, "max": 10, "points": 1},
        {"min": 10, "max": 20, "points": 2},
        {"min": 20, "max": None, "points": 3},
    ]
    assert [band_points(bands, v) for v in (D("9.99"), 10, D("19.99"), 20)] == [1, 2, 2, 3]
    assert band_points(bands, None) is None
    assert (
        band_points([{"min": 1, "max": None, "points": 1}, {"min": None, "max": 1, "points": 0}], True) == 1
    )


def test_shipped_criteria_pass_their_own_checks():
    for criterion in Criterion.objects.select_related("scheme", "parent"):
        criterion.full_clean()


def test_shipped_tt09_gives_criterion_1_its_38_points_and_classes_from_the_circular():
    data = load_scheme(shipped(TT09))
    c1 = data.by_number["1"]
    assert [(c.number, c.max_points) for c in data.children[c1.pk]] == [
        ("1.1", 8), ("1.2", 10), ("1.3", 10), ("1.4", 5), ("1.5", 5),
    ]  # fmt: skip
    assert data.max_of(c1) == 38
    assert [(t.klass, t.min_points) for t in data.thresholds] == [
        ("tot", 80),
        ("kha", 65),
        ("trung_binh", 50),
        ("yeu", 0),
    ]
    assert {(r.kind, r.condition, r.months, r.klass) for r in data.rules} == {
        ("exclude", "operating_months_below", 12, ""),
        ("force", "administrative_fine", None, "yeu"),
    }


def test_shipped_tt01_has_15_criteria_in_three_groups_of_30_30_40_points():
    data = load_scheme(shipped(TT01))
    groups = data.children[None]
    assert [(g.number, data.max_of(g)) for g in groups] == [("I", 30), ("II", 30), ("III", 40)]
    criteria = [c.number for g in groups for c in data.children[g.pk]]
    assert criteria == [str(n) for n in range(1, 16)]
    assert {(r.condition, r.months) for r in data.rules} == {
        ("operating_months_below", 12),
        ("stopped_months_above", 3),
    }


def test_unconfirmed_values_are_blank_and_marked():
    """The values no public source gave: left for an administrator, marked unconfirmed (see the report)."""
    blank = {
        code: sorted(c.number for c in load_scheme(shipped(code)).leaves if c.max_points is None)
        for code in (TT09, TT01)
    }
    assert blank == {TT09: ["3", "4", "5", "6"], TT01: ["10", "11", "12", "13", "14", "15"]}
    unconfirmed = {
        code: sorted(c.number for c in shipped(code).criteria.filter(confirmed=False))
        for code in (TT09, TT01)
    }
    assert unconfirmed[TT09] == ["2", "2.1", "3", "4", "5", "6"]
    assert "1b" in unconfirmed[TT01] and "III" in unconfirmed[TT01] and "I" not in unconfirmed[TT01]


def test_a_criterion_with_bands_above_its_maximum_is_refused():
    criterion = shipped(TT09).criteria.get(number="1.2")
    criterion.bands = [{"min": None, "max": None, "points": 12}]
    with pytest.raises(ValidationError, match="outside 0 to 10"):
        criterion.full_clean()


def test_a_criterion_with_an_unknown_figure_is_refused():
    criterion = shipped(TT09).criteria.get(number="1.2")
    criterion.expression = "turnover"
    with pytest.raises(ValidationError) as err:
        criterion.full_clean()
    assert "turnover" in str(err.value.message_dict["expression"])
