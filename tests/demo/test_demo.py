"""`hoptac demo`: the Lai Châu demo province, loaded once for this module and rolled back after it."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import translation

from hoptac.accounts.models import Role, User
from hoptac.core.demo import PASSWORD, build_plan, geo_from_units
from hoptac.programme.models import Agency, BudgetEntry, TaskReport
from hoptac.registry.models import Kind, Organisation, StatusChange, UnionMembership
from hoptac.scoring.models import ScoreSheet
from hoptac.support.models import Loan, SupportRecord
from hoptac.units.models import Unit
from hoptac.web.models import GeoLayer

END_2020 = datetime.date(2020, 12, 31)
END_2023 = datetime.date(2023, 12, 31)
COOPERATIVE_KINDS = (Kind.HTX, Kind.QTDND, Kind.LHHTX)


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "history": Organisation.history.count(),
        "status_changes": StatusChange.objects.count(),
        "memberships": UnionMembership.objects.count(),
        "users": User.objects.count(),
        "agencies": Agency.objects.count(),
        "score_sheets": ScoreSheet.objects.count(),
        "task_reports": TaskReport.objects.count(),
        "budget_entries": BudgetEntry.objects.count(),
        "support_records": SupportRecord.objects.count(),
        "loans": Loan.objects.count(),
        "geolayers": GeoLayer.objects.count(),
    }


def than_uyen_htx():
    return Organisation.objects.filter(kind=Kind.HTX, legacy_path__startswith="l12/110/")


def test_demo_loads_a_province_sized_registry_with_ended_and_suspended_organisations(demo, db):
    by_kind = dict(Organisation.objects.values_list("kind").annotate(n=Count("id")).order_by())
    assert 240 <= by_kind[Kind.HTX] <= 300
    assert 100 <= by_kind[Kind.THT] <= 140
    assert by_kind[Kind.LHHTX] == 2
    assert by_kind[Kind.QTDND] >= 3
    assert Organisation.objects.filter(status="dissolved").exclude(ended_on=None).count() >= 20
    assert Organisation.objects.filter(status__in=["suspended", "stopped"]).exists()
    assert not StatusChange.objects.filter(status="dissolved", decision_number="").exists()
    founded = Organisation.objects.values_list("founded_on", flat=True)
    assert {d.year for d in founded} == set(range(2010, 2026))
    assert Organisation.objects.filter(kind=Kind.QTDND).exclude(sector__code="tin-dung").count() == 0


def test_every_write_went_through_the_services_so_each_organisation_has_its_history(demo, db):
    orgs = Organisation.objects.count()
    assert Organisation.history.filter(history_type="+").count() == orgs
    registered = StatusChange.objects.filter(status="active").values("organisation").distinct().count()
    assert registered == orgs


def test_than_uyen_district_has_44_cooperatives_at_the_end_of_2020_and_71_at_the_end_of_2023(demo, db):
    assert than_uyen_htx().existing_on(END_2020).count() == 44
    assert than_uyen_htx().existing_on(END_2023).count() == 71
    cooperatives = Organisation.objects.filter(kind__in=COOPERATIVE_KINDS, legacy_path__startswith="l12/110/")
    assert cooperatives.existing_on(END_2023).count() == 71  # no union or credit fund muddles the count
    dissolved_between = than_uyen_htx().filter(ended_on__gt=END_2020, ended_on__lte=END_2023)
    assert dissolved_between.count() > 0  # so "founded since 2020" is more than the net 27


def test_than_uyen_cooperatives_at_the_end_of_2023_by_sector_match_seed_003(demo, db):
    by_sector = dict(
        than_uyen_htx().existing_on(END_2023).values_list("sector__code").annotate(n=Count("id")).order_by()
    )
    assert by_sector == {
        "nong-nghiep": 35,
        "xay-dung": 7,
        "cong-nghiep": 3,
        "thuong-mai": 20,
        "van-tai": 4,
        "du-lich": 2,
    }


def test_every_former_than_uyen_commune_had_a_cooperative_at_the_end_of_2023(demo, db):
    communes = set(
        Unit.objects.filter(era="legacy", level="commune", path__startswith="l12/110/").values_list(
            "pk", flat=True
        )
    )
    with_one = set(than_uyen_htx().existing_on(END_2023).values_list("legacy_commune", flat=True))
    assert communes == with_one


def test_every_organisation_lies_in_current_lai_chau_and_the_reform_decides_its_commune_era(demo, db):
    assert Organisation.objects.exclude(current_path__startswith="c12/").count() == 0
    assert Organisation.objects.exclude(legacy_path__startswith="l12/").count() == 0
    reform = datetime.date(2025, 7, 1)
    assert not Organisation.objects.filter(founded_on__lt=reform, unit__era="current").exists()
    assert not Organisation.objects.filter(founded_on__gte=reform, unit__era="legacy").exists()
    assert Organisation.objects.filter(founded_on__gte=reform, unit__era="current").exists()


def test_all_current_communes_but_a_handful_have_a_cooperative_today(demo, db):
    current = Unit.objects.filter(era="current", level="commune", path__startswith="c12/")
    active = Organisation.objects.filter(kind__in=COOPERATIVE_KINDS, ended_on__isnull=True)
    covered = set(active.values_list("current_commune", flat=True))
    without = [u.name for u in current if u.pk not in covered]
    assert 1 <= len(without) <= 6, without


def test_unions_have_member_cooperatives_founded_before_they_joined(demo, db):
    memberships = UnionMembership.objects.select_related("union", "member")
    assert {m.union.kind for m in memberships} == {Kind.LHHTX}
    assert {m.member.kind for m in memberships} == {Kind.HTX}
    for union in Organisation.objects.filter(kind=Kind.LHHTX):
        assert union.memberships.count() >= 3
    assert all(m.member.founded_on <= m.joined_on for m in memberships)


def test_there_is_a_demo_user_for_every_role_bound_as_its_role_requires(demo, db):
    users = User.objects.filter(
        username__in=[
            "admin",
            "tinh",
            "xa.thanuyen",
            "xa.tanuyen",
            "huyen.thanuyen",
            "sotaichinh",
            "htx.hadung",
            "lanhdao",
        ]
    ).select_related("unit", "agency", "organisation")
    assert {u.role for u in users} == set(Role.values)
    for user in users:
        user.full_clean(exclude=["password"])
        assert user.check_password(PASSWORD)
        assert user.get_full_name()
    by_name = {u.username: u for u in users}
    assert by_name["admin"].is_superuser and by_name["admin"].is_staff
    assert by_name["xa.thanuyen"].unit.path == "c12/03595/"
    assert by_name["huyen.thanuyen"].unit.path == "l12/110/"
    assert by_name["sotaichinh"].agency.name == "Sở Tài chính tỉnh Lai Châu"
    assert by_name["htx.hadung"].organisation.kind == Kind.HTX
    assert Agency.objects.filter(unit__path="c12/").count() >= 4


def test_demo_loads_scores_the_programme_support_and_a_sample_map(demo, db):
    assert "cooperative-years by the official schemes" in demo
    assert "task reports" in demo and "loans" in demo
    assert ScoreSheet.objects.filter(status="confirmed").count() > 100
    assert TaskReport.objects.exists() and BudgetEntry.objects.exists()
    assert SupportRecord.objects.exists() and Loan.objects.exists()
    assert GeoLayer.objects.filter(is_sample=True).count() == 1


def test_demo_prints_the_logins_table(demo, db):
    for username in (
        "admin",
        "tinh",
        "xa.thanuyen",
        "huyen.thanuyen",
        "sotaichinh",
        "htx.hadung",
        "lanhdao",
        "lienminh",
    ):
        assert username in demo
    assert PASSWORD in demo


def test_running_demo_again_writes_nothing_and_duplicates_nothing(demo, db):
    before = _counts()
    out = io.StringIO()
    with translation.override("en"):  # the console speaks the default language, Vietnamese
        call_command("demo", stdout=out)
    assert _counts() == before
    assert "nothing to do" in out.getvalue()


def test_demo_restores_an_organisation_deleted_since_the_last_run(demo, db):
    before = _counts()
    group = Organisation.objects.filter(kind=Kind.THT, code__isnull=True).order_by("pk").last()
    name = group.name
    # Returns, support records and loans protect their organisation from deletion.
    group.annual_returns.all().delete()
    group.support_records.all().delete()
    group.loans.all().delete()
    group.delete()
    call_command("demo", stdout=io.StringIO())
    assert Organisation.objects.filter(kind=Kind.THT, name=name).count() == 1
    after = _counts()
    assert after["organisations"] == before["organisations"]


def test_logins_only_prints_the_logins_and_writes_nothing(demo, db):
    before = _counts()
    out = io.StringIO()
    with translation.override("en"):
        call_command("demo", "--logins-only", stdout=out)
    assert "xa.thanuyen" in out.getvalue()
    assert "nothing to do" not in out.getvalue()
    assert _counts() == before


def test_the_plan_is_the_same_on_every_draw(demo, db):
    geo = geo_from_units()
    first, second = build_plan(geo), build_plan(geo)
    assert [(o.key, o.unit_path, o.founded_on, o.steps) for o in first] == [
        (o.key, o.unit_path, o.founded_on, o.steps) for o in second
    ]
    assert {o.key for o in first} == set(
        Organisation.objects.values_list("code", flat=True).exclude(code=None)
    ) | {f"tht:{n}" for n in Organisation.objects.filter(code=None).values_list("name", flat=True)}


def test_demo_refuses_a_database_whose_admin_is_not_an_administrator(demo, db):
    User.objects.filter(username="admin").update(role=Role.VIEWER, is_superuser=False)
    before = _counts()
    with translation.override("en"), pytest.raises(CommandError, match="not a demo database"):
        call_command("demo", stdout=io.StringIO())
    assert _counts() == before
