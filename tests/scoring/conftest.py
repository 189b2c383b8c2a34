"""Fixtures for the classification: organisations of both schemes, approved returns, completed schemes.

The shipped schemes (loaded by the migration) leave unconfirmed maxima blank, so that no sheet can be
submitted under them; `complete_schemes` enters illustrative values as new versions, as an
administrator would, for the tests of the workflow.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

YEAR = 2024


@pytest.fixture(autouse=True)
def _english(english):
    """The classification's tests read its messages in English."""


TT09 = "tt09-2017-bnnptnt"
TT01 = "tt01-2020-bkhdt"

# Illustrative maxima for the blanks (not official): TT 09 criteria 2.2 (added), 3–6; TT 01 10–15.
FILL = {
    TT09: {
        "2.2": {"parent": "2", "title_vi": "Lợi ích khác", "title_en": "Other benefits", "max_points": 14,
                "rule": "manual"},
        "3": {"max_points": 15}, "4": {"max_points": 10}, "5": {"max_points": 5}, "6": {"max_points": 10},
    },
    TT01: {"10": {"max_points": 8}, "11": {"max_points": 8}, "12": {"max_points": 8}, "13": {"max_points": 6},
           "14": {"max_points": 5}, "15": {"max_points": 5}},
}  # fmt: skip

# Figures of an approved return that give TT 09 criterion 1: 1.1 = 4 (110 %), 1.2 = 6 (1 200 million),
# 1.3 = 7 (profit 80 / 10 members = 8 million a member).
FIGURES = {
    "members_individual": 10,
    "workers": 6,
    "workers_members": 4,
    "income_worker": 48,
    "revenue": 1200,
    "revenue_planned": Decimal("1090.9"),
    "profit": 80,
    "total_assets": 2000,
}


@pytest.fixture
def agri_org(make_org):
    """An agricultural HTX of Xã Than Uyên, founded in 2018: rated under TT 09/2017."""
    return make_org("HTX Chè Than Uyên", code="6201000001", law="2023")


@pytest.fixture
def trade_org(make_org):
    """A trade HTX of Xã Than Uyên: rated under TT 01/2020."""
    from hoptac.registry.models import Sector

    return make_org(
        "HTX Thương mại Mường Than", code="6201000003", sector=Sector.objects.get(code="thuong-mai")
    )


@pytest.fixture
def other_org(make_org, units):
    """An agricultural HTX of Xã Tân Uyên, another commune."""
    return make_org("HTX Lúa Tân Uyên", unit=units.xa_tan_uyen, code="6201000002", law="2023")


@pytest.fixture
def rep(db, agri_org):
    from hoptac.accounts.models import Role, User

    user = User.objects.create_user(
        username="giamdoc", password="pw", role=Role.COOPERATIVE, organisation=agri_org, first_name="Lò Văn A"
    )
    user.full_clean(exclude=["password"])
    return user


@pytest.fixture
def approve(people):
    """approve(org, year=YEAR, status="approved", **figures): a return brought to `status` by the admin."""
    from hoptac.returns import services

    def make(org, year=YEAR, status="approved", **figures):
        actor = people.admin
        ret, _ = services.return_create_or_get(organisation=org, year=year, actor=actor)
        ret, _ = services.return_save(
            ret=ret, actor=actor, data={**FIGURES, **figures}, expected_version=ret.version
        )
        if status in ("submitted", "approved"):
            ret = services.return_submit(ret=ret, actor=actor)
        if status == "approved":
            ret = services.return_approve(ret=ret, actor=actor)
        return ret

    return make


@pytest.fixture
def complete_schemes(people):
    """New, complete versions of both schemes (illustrative maxima for the blanks), in force."""
    from hoptac.scoring.models import Scheme
    from hoptac.scoring.schemes import scheme_edit

    out = {}
    for code, criteria in FILL.items():
        scheme = Scheme.objects.get(code=code, active=True)
        out[code] = scheme_edit(scheme=scheme, actor=people.admin, criteria=criteria, note="test values")
    return out


def manual_entries(sheet, points: dict[str, object] | None = None, *, fill: str = "max"):
    """Entries for every criterion a person scores on `sheet`: its maximum (or 0), with evidence."""
    from hoptac.scoring.rules import evaluate, load_scheme
    from hoptac.scoring.services import returns_for, sheet_entries

    data = load_scheme(sheet.scheme)
    ret, prev = returns_for(sheet.organisation, sheet.year)
    evaluation = evaluate(data, org=sheet.organisation, ret=ret, prev=prev, entered=sheet_entries(sheet))
    out = {}
    for row in evaluation.leaves:
        if row.enterable and row.max_points is not None:
            value = row.max_points if fill == "max" else Decimal(0)
            out[row.criterion.number] = {"points": value, "evidence": "Sổ sách năm 2024"}
    for number, value in (points or {}).items():
        out[number] = {"points": value, "evidence": "Sổ sách năm 2024"}
    return out


def founded(year: int, month: int = 1, day: int = 1) -> datetime.date:
    return datetime.date(year, month, day)
