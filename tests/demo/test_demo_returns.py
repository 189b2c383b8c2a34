"""The demo's yearly returns 2020–2026: loaded once for this module through `hoptac demo`, rolled back after it."""

import datetime
import io
from collections import Counter, defaultdict
from decimal import Decimal
from statistics import median

import pytest
from django.core.management import call_command
from django.utils import translation

from hoptac.accounts.models import User
from hoptac.core.demo import USERS, build_plan, geo_from_units
from hoptac.core.demo.returns import MISSING, period_end, plan_returns
from hoptac.registry.models import Kind, Law, Organisation
from hoptac.returns.models import AnnualReturn
from hoptac.returns.queries import round_counts, round_queryset
from hoptac.returns.validation import active_rules, return_validate

Status = AnnualReturn.Status
THAN_UYEN = "c12/03595/"
TAN_UYEN = "c12/03598/"


def _demo() -> str:
    """Run `hoptac demo` in English (the messages are asserted on) and return what it printed."""
    out = io.StringIO()
    with translation.override("en"):
        call_command("demo", "--no-logins", stdout=out)
    return out.getvalue()


def _round(year: int) -> dict[str, int]:
    return round_counts(round_queryset(User.objects.get(username="tinh"), year)).by_status


def _returns(**filters):
    return AnnualReturn.objects.filter(**filters).select_related("organisation")


def _reasons(ret: AnnualReturn) -> list[tuple[str, str]]:
    return list(
        ret.history.order_by("history_id").values_list("history_change_reason", "history_user__username")
    )


def _official(ret: AnnualReturn) -> int:
    return ret.members_individual + ret.members_household + ret.members_legal_entity


def test_demo_reports_the_returns_it_entered(demo, db):
    assert "yearly returns for 2020–2026" in demo


@pytest.mark.parametrize("year", [2024, 2026])
def test_every_workflow_state_and_missing_returns_appear_in_2024_and_2026(demo, db, year):
    counts = _round(year)
    for state in (Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED, MISSING):
        assert counts[state] >= 2, (year, counts)


def test_past_rounds_are_almost_all_approved_and_the_2026_round_is_under_way(demo, db):
    for year in (2020, 2021, 2022, 2023):
        counts = _round(year)
        expected = sum(counts.values()) - counts["not_required"]
        assert counts[Status.APPROVED] >= 0.9 * expected, (year, counts)
        assert counts[Status.DRAFT] == counts[Status.RETURNED] == 0
    counts = _round(2024)
    expected = sum(counts.values()) - counts["not_required"]
    assert 0.65 * expected <= counts[Status.APPROVED] <= 0.85 * expected, counts
    counts = _round(2026)
    expected = sum(counts.values()) - counts["not_required"]
    assert 0.30 * expected <= counts[Status.SUBMITTED] <= 0.50 * expected, counts
    assert 0.12 * expected <= counts[Status.APPROVED] <= 0.28 * expected, counts
    assert 0.12 * expected <= counts[MISSING] <= 0.35 * expected, counts


def test_no_return_breaks_a_blocking_rule_and_some_carry_the_intended_warnings(demo, db):
    rules = active_rules()
    errors, warnings = [], Counter()
    for ret in AnnualReturn.objects.select_related("organisation__sector", "organisation__subsector"):
        for finding in return_validate(ret, rules=rules):
            if finding.is_error:
                errors.append((ret.organisation.name, ret.year, finding.code))
            else:
                warnings[finding.code] += 1
    assert errors == []
    assert warnings["htx-2023-min-members"] >= 2
    assert warnings["income-member-change"] >= 3
    assert sum(warnings.values()) < 0.05 * AnnualReturn.objects.count()  # warnings stay exceptions


def test_the_few_members_warnings_are_cooperatives_under_the_2023_law_with_four_members(demo, db):
    small = [r for r in _returns(organisation__kind=Kind.HTX) if _official(r) < 7]
    assert small
    assert all(r.organisation.law == Law.LAW_2023 for r in small)
    assert {_official(r) for r in small if _official(r) < 5} == {4}


def test_only_organisations_existing_at_the_end_of_the_data_period_have_a_return(demo, db):
    for ret in _returns():
        org = ret.organisation
        assert org.founded_on <= datetime.date(ret.year, 12, 31), (org.name, ret.year)
        assert org.ended_on is None or org.ended_on > period_end(ret.year), (org.name, ret.year)
    # Those ended during a year before its data period closed show as "not required" in its round.
    assert _round(2022)["not_required"] > 0


def test_figures_stay_in_realistic_ranges(demo, db):
    for ret in _returns(organisation__kind=Kind.HTX).exclude(status=Status.DRAFT):
        assert 4 <= _official(ret) <= 65, (ret, _official(ret))
        assert 3 <= ret.managers <= 7
        if ret.workers:
            assert 18 <= ret.income_worker <= 120, ret
            assert 25 <= ret.revenue <= Decimal(10000)
    for ret in _returns(organisation__kind=Kind.THT).exclude(status=Status.DRAFT):
        assert 2 <= _official(ret) <= 15
        assert ret.self_classification == ""  # the scoring schemes rate cooperatives only
    for ret in _returns(organisation__kind=Kind.QTDND).exclude(bad_debt_ratio=None):
        assert Decimal("0.3") <= ret.bad_debt_ratio <= 3
    htx = _returns(organisation__kind=Kind.HTX).exclude(status=Status.DRAFT)
    losses = htx.filter(profit__lt=0).count()
    assert 0.05 * htx.count() < losses < 0.25 * htx.count()


def test_income_rises_over_the_years_from_around_35_million(demo, db):
    by_year = defaultdict(list)
    for year, income in (
        _returns(organisation__kind=Kind.HTX).exclude(income_member=None).values_list("year", "income_member")
    ):
        by_year[year].append(income)
    medians = [median(by_year[y]) for y in range(2020, 2027)]
    assert 28 <= medians[0] <= 42, medians
    assert 38 <= medians[4] <= 55, medians
    assert medians == sorted(medians)


def test_classification_shares_follow_seed_000s_targets(demo, db):
    def shares(year):
        rated = Counter(
            _returns(organisation__kind=Kind.HTX, year=year)
            .exclude(self_classification="")
            .values_list("self_classification", flat=True)
        )
        total = sum(rated.values())
        return (rated["tot"] + rated["kha"]) / total, rated["yeu"] / total

    good_2020, weak_2020 = shares(2020)
    good_2024, weak_2024 = shares(2024)
    assert 0.43 <= good_2020 <= 0.55, good_2020
    assert 0.55 <= good_2024 <= 0.66, good_2024
    assert 0.08 <= weak_2020 <= 0.22 and 0.08 <= weak_2024 <= 0.2, (weak_2020, weak_2024)


def test_practices_shares_are_those_of_a_mountain_province(demo, db):
    htx = _returns(organisation__kind=Kind.HTX, year=2024).exclude(status=Status.DRAFT)
    total = htx.count()
    assert 0.08 <= htx.filter(high_technology=True).count() / total <= 0.22
    assert 0.25 <= htx.filter(value_chain_link=True).count() / total <= 0.42
    assert 0.2 <= htx.filter(credit_access=True).count() / total <= 0.42


def test_an_organisation_grows_or_shrinks_gradually(demo, db):
    members = defaultdict(dict)
    for ret in _returns(organisation__kind=Kind.HTX, status=Status.APPROVED):
        members[ret.organisation_id][ret.year] = _official(ret)
    jumps = [
        (years[y], years[y + 1])
        for years in members.values()
        for y in years
        if y + 1 in years and years[y] >= 7 and years[y + 1] >= 7
    ]
    steady = [1 for a, b in jumps if abs(b - a) <= max(3, 0.25 * a)]
    assert len(steady) >= 0.95 * len(jumps)


def test_the_cooperative_representative_entered_and_submitted_his_own_returns(demo, db):
    rep = User.objects.get(username="htx.hadung")
    rets = AnnualReturn.objects.filter(organisation=rep.organisation).order_by("year")
    assert [r.year for r in rets] == list(range(2020, 2027))
    current = rets.get(year=2026)
    assert current.status == Status.SUBMITTED
    assert current.submitted_by == rep
    assert ("submit", "htx.hadung") in _reasons(current)
    for ret in rets.exclude(year=2026):
        assert ret.status == Status.APPROVED
        assert ret.created_by == rep and ret.submitted_by == rep
        assert ret.approved_by.username == "tinh"  # Mường Kim is not under Xã Than Uyên
    # Sent back once in 2024, corrected by him and approved: the history tells it in order.
    assert _reasons(rets.get(year=2024)) == [
        ("create", "htx.hadung"),
        ("save", "htx.hadung"),
        ("submit", "htx.hadung"),
        ("send_back", "tinh"),
        ("save", "htx.hadung"),
        ("submit", "htx.hadung"),
        ("approve", "tinh"),
    ]


def test_the_commune_officer_approves_in_his_commune_and_the_province_officer_elsewhere(demo, db):
    approved = _returns(status=Status.APPROVED).exclude(organisation__current_path__startswith=TAN_UYEN)
    by_place = Counter(
        (r.organisation.current_path.startswith(THAN_UYEN), r.approved_by.username) for r in approved
    )
    assert set(by_place) == {(True, "xa.thanuyen"), (False, "tinh")}
    assert by_place[True, "xa.thanuyen"] >= 100


def test_returns_were_reopened_with_a_reason_corrected_and_approved_again(demo, db):
    reopened = list(_returns().exclude(reopened_at=None))
    assert len(reopened) >= 3
    assert any(
        r.year == 2024
        and r.organisation.current_path.startswith(THAN_UYEN)
        and r.reopened_by.username == "xa.thanuyen"
        for r in reopened
    )
    for ret in reopened:
        assert ret.status == Status.APPROVED
        assert ret.reopened_reason.startswith("Điều chỉnh")
        assert [reason for reason, _user in _reasons(ret)] == [
            "create",
            "save",
            "submit",
            "approve",
            "reopen",
            "save",
            "submit",
            "approve",
        ]
        first, last = ret.history.filter(history_change_reason="approve").order_by("history_id")
        # The correction is in the history: the figures approved first are not those approved last.
        assert (first.revenue, first.members_individual) != (last.revenue, last.members_individual)
        assert (last.revenue, last.members_individual) == (ret.revenue, ret.members_individual)


def test_returns_sent_back_say_why(demo, db):
    sent_back = _returns(status=Status.RETURNED)
    assert sent_back.filter(year=2024).count() >= 5
    assert all(r.returned_reason and r.returned_by_id for r in sent_back)
    assert sent_back.filter(returned_reason__startswith="Số lao động thường xuyên chưa khớp").exists()


def test_running_demo_again_writes_no_return(demo, db):
    before = (AnnualReturn.objects.count(), AnnualReturn.history.count())
    out = _demo()
    assert (AnnualReturn.objects.count(), AnnualReturn.history.count()) == before
    assert "nothing to do" in out


def test_demo_restores_a_deleted_return_as_it_was(demo, db):
    ret = _returns(year=2022, status=Status.APPROVED).order_by("pk").first()
    before = {f: getattr(ret, f) for f in ("status", "revenue", "members_individual", "self_classification")}
    org, count = ret.organisation, AnnualReturn.objects.count()
    ret.delete()
    _demo()
    again = AnnualReturn.objects.get(organisation=org, year=2022)
    assert {f: getattr(again, f) for f in before} == before
    assert AnnualReturn.objects.count() == count


def test_demo_restores_an_organisation_deleted_with_its_returns_and_the_returns_too(demo, db):
    group = Organisation.objects.filter(kind=Kind.THT, code__isnull=True, annual_returns__year=2026).first()
    name, years = group.name, sorted(group.annual_returns.values_list("year", flat=True))
    # Returns, support records and loans protect their organisation from deletion.
    group.annual_returns.all().delete()
    group.support_records.all().delete()
    group.loans.all().delete()
    group.delete()
    _demo()
    again = Organisation.objects.get(kind=Kind.THT, name=name)
    assert sorted(again.annual_returns.values_list("year", flat=True)) == years


def test_the_returns_are_drawn_the_same_on_every_run_and_the_database_holds_the_plan(demo, db):
    geo = geo_from_units()
    plan = build_plan(geo)
    first, second = plan_returns(plan, geo, USERS), plan_returns(plan, geo, USERS)
    assert first == second
    keys = {o.pk: o.code or f"{o.kind}:{o.name}" for o in Organisation.objects.all()}
    stored = {(keys[r.organisation_id], r.year): r for r in AnnualReturn.objects.all()}
    assert {(r.key, r.year) for r in first} == set(stored)
    for spec in first:
        ret = stored[spec.key, spec.year]
        assert ret.status == spec.state
        for name, value in spec.figures.items():
            assert getattr(ret, name) == value, (spec.key, spec.year, name)
