"""Fixtures of the dashboard: a small Lai Châu written through the services.

`world` registers, through the registry's and the returns' services:
- in legacy Thị trấn Than Uyên (→ current Xã Than Uyên): four HTX of different sectors founded 2018–2023,
  one of them dissolved in 2024, one suspended since 2023, one with the Farmers' Union as founding
  supporter and a member of the provincial union; a THT; a people's credit fund;
- in legacy Xã Phúc Than (→ current Xã Mường Than): one HTX, classified weak in its approved return;
- in current Xã Tân Uyên (another commune): one HTX founded in 2025;
- approved returns for 2023 and 2024 with members, workers, incomes, managers, yes/no answers and the
  self-classification, and one submitted (not approved) return that nothing may count.
"""

from __future__ import annotations

import datetime
from itertools import count

import pytest

_codes = count(1)


@pytest.fixture
def places(db, units):
    from hoptac.units.models import Unit

    def get(era, level, code):
        return Unit.objects.get(era=era, level=level, code=code)

    class Places:
        province = units.lai_chau
        legacy_province = units.legacy_lai_chau
        district = units.than_uyen_district
        tt_than_uyen = units.tt_than_uyen
        phuc_than = get("legacy", "commune", "03618")
        xa_than_uyen = units.xa_than_uyen
        xa_muong_than = get("current", "commune", "03618")
        xa_tan_uyen = units.xa_tan_uyen

    return Places


@pytest.fixture
def org(db, people):
    """org(unit, founded, kind="htx", sector="nong-nghiep", **fields) through the registry's service."""
    from hoptac.registry.models import Sector
    from hoptac.registry.services import organisation_create

    sectors = {s.code: s for s in Sector.objects.all()}

    def make(unit, founded, *, kind="htx", sector="nong-nghiep", name=None, **fields):
        if isinstance(founded, int):
            founded = datetime.date(founded, 3, 1)
        number = next(_codes)
        return organisation_create(
            actor=people.admin,
            name=name or f"{kind.upper()} Thử Số {number}",
            code=None if kind == "tht" else f"6290{number:06d}",
            kind=kind,
            sector=sectors[sector],
            unit=unit,
            founded_on=founded,
            **fields,
        )

    return make


@pytest.fixture
def change_status(db, people):
    from hoptac.registry.services import organisation_change_status

    def change(organisation, status, day):
        number = "12/QĐ-UBND" if status in ("dissolved", "bankrupt", "terminated") else ""
        return organisation_change_status(
            org=organisation, actor=people.admin, status=status, effective_on=day, decision_number=number
        ).organisation

    return change


@pytest.fixture
def approved(db, people):
    """approved(org, year, status="approved", **figures): a yearly return walked through the services."""
    from hoptac.returns import services

    def make(organisation, year, *, status="approved", **figures):
        ret, _created = services.return_create_or_get(
            organisation=organisation, year=year, actor=people.admin
        )
        ret, _warnings = services.return_save(
            ret=ret, actor=people.admin, data=figures, expected_version=ret.version
        )
        if status in ("submitted", "approved"):
            ret = services.return_submit(ret=ret, actor=people.admin)
        if status == "approved":
            ret = services.return_approve(ret=ret, actor=people.admin)
        return ret

    return make


FIGURES = {
    "members_individual": 12,
    "members_household": 3,
    "workers": 8,
    "income_member": 40,
    "income_worker": 50,
    "managers": 4,
    "managers_university": 1,
    "managers_college": 1,
    "managers_intermediate": 1,
    "managers_elementary": 1,
    "managers_untrained": 0,
    "managers_trained": 2,
    "managers_young": 2,
    "managers_young_degree": 1,
}


@pytest.fixture
def world(places, org, change_status, approved):
    """The small Lai Châu described in the module docstring; returns the organisations by name."""
    w = {}
    w["agri"] = org(places.tt_than_uyen, 2018, name="HTX Chè Than Uyên", supporter="hnd", union_member=True)
    w["build"] = org(places.tt_than_uyen, 2020, sector="xay-dung", name="HTX Xây dựng Mường Than")
    w["trade"] = org(places.tt_than_uyen, 2021, sector="thuong-mai", name="HTX Dịch vụ Than Uyên")
    w["gone"] = org(places.tt_than_uyen, 2019, name="HTX Đã Giải Thể")
    w["asleep"] = org(places.tt_than_uyen, 2022, sector="van-tai", name="HTX Vận tải Ngủ Đông")
    w["group"] = org(places.tt_than_uyen, 2021, kind="tht", name="THT Trồng Chè Bản Lướt")
    w["fund"] = org(places.tt_than_uyen, 2017, kind="qtdnd", sector="tin-dung", name="Quỹ tín dụng Than Uyên")
    w["weak"] = org(places.phuc_than, 2019, name="HTX Yếu Phúc Than")
    w["new"] = org(places.xa_tan_uyen, 2025, name="HTX Mới Tân Uyên")
    change_status(w["gone"], "dissolved", datetime.date(2024, 5, 10))
    change_status(w["asleep"], "suspended", datetime.date(2023, 8, 1))
    for year in (2023, 2024):
        approved(
            w["agri"], year, **FIGURES, self_classification="tot", high_technology=True, value_chain_link=True
        )
        approved(
            w["build"], year, **FIGURES, self_classification="kha", high_technology=False, credit_access=True
        )
        approved(w["trade"], year, **FIGURES, self_classification="trung_binh", value_chain_link=False)
        approved(w["weak"], year, **FIGURES, self_classification="yeu", credit_access=False)
        approved(
            w["fund"],
            year,
            members_individual=300,
            workers=5,
            bad_debt_ratio="1.5",
            self_classification="kha",
        )
        approved(w["group"], year, members_individual=6, workers=2, income_member=20, income_worker=25)
    approved(w["asleep"], 2024, status="submitted", **FIGURES, self_classification="tot")
    return w


@pytest.fixture
def plan(db, units, people):
    """The plan of seed 000 (Lai Châu, 2021–2030), loaded from the indicators' fixtures."""
    from hoptac.indicators.models import Plan
    from hoptac.indicators.services import plan_load

    plan_load(slug="lai-chau-ktt-2021-2030")
    return Plan.objects.get(slug="lai-chau-ktt-2021-2030")


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches the engine's results per data version: every test starts without them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_user(client):
    """as_user(user): the test client logged in as `user`, answering in English."""

    def login(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return login
