"""Target progress: every status, each moved by changing the data, the baseline, ranges, totals over
years, growths on a base year, the sub-units that pull a result down, and the cost in queries.

Most tests hold the former Than Uyên district (12 legacy communes) to "at least 13 cooperatives at the
end of 2027", in a plan that starts in 2022, looked at as of 2025: the trend is the least-squares line
through 2021–2025, and "at risk" means missing by at most 10 % of the 11 from the baseline (2 in 2022).
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from hoptac.indicators.models import Indicator, Plan, Target
from hoptac.indicators.progress import Status, meets, target_progress, targets_progress


@pytest.fixture
def plan(places):
    return Plan.objects.create(
        slug="thu",
        title="Kế hoạch thử",
        issuer="UBND huyện",
        area=places.district,
        start_year=2022,
        end_year=2027,
    )


@pytest.fixture
def target(plan):
    def make(code="htx-existing", value=13, year=2027, comparator=">=", **fields):
        indicator = Indicator.objects.get(code=code)
        t = Target(
            plan=plan,
            indicator=indicator,
            area=plan.area,
            year=year,
            comparator=comparator,
            value=None if value is None else Decimal(value),
            unit=indicator.unit,
            **fields,
        )
        t.full_clean()
        t.save()
        return t

    return make


@pytest.fixture
def found(places, org):
    """found({year: n, …}, commune=…): n cooperatives founded in each year."""

    def make(per_year, commune=None):
        made = []
        for year, n in per_year.items():
            made += [org(commune or places.tt_than_uyen, year) for _ in range(n)]
        return made

    return make


def status(t, year=2025):
    return target_progress(t, as_of_year=year).status


def test_at_risk_becomes_on_track_with_one_more_cooperative(target, found):
    t = target()
    found({2022: 2, 2023: 2, 2024: 2, 2025: 2})  # 2, 4, 6, 8: the line reaches 12 in 2027, 1 short of 13
    progress = target_progress(t, as_of_year=2025)
    assert (progress.status, progress.actual, progress.actual_year, progress.projected) == (
        Status.AT_RISK,
        8,
        2025,
        Decimal("12.00"),
    )
    assert (progress.baseline, progress.baseline_year) == (2, 2022)
    found({2025: 1})  # 0, 2, 4, 6, 9: the line reaches 13.0
    assert status(t) == Status.ON_TRACK


def test_off_track_becomes_at_risk_when_the_last_year_keeps_up_the_pace(target, found):
    t = target()
    found({2022: 2, 2023: 2, 2024: 2})  # 2, 4, 6, 6: the line reaches 10, 3 short
    assert status(t) == Status.OFF_TRACK
    found({2025: 2})
    assert status(t) == Status.AT_RISK


def test_on_track_becomes_achieved_when_the_target_is_met_now(target, found):
    t = target()
    found({2022: 2, 2023: 2, 2024: 2, 2025: 3})
    assert status(t) == Status.ON_TRACK
    found({2025: 4})
    progress = target_progress(t, as_of_year=2025)
    assert (progress.status, progress.actual) == (Status.ACHIEVED, 13)


def test_on_track_becomes_off_track_when_cooperatives_are_dissolved(target, found, change_status):
    t = target()
    made = found({2022: 2, 2023: 2, 2024: 2, 2025: 3})
    assert status(t) == Status.ON_TRACK
    for org in made[:3]:
        change_status(org, "dissolved", datetime.date(2025, 6, 1))
    assert status(t) == Status.OFF_TRACK


def test_a_missed_target_year_is_off_track_whatever_the_trend(target, found):
    t = target(value=10, year=2024)
    found({2022: 2, 2023: 2, 2024: 2, 2025: 10})
    progress = target_progress(t, as_of_year=2025)
    assert (progress.status, progress.actual_year, progress.actual) == (Status.OFF_TRACK, 2024, 6)


def test_no_data_becomes_achieved_once_a_return_classified_good_is_approved(target, places, org, approved):
    t = target(code="htx-effective-share", value=70, comparator=">")
    htx = org(places.tt_than_uyen, 2018)
    assert status(t) == Status.NO_DATA
    ret = approved(htx, 2024, status="submitted", self_classification="tot")
    assert status(t) == Status.NO_DATA  # submitted, not approved
    from hoptac.returns.services import return_approve

    return_approve(ret=ret, actor=ret.created_by)
    assert status(t) == Status.ACHIEVED


def test_off_track_becomes_achieved_with_approved_returns_classified_good(target, places, org, approved):
    t = target(code="htx-effective-share", value=70, comparator=">")
    first = [org(places.tt_than_uyen, 2018) for _ in range(4)]
    for year in (2024, 2025):
        for i, htx in enumerate(first):
            approved(htx, year, self_classification="tot" if i == 0 else "yeu")
    progress = target_progress(t, as_of_year=2025)
    assert (progress.status, progress.actual) == (Status.OFF_TRACK, Decimal("25.00"))
    assert "2024–2025" in progress.method_text or "2024-2025" in progress.method_text
    for _ in range(8):
        approved(org(places.phuc_than, 2018), 2025, self_classification="tot")
    progress = target_progress(t, as_of_year=2025)
    assert (progress.status, progress.actual) == (Status.ACHIEVED, Decimal("75.00"))


def test_lower_is_better_targets_are_met_below(target, places, org, approved):
    t = target(code="htx-weak-share", value=15, comparator="<")
    orgs = [org(places.tt_than_uyen, 2018) for _ in range(4)]
    approved(orgs[0], 2025, self_classification="yeu")
    for htx in orgs[1:]:
        approved(htx, 2025, self_classification="kha")
    assert status(t) == Status.OFF_TRACK  # 25 % weak, one year only: flat
    for _ in range(3):
        approved(org(places.tt_than_uyen, 2018), 2025, self_classification="tot")
    assert target_progress(t, as_of_year=2025).actual == Decimal("14.29")
    assert status(t) == Status.ACHIEVED


def test_ranges_are_met_inside_or_beyond_on_the_good_side(db):
    workers = Target(
        indicator=Indicator.objects.get(code="htx-workers"),
        comparator="=",
        min_value=Decimal(5000),
        max_value=Decimal(6000),
    )
    assert [meets(workers, Decimal(v)) for v in (4999, 5000, 5500, 7000)] == [False, True, True, True]
    bad_debt = Target(
        indicator=Indicator.objects.get(code="credit-bad-debt-ratio"),
        comparator="=",
        min_value=Decimal(1),
        max_value=Decimal(2),
    )
    assert [meets(bad_debt, Decimal(v)) for v in ("2.5", "2", "1.5", "0.5")] == [False, True, True, True]
    about = Target(
        indicator=Indicator.objects.get(code="htx-value-chain-share"), comparator="=", value=Decimal(10)
    )
    assert [meets(about, Decimal(v)) for v in ("9.99", "10", "30")] == [False, True, True]
    strict = Target(indicator=Indicator.objects.get(code="htx-income"), comparator=">", value=Decimal(70))
    assert [meets(strict, Decimal(v)) for v in ("70", "70.01")] == [False, True]


def test_a_total_over_years_adds_up_the_foundings_from_its_first_year(target, places, org):
    t = target(code="lhhtx-founded", value=2, year=2025, cumulative_from=2021)
    org(places.tt_than_uyen, 2020, kind="lhhtx")  # before the period: not counted
    org(places.tt_than_uyen, 2022, kind="lhhtx")
    progress = target_progress(t, as_of_year=2023)
    assert (progress.actual, progress.status) == (1, Status.OFF_TRACK)  # 1 + 1/3 × 2 = 1.67, 0.33 short
    org(places.phuc_than, 2023, kind="lhhtx")
    progress = target_progress(t, as_of_year=2023)
    assert (progress.actual, progress.status) == (2, Status.ACHIEVED)
    not_begun = target(code="lhhtx-founded", value=2, year=2030, cumulative_from=2026)
    assert target_progress(not_begun, as_of_year=2025).status == Status.NO_DATA


def test_a_growth_on_a_base_year_reads_the_targets_base_year(target, places, org):
    t = target(code="union-members-growth", value=20, year=2019, base_year=2018)
    for _ in range(5):
        org(places.tt_than_uyen, 2017, union_member=True)
    org(places.tt_than_uyen, 2019, union_member=True)
    progress = target_progress(t, as_of_year=2019)
    assert (progress.actual, progress.status) == (Decimal("20.00"), Status.ACHIEVED)
    assert (progress.baseline_year, progress.baseline) == (2018, Decimal("0.00"))


def test_laggards_are_the_communes_that_pull_a_share_down(target, places, org, approved):
    t = target(code="htx-effective-share", value=70, comparator=">")
    for _ in range(3):
        approved(org(places.tt_than_uyen, 2018), 2025, self_classification="tot")
    for _ in range(3):
        approved(org(places.phuc_than, 2018), 2025, self_classification="yeu")
    approved(org(places.muong_cang, 2018), 2025, self_classification="kha")
    progress = target_progress(t, as_of_year=2025)
    assert progress.actual == Decimal("57.14")
    assert [lag.unit.path for lag in progress.laggards] == [places.phuc_than.path]
    lag = progress.laggards[0]
    assert lag.value == 0 and lag.impact == Decimal("-24.49")  # (0 − 57.14) × 3 / 7


def test_laggards_of_a_count_are_the_communes_below_an_even_share(target, places, found):
    t = target(value=30)
    found({2022: 6}, commune=places.tt_than_uyen)
    found({2022: 6}, commune=places.phuc_than)
    progress = target_progress(t, as_of_year=2025)
    assert len(progress.laggards) == 5
    assert places.tt_than_uyen.path not in [lag.unit.path for lag in progress.laggards]
    assert all(lag.value == 0 and lag.impact == -1 for lag in progress.laggards)


def test_all_targets_of_a_plan_cost_a_fixed_number_of_queries(db, django_assert_max_num_queries):
    call_command("loadplan", "lai-chau-ktt-2021-2030", stdout=io.StringIO())
    targets = list(
        Target.objects.filter(plan__slug="lai-chau-ktt-2021-2030").select_related("indicator", "area", "plan")
    )
    assert len(targets) == 44
    with django_assert_max_num_queries(5):
        progress = targets_progress(targets, as_of_year=2025)
    assert progress[targets[0].pk].status in Status.values


def test_progress_command_lists_every_target_with_its_status(db):
    import json

    call_command("loadplan", "kon-tum-2019", stdout=io.StringIO())
    out = io.StringIO()
    call_command("progress", "--plan", "kon-tum-2019", "--as-of", "2019", "--format", "json", stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) == 9
    founded = next(r for r in rows if r["indicator"] == "htx-founded")
    assert (founded["actual"], founded["status"], founded["target"]) == (0, "off_track", "≥ 20")
    assert next(r for r in rows if r["indicator"] == "union-members-share")["status"] == "no_data"
