"""The demo's action programme (core.demo.programme): agency accounts, reports of past years (some
late, some missing), this year's partly filed, the budget's money; a second run writes nothing."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
from django.db.models import Q, Sum

from hoptac.accounts.models import Role, User
from hoptac.core.demo.programme import ACCOUNTS, PASSWORD, ensure_programme, programme_logins
from hoptac.programme.models import BudgetEntry, BudgetLine, TaskReport
from hoptac.programme.queries import is_late

from .conftest import HND, KTT

NOW = datetime.datetime(2026, 11, 22, 10, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The plans of seeds 000 and 002 and the demo's programme, written once for this module and rolled
    back after it; with the demo's province officer and its Sở Tài chính account."""
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings

    from hoptac.programme.models import Agency
    from hoptac.units.models import Unit

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    with media, django_db_blocker.unblock(), transaction.atomic():
        call_command("loadplan", KTT, HND, stdout=io.StringIO())
        province = User.objects.create_user(
            username="tinh",
            password="x",
            role=Role.PROVINCE,
            unit=Unit.objects.get(era="current", level="province", code="12"),
        )
        User.objects.create_user(
            username="sotaichinh",
            password="x",
            role=Role.AGENCY,
            agency=Agency.objects.get(code="so-tai-chinh"),
        )
        first = ensure_programme(actor=province, now=NOW)
        yield first, province
        transaction.set_rollback(True)


def test_the_demo_gives_agencies_accounts_with_the_demo_password_and_an_address(demo, db, client):
    demo, _province = demo
    assert demo.accounts_created == len(ACCOUNTS)
    user = User.objects.get(username="ubnd.thanuyen")
    assert (user.role, user.agency.code, user.email) == (
        Role.AGENCY,
        "ubnd-xa-03595",
        "ubnd.thanuyen@hoptac.example",
    )
    assert client.login(username="lienminh", password=PASSWORD)
    assert User.objects.get(username="sotaichinh").email == "sotaichinh@hoptac.example"
    assert [row[0] for row in programme_logins()] == [
        "lienminh",
        "hoinongdan",
        "sonnmt",
        "socongthuong",
        "ubnd.thanuyen",
    ]


def test_the_demo_files_past_reports_some_late_some_missing_and_this_years_partly(demo, db):
    demo, _province = demo
    reports = TaskReport.objects.select_related("task__plan__programme")
    leads = reports.filter(role=TaskReport.Role.LEAD)
    assert demo.reports_created == leads.count() > 150
    assert demo.contributions == reports.filter(role=TaskReport.Role.CONTRIBUTION).count()
    late = [r for r in leads if is_late(r, r.task.plan.programme.deadline(r.year))]
    assert 0.05 * demo.reports_created < len(late) == demo.late < 0.3 * demo.reports_created
    assert demo.missing > 20 and demo.contributions > 5
    assert reports.filter(year=2026).exists()
    assert not reports.filter(year=2026, submitted_at__gt=NOW).exists()
    assert reports.filter(agency__code="so-ke-hoach-dau-tu", year__lte=2024).exists()  # filed by Sở Tài chính
    assert not reports.filter(agency__code__in=["cuc-thue", "bao-lai-chau"]).exists()
    assert reports.filter(attachments__isnull=False).exists()


def test_the_demo_budget_is_allocated_and_disbursed_within_the_lines(demo, db):
    demo, _province = demo
    assert demo.budget_entries > 30
    for line in BudgetLine.objects.filter(plan__slug=KTT).annotate(
        allocated=Sum("entries__amount", filter=Q(entries__kind="allocation")),
        disbursed=Sum("entries__amount", filter=Q(entries__kind="disbursement")),
    ):
        assert line.allocated and (line.disbursed or 0) <= line.allocated
    assert (
        BudgetEntry.objects.filter(year=2026).exists() and not BudgetEntry.objects.filter(year=2027).exists()
    )


def test_a_second_demo_run_writes_nothing(demo, db):
    _first, province = demo
    again = ensure_programme(actor=province, now=NOW)
    assert (again.accounts_created, again.reports_created, again.budget_entries, again.contributions) == (
        0,
        0,
        0,
        0,
    )
