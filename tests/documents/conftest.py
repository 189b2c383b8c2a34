"""A small province for the annual report: Lai Châu with a few organisations in three communes, their
dated history and their approved yearly returns for 2023 and 2024, written through the services; and
the report of the province for 2024, written once per test module (the data rolled back afterwards).

Places (current units of Lai Châu, official codes): Xã Than Uyên 03595, Xã Tân Uyên 03598, Xã Mường
Than 03618; an organisation of Điện Biên that no Lai Châu figure may count.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from io import StringIO
from itertools import count
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

YEAR = 2024
_codes = count(1)


@dataclass
class Province:
    unit: Any
    communes: dict[str, Any]
    actor: Any
    organisations: dict[str, Any] = field(default_factory=dict)
    returns: dict[tuple[str, int], Any] = field(default_factory=dict)


def _org(p: Province, key, commune, founded, *, kind="htx", sector="nong-nghiep", unit=None, **fields):
    from hoptac.registry.models import Sector
    from hoptac.registry.services import organisation_create

    number = next(_codes)
    org = organisation_create(
        actor=p.actor,
        name=f"{kind.upper()} Báo cáo {key}",
        code=None if kind == "tht" else f"62{number:08d}",
        kind=kind,
        sector=Sector.objects.get(code=sector),
        unit=unit or p.communes[commune],
        founded_on=founded,
        **fields,
    )
    p.organisations[key] = org
    return org


def _status(p: Province, key: str, status: str, day: datetime.date) -> None:
    from hoptac.registry.services import organisation_change_status

    number = "12/QĐ-UBND" if status in ("dissolved", "bankrupt", "terminated") else ""
    result = organisation_change_status(
        org=p.organisations[key], actor=p.actor, status=status, effective_on=day, decision_number=number
    )
    p.organisations[key] = result.organisation


def approved(p: Province, key: str, year: int, *, status: str = "approved", **figures):
    """A yearly return walked through the services (draft → submitted → approved)."""
    from hoptac.returns import services

    ret, _created = services.return_create_or_get(organisation=p.organisations[key], year=year, actor=p.actor)
    ret, _warnings = services.return_save(ret=ret, actor=p.actor, data=figures, expected_version=ret.version)
    if status in ("submitted", "approved"):
        ret = services.return_submit(ret=ret, actor=p.actor)
    if status == "approved":
        ret = services.return_approve(ret=ret, actor=p.actor)
    p.returns[(key, year)] = ret
    return ret


def figures(members, workers, income_member, income_worker, klass, **extra):
    return {
        "members_individual": members,
        "workers": workers,
        "workers_members": min(workers, members),
        "income_member": income_member,
        "income_worker": income_worker,
        "self_classification": klass,
        "managers": 3,
        "managers_trained": 1,
        "managers_university": 1,
        "managers_college": 1,
        "managers_untrained": 1,
        "value_chain_link": True,
        "high_technology": False,
        "credit_access": True,
        **extra,
    }


def build_province(admin) -> Province:
    """The small province: every kind of organisation, foundings and an ending in 2024, returns."""
    from hoptac.indicators.services import plan_load
    from hoptac.units.models import Unit

    def unit(level, code):
        return Unit.objects.get(era="current", level=level, code=code)

    p = Province(
        unit=unit("province", "12"),
        communes={"than_uyen": unit("commune", "03595"), "tan_uyen": unit("commune", "03598"),
                  "muong_than": unit("commune", "03618")},
        actor=admin,
    )  # fmt: skip
    d = datetime.date
    _org(p, "a", "than_uyen", d(2018, 3, 1))
    _org(p, "b", "than_uyen", d(2020, 5, 1), sector="thuong-mai")
    _org(p, "c", "tan_uyen", d(2024, 3, 1), sector="xay-dung")
    _org(p, "d", "tan_uyen", d(2019, 4, 1))
    _org(p, "e", "muong_than", d(2015, 1, 1), kind="qtdnd", sector="tin-dung")
    _org(p, "f", "muong_than", d(2021, 6, 1))
    _org(p, "g", "than_uyen", d(2022, 2, 1), kind="tht")
    _org(p, "h", "tan_uyen", d(2024, 5, 1), kind="tht")
    _org(p, "i", "than_uyen", d(2023, 7, 1), kind="lhhtx")
    dien_bien = Unit.objects.filter(era="current", level="commune", parent__code="11").first()
    _org(p, "far", None, d(2020, 1, 1), unit=dien_bien)
    _status(p, "d", "dissolved", d(2024, 6, 30))
    _status(p, "f", "suspended", d(2024, 2, 1))

    approved(p, "a", 2023, **figures(20, 10, 40, 45, "tot"))
    approved(p, "a", 2024, **figures(25, 12, 45, 48, "kha"))
    approved(p, "b", 2023, **figures(10, 6, 30, 35, "kha"))
    approved(p, "b", 2024, **figures(12, 7, 33, 36, "trung_binh"))
    approved(p, "c", 2024, **figures(8, 5, 20, 25, "yeu"))
    approved(p, "d", 2023, **figures(9, 4, 25, 28, "trung_binh"))
    approved(p, "e", 2024, **figures(30, 9, 60, 65, "tot", bad_debt_ratio="1.2"))
    approved(p, "f", 2024, status="submitted", **figures(7, 3, 15, 18, "yeu"))  # not approved: not counted
    approved(p, "far", 2024, **figures(50, 20, 70, 70, "tot"))
    plan_load(slug="lai-chau-ktt-2021-2030")  # targets, and the action programme's tasks and budget
    programme_year(p)
    return p


UNION = "Liên minh Hợp tác xã tỉnh Lai Châu"


def programme_year(p: Province) -> None:
    """2024 in the action programme: the provincial cooperative union reports one task done and one in
    progress (on time); 500 million VND allocated to the first budget line, 300 disbursed."""
    from decimal import Decimal

    from django.utils import timezone

    from hoptac.accounts.models import Role, User
    from hoptac.programme.models import BudgetLine, Task
    from hoptac.programme.services import budget_entry_record, task_report_save

    tasks = list(
        Task.objects.filter(plan__slug="lai-chau-ktt-2021-2030", lead__name=UNION).order_by("pk")[:2]
    )
    officer = User.objects.create_user(
        username="lien-minh", password="pw", role=Role.AGENCY, agency=tasks[0].lead
    )
    on_time = datetime.datetime(YEAR, 12, 1, 9, 0, tzinfo=timezone.get_current_timezone())
    for task, status, progress in ((tasks[0], "done", 100), (tasks[1], "in_progress", 60)):
        task_report_save(task=task, year=YEAR, actor=officer, narrative="Đã triển khai trong năm.", status=status,
                         progress=progress, submitted_at=on_time)  # fmt: skip
    line = BudgetLine.objects.filter(plan__slug="lai-chau-ktt-2021-2030", period_start__lte=YEAR,
                                     period_end__gte=YEAR).order_by("period_start", "order", "pk").first()  # fmt: skip
    budget_entry_record(line=line, year=YEAR, kind="allocation", amount=Decimal(500), actor=p.actor)
    budget_entry_record(line=line, year=YEAR, kind="disbursement", amount=Decimal(300), actor=p.actor)


def indicators_json(unit, year, codes) -> dict[str, dict]:
    """`hoptac indicators --unit … --year … --codes … --format json`, by code."""
    out = StringIO()
    call_command("indicators", "--unit", unit.key, "--year", str(year), "--codes", ",".join(codes),
                 "--format", "json", stdout=out)  # fmt: skip
    return {r["code"]: r for r in json.loads(out.getvalue())}


def breakdown_json(unit, year, by, kind=None) -> dict:
    out = StringIO()
    args = ["--unit", unit.key, "--year", str(year), "--by", by, "--format", "json"]
    if kind:
        args += ["--kind", kind]
    call_command("breakdown", *args, stdout=out)
    return json.loads(out.getvalue())


@dataclass
class Written:
    """A report written from the small province, with what the tests compare it with."""

    files: dict[str, bytes]
    report: Any  # content.Report
    figures: dict
    indicators: dict[int, dict[str, dict]]  # year → code → `hoptac indicators` record
    breakdown_kind: dict[int, dict]
    snapshot_id: int


def _admin():
    from hoptac.accounts.models import Role, User

    return User.objects.create_user(
        username="report-admin", password="pw", role=Role.ADMIN, is_staff=True, is_superuser=True
    )


@pytest.fixture(scope="module")
def written(django_db_setup, django_db_blocker) -> Written:
    """The province's report for 2024, written once for the module; the data is rolled back after."""
    from hoptac.documents import services
    from hoptac.documents.content import Figures

    with django_db_blocker.unblock(), transaction.atomic():
        province = build_province(_admin())
        snapshot = services.snapshot_take(unit=province.unit, year=YEAR)
        files = services.generate(snapshot)
        report = services.build(snapshot)
        codes = list(Figures(snapshot.figures).data["definitions"])
        registered = [c for c in codes if not c.startswith("report-")]
        indicators = {y: indicators_json(province.unit, y, registered) for y in (YEAR - 1, YEAR)}
        kinds = {y: breakdown_json(province.unit, y, "kind") for y in (YEAR - 1, YEAR)}
        result = Written(files, report, snapshot.figures, indicators, kinds, snapshot.pk)
        transaction.set_rollback(True)
    return result


@pytest.fixture
def province(db, django_user_model):
    """The small province in the test's own transaction (for tests that change the data)."""
    return build_province(_admin())
