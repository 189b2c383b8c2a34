"""Fixtures for indicators: places of the former Than Uyên district, organisations with their dated
history written through the registry's services, and approved yearly returns through the returns'.

Places (legacy district 110, Than Uyên, Lai Châu; official codes):
- legacy Thị trấn Than Uyên 03595 and Xã Mường Cang 03631 both became the current Xã Than Uyên 03595;
- legacy Xã Phúc Than 03618 became the current Xã Mường Than 03618;
- legacy Thị trấn Tân Uyên 03598 (district 111) became the current Xã Tân Uyên 03598.
The former district has 12 legacy communes; the current province 38 communes; Xã Than Uyên came from
4 legacy communes.
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
        district = units.than_uyen_district  # legacy district 110
        legacy_province = units.legacy_lai_chau
        province = units.lai_chau
        tt_than_uyen = units.tt_than_uyen  # legacy commune 03595
        muong_cang = get("legacy", "commune", "03631")
        phuc_than = get("legacy", "commune", "03618")
        tt_tan_uyen = get("legacy", "commune", "03598")
        xa_than_uyen = units.xa_than_uyen  # current commune 03595
        xa_muong_than = get("current", "commune", "03618")
        xa_tan_uyen = units.xa_tan_uyen

    return Places


@pytest.fixture
def org(db, people):
    """org(unit, founded=date or year, kind="htx", sector="nong-nghiep", **fields): an organisation
    registered through the service, with its founding date."""
    from hoptac.registry.models import Sector
    from hoptac.registry.services import organisation_create

    sectors = {s.code: s for s in Sector.objects.all()}

    def make(unit, founded, *, kind="htx", sector="nong-nghiep", name=None, **fields):
        if isinstance(founded, int):
            founded = datetime.date(founded, 3, 1)
        number = next(_codes)
        return organisation_create(
            actor=people.admin,
            name=name or f"{kind.upper()} số {number}",
            code=None if kind == "tht" else f"62{number:08d}",
            kind=kind,
            sector=sectors[sector],
            unit=unit,
            founded_on=founded,
            **fields,
        )

    return make


@pytest.fixture
def change_status(db, people):
    """change_status(org, status, date): a dated change of legal status through the service."""
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
        actor = people.admin
        ret, _created = services.return_create_or_get(organisation=organisation, year=year, actor=actor)
        ret, _warnings = services.return_save(
            ret=ret, actor=actor, data=figures, expected_version=ret.version
        )
        if status in ("submitted", "approved"):
            ret = services.return_submit(ret=ret, actor=actor)
        if status == "approved":
            ret = services.return_approve(ret=ret, actor=actor)
        return ret

    return make


@pytest.fixture
def value_of():
    """value_of(code, unit, year, **kw) → the engine's Value for one indicator, unit and year."""
    from hoptac.indicators.engine import compute

    def get(code, unit, year, **kw):
        return compute([code], [unit], [year], **kw)[(code, unit.id, year)]

    return get


@pytest.fixture
def engine_only():
    """The engine's own sources only: the functions other apps register for theirs (official scores,
    support records, OCOP products) cost their own queries, asserted by their own tests; they are set
    aside for the test and put back after."""
    from hoptac.indicators import engine

    saved = dict(engine._SOURCES)
    engine._SOURCES.clear()
    yield
    engine._SOURCES.update(saved)
