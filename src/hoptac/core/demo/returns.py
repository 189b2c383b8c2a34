"""The demo province's yearly returns, 2020–2026, written through the return services.

`plan_returns` draws, from the registry plan alone, each organisation's figures year after year and
the workflow steps that bring each return to its state; `ensure_returns` replays the steps of the
returns that are not in the database yet, keyed on (organisation, year), so a second run writes
nothing and a return deleted by hand comes back.

Who reports for year Y (the round page's rule, returns.queries.round_queryset):
- an organisation founded by 31/12/Y and not ended reports; founded during Y, it reports its first
  months and is not rated (a cooperative operating less than 12 months in the year is not
  classified); cooperative groups (THT) are never rated: both scoring schemes are for cooperatives;
- one ended during Y files no return (the round shows it "not required"), unless it ended after the
  data period (14/12/Y), when it had reported already;
- one stopped or not at its address on 14/12/Y mostly files nothing (the round shows it missing);
  when its commune enters a return for it, the return shows no activity and the class "yếu".

What the figures follow (domain.md, seed 000): each organisation has a latent quality and grows or
shrinks gradually; HTX 7–60 official members, THT 2–15; income 30–70 million đồng a person rising
about 7 % a year (59 nationally in 2024, less in Lai Châu); revenue 200 million to 10 billion đồng for
an HTX; managers 3–7 with an education mix that improves as young graduates arrive; about 10–20 %
apply high technology, 25–40 % are linked in a value chain, 30 % borrow; credit funds' bad debt
0.5–3 %; HTX self-rated tốt or khá about half in 2020 and 60 % in 2024, yếu 10–20 %.

The rounds (today is in the 2026 round, whose data period ends on 14/12/2026): 2020–2023 almost all
approved; 2024 mostly approved, some submitted, sent back with a reason, drafts, missing; 2025
closed, nearly all approved; 2026 open, about 40 % submitted, 20 % approved, drafts, the rest
missing. Some approved returns were sent back and corrected first, a few were reopened with a
reason, corrected and approved again, so their history shows it. Returns are entered by the
cooperative's representative where it has an account (htx.hadung), else by the commune officer of
its commune, else by the province officer; the commune officer approves in his commune, the province
officer elsewhere.

A few returns carry warnings on purpose: HTX under the 2023 law with 4 official members, incomes
that jump by more than half in a year.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from hoptac.accounts.models import Role, User
from hoptac.registry.models import Kind, Law, Organisation, Status
from hoptac.returns.fields import MANAGER_EDUCATION_FIELDS, Classification
from hoptac.returns.models import AnnualReturn
from hoptac.returns.services import (
    return_approve,
    return_create_or_get,
    return_reopen,
    return_save,
    return_send_back,
    return_submit,
)

from .plan import PROVINCE, SEED, Geo, OrgSpec

FIRST_YEAR = 2020
LAST_YEAR = 2026  # the round under way: its data period ends on 14/12/2026

RetStatus = AnnualReturn.Status
MISSING = "missing"

# Final state of a return by year: (approved, submitted, sent back, draft, missing).
STATE_WEIGHTS = {
    2020: (98.5, 0, 0, 0, 1.5),
    2021: (98.5, 0, 0, 0, 1.5),
    2022: (98, 0, 0, 0, 2),
    2023: (96, 1.5, 0, 0, 2.5),
    2024: (76, 9, 4, 4, 7),
    2025: (89, 5, 1.5, 1.5, 3),
    2026: (20, 40, 3, 14, 23),
}
STATES = (RetStatus.APPROVED, RetStatus.SUBMITTED, RetStatus.RETURNED, RetStatus.DRAFT, MISSING)
# Of the approved returns, how many were sent back once before (by year), and how many reopened.
SENT_BACK_BEFORE = {2020: 0.02, 2021: 0.03, 2022: 0.04, 2023: 0.05, 2024: 0.07, 2025: 0.06, 2026: 0.05}
REOPENED = {2022: 0.008, 2023: 0.01, 2024: 0.012, 2025: 0.008}

# Self-classification: score = mean of the year + SCORE_SPREAD * z, z ~ N(0, 1) for an organisation
# of average quality; classes as both schemes: tốt ≥ 80, khá 65–<80, trung bình 50–<65, yếu < 50.
SCORE_MEAN_2020 = 66.0
SCORE_TREND = 1.0  # points a year: the province's cooperatives improve (seed 000's targets)
SCORE_SPREAD = 14.5

# Why an officer sends a return back, and the mistake in the figures that made him do it.
SEND_BACK_REASONS = (
    ("workers", "Số lao động thường xuyên chưa khớp với danh sách lao động của hợp tác xã."),
    ("members", "Số thành viên chính thức chưa khớp với sổ đăng ký thành viên."),
    ("revenue", "Doanh thu chưa khớp với báo cáo tài chính năm; đề nghị kiểm tra lại."),
    ("trained", "Chưa nhập số cán bộ quản lý được đào tạo, bồi dưỡng trong năm."),
)
REOPEN_REASONS = (
    ("revenue", "Điều chỉnh doanh thu, lợi nhuận theo báo cáo tài chính năm {year} đã được kiểm toán."),
    ("members", "Điều chỉnh số thành viên theo nghị quyết Đại hội thành viên thường niên."),
)
CORRECTION_NOTES = {
    "workers": "Đã điều chỉnh số lao động thường xuyên theo danh sách lao động.",
    "members": "Đã điều chỉnh số thành viên theo sổ đăng ký thành viên.",
    "revenue": "Đã điều chỉnh doanh thu, lợi nhuận theo báo cáo tài chính.",
    "trained": "Đã bổ sung số cán bộ quản lý được đào tạo, bồi dưỡng.",
}

# Revenue of a typical HTX of the sector in 2020, million đồng.
MEDIAN_REVENUE = {
    "nong-nghiep": 850,
    "thuong-mai": 1800,
    "xay-dung": 3200,
    "cong-nghiep": 1500,
    "van-tai": 2800,
    "du-lich": 800,
    "moi-truong": 1100,
    "nuoc-sach": 900,
    "cho": 1300,
    "dien-nang": 2400,
}
# Manager education (university, college, intermediate, elementary, untrained) in 2020 by kind.
EDUCATION = {
    Kind.HTX: (0.16, 0.10, 0.27, 0.20, 0.27),
    Kind.THT: (0.03, 0.04, 0.13, 0.25, 0.55),
    Kind.LHHTX: (0.50, 0.20, 0.20, 0.10, 0.0),
    Kind.QTDND: (0.60, 0.20, 0.20, 0.0, 0.0),
}
MANAGER_COUNTS = {
    Kind.HTX: ((3, 30), (4, 25), (5, 25), (6, 12), (7, 8)),
    Kind.THT: ((1, 50), (2, 40), (3, 10)),
    Kind.LHHTX: ((5, 40), (6, 35), (7, 25)),
    Kind.QTDND: ((5, 40), (6, 35), (7, 25)),
}
MANAGER_BOUNDS = {Kind.HTX: (3, 7), Kind.THT: (1, 3), Kind.LHHTX: (5, 7), Kind.QTDND: (5, 7)}
DORMANT = {Status.STOPPED, Status.NOT_AT_ADDRESS}
FEW_MEMBERS_ORGS = 3  # HTX under the 2023 law reporting 4 official members (a warning)
INCOME_JUMP_ORGS = 6  # HTX whose income jumps by more than half in a year (a warning)


def period_end(year: int) -> datetime.date:
    """Last day of the data period of `year` (Thông tư 09/2024/TT-BKHĐT)."""
    return datetime.date(year, 12, 14)


def status_on(spec: OrgSpec, day: datetime.date) -> str:
    status = Status.ACTIVE
    for step in spec.steps:
        if step.effective_on <= day:
            status = step.status
    return status


def reports_in(spec: OrgSpec, year: int) -> bool:
    """Whether the organisation owes a return for `year` (see the module's docstring)."""
    if spec.founded_on > datetime.date(year, 12, 31):
        return False
    ended = spec.ended_on
    return ended is None or ended > period_end(year)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _income(value: float) -> Decimal:
    return Decimal(str(round(value, 1)))


def _pick(rng: random.Random, pairs) -> Any:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _clip(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


@dataclass
class Manager:
    born: int
    level: int  # index into MANAGER_EDUCATION_FIELDS: 0 university … 4 untrained


@dataclass(frozen=True)
class YearFigures:
    figures: dict[str, Any]
    dormant: bool = False  # stopped or not at its address at the end of the data period


@dataclass(frozen=True)
class Action:
    """One service call: save (with `data`), submit, approve, send_back or reopen (with `reason`)."""

    name: str
    actor: str  # username
    data: dict[str, Any] | None = None
    reason: str = ""


@dataclass
class ReturnSpec:
    key: str  # the organisation's key (OrgSpec.key)
    year: int
    state: str  # the status the actions end in
    figures: dict[str, Any]  # the figures the return ends with (for a draft: what it holds)
    actions: list[Action] = field(default_factory=list)


class Trajectory:
    """One organisation's figures over the years, drawn from its own random stream.

    Its own stream (seeded by SEED and the organisation's key) keeps an organisation's figures the
    same whatever else the plan holds, so that restoring one organisation restores its figures.
    """

    def __init__(self, spec: OrgSpec, *, union_members: dict[int, int], few_members: bool, jump_year: int):
        self.spec = spec
        self.rng = random.Random(f"{SEED}-returns-{spec.key}")
        self.union_members = union_members
        self.few_members = few_members
        self.jump_year = jump_year
        self.young_age = settings.HOPTAC_YOUNG_MANAGER_MAX_AGE
        self._draw_constants()

    # -- constants of the organisation ------------------------------------------------------------

    def _draw_constants(self) -> None:
        rng, spec = self.rng, self.spec
        kind, agri = spec.kind, spec.sector == "nong-nghiep"
        ends_badly = any(s.status in DORMANT | Status.ended() | {Status.REORGANISING} for s in spec.steps)
        self.quality = rng.gauss(0, 1) - (0.9 if ends_badly else 0.0)
        self.noise = rng.gauss(0, 1)
        age = max(0, FIRST_YEAR - spec.founded_on.year)
        self.size = rng.lognormvariate(0, 0.5) * (1 + min(age, 10) * 0.03)
        if kind == Kind.HTX:
            low = 5 if spec.law == Law.LAW_2023 else 7
            self.members = _clip(round(13 * self.size * rng.lognormvariate(0, 0.3)), low, 60)
            self.legal_entities = _pick(rng, ((0, 85), (1, 12), (2, 3)))
            self.household_share = rng.uniform(0.3, 0.9) if agri else rng.choice((0.0, 0.0, 0.2))
            self.associates = 0 if rng.random() < 0.5 else rng.randint(1, 8)
            heavy = spec.sector in {"xay-dung", "van-tai", "cong-nghiep"}
            self.worker_ratio = rng.uniform(0.5, 1.0) if heavy else rng.uniform(0.3, 0.8)
            self.outside_workers = rng.randint(2, 12) if heavy else rng.randint(0, 3)
            self.member_worker_share = rng.uniform(0.6, 0.95) if heavy else rng.uniform(0.8, 1.0)
            bonus = {"xay-dung": 1.15, "van-tai": 1.15, "dien-nang": 1.1, "nong-nghiep": 0.95}
            self.income = 38 * bonus.get(spec.sector, 1.0) * rng.lognormvariate(0, 0.15)
            self.revenue = MEDIAN_REVENUE.get(spec.sector, 1000) * self.size * rng.lognormvariate(0, 0.35)
            self.asset_ratio = rng.uniform(0.8, 2.0) if heavy else rng.uniform(0.5, 1.4)
        elif kind == Kind.THT:
            self.members = rng.randint(3, 12)
            self.legal_entities = 0
            self.household_share = rng.uniform(0.6, 1.0) if agri else rng.uniform(0.0, 0.5)
            self.associates = 0
            self.worker_ratio = rng.uniform(0.6, 1.0)
            self.outside_workers = 0
            self.member_worker_share = 1.0
            self.income = 28 * rng.lognormvariate(0, 0.15)
            self.revenue = rng.uniform(60, 450)
            self.asset_ratio = rng.uniform(0.3, 0.8)
        elif kind == Kind.QTDND:
            self.members = rng.randint(700, 2200)
            self.legal_entities = 0
            self.household_share = 0.0
            self.associates = 0
            self.worker_ratio = 0.0
            self.outside_workers = rng.randint(6, 13)
            self.member_worker_share = 1.0
            self.income = 72 * rng.lognormvariate(0, 0.1)
            self.revenue = rng.uniform(2500, 6000)
            self.asset_ratio = rng.uniform(7, 10)
            self.quality = abs(self.quality) * 0.8 + 0.5  # the province's credit funds are sound
        else:  # a union of cooperatives: its official members are the cooperatives
            self.members = 0
            self.legal_entities = 0
            self.household_share = 0.0
            self.associates = 0
            self.worker_ratio = 0.0
            self.outside_workers = rng.randint(4, 8)
            self.member_worker_share = 0.5
            self.income = 52 * rng.lognormvariate(0, 0.1)
            self.revenue = rng.uniform(1200, 3000)
            self.asset_ratio = rng.uniform(0.8, 1.5)
        self.income_growth = rng.uniform(0.05, 0.09)
        self.member_income_ratio = rng.uniform(0.8, 1.02)
        self.capital = float(spec.charter_capital) if spec.charter_capital is not None else None
        self.paid_share = rng.uniform(0.5, 0.95)
        self.bad_debt = rng.uniform(0.7, 1.8)
        self.credit = rng.random() < (0.7 if kind == Kind.QTDND else 0.3)
        self.high_tech_from = self._adoption(
            {Kind.HTX: 0.34 if agri else 0.14, Kind.THT: 0.05, Kind.LHHTX: 0.5}.get(kind, 0.0), 2014, 2030
        )
        self.value_chain_from = self._adoption(
            {Kind.HTX: 0.6 if agri else 0.35, Kind.THT: 0.25, Kind.LHHTX: 1.0}.get(kind, 0.0), 2012, 2030
        )
        self.land_from = self._adoption(
            {Kind.HTX: 0.5 if agri else 0.3, Kind.THT: 0.08, Kind.LHHTX: 0.3}.get(kind, 0.0), 2010, 2030
        )
        count = _pick(rng, MANAGER_COUNTS[kind])
        self.managers = [self._new_manager(FIRST_YEAR, recruit=False) for _ in range(count)]

    def _adoption(self, p_ever: float, first: int, last: int) -> int:
        """The year from which a practice holds (high technology, a value chain …); 9999 for never."""
        if self.rng.random() >= p_ever:
            return 9999
        return max(self.rng.randint(first, last), self.spec.founded_on.year)

    def _new_manager(self, year: int, *, recruit: bool) -> Manager:
        rng = self.rng
        weights = list(EDUCATION[self.spec.kind])
        # Young graduates sent to cooperatives (seed 000) and courses: the mix improves each year.
        shift = min(weights[4], 0.02 * (year - FIRST_YEAR) + (0.08 if recruit else 0.0))
        weights[0] += shift * 0.6
        weights[1] += shift * 0.4
        weights[4] -= shift
        age = rng.randint(23, 45) if recruit else rng.randint(26, 60)
        return Manager(born=year - age, level=rng.choices(range(5), weights=weights)[0])

    # -- the years ------------------------------------------------------------------------------

    def years(self) -> dict[int, YearFigures]:
        """Figures by year for every year the organisation owes a return."""
        spec, rng = self.spec, self.rng
        out: dict[int, YearFigures] = {}
        start = max(FIRST_YEAR, spec.founded_on.year)
        u = self.noise
        credit = self.credit
        for year in range(start, LAST_YEAR + 1):
            if not reports_in(spec, year):
                if spec.ended_on is not None and spec.ended_on <= period_end(year):
                    break
                continue
            first_year = year == spec.founded_on.year
            if year > start:
                self._grow(year)
            u = 0.6 * u + 0.8 * rng.gauss(0, 1)
            z = 0.8 * self.quality + 0.6 * u
            credit = rng.random() < (0.6 if credit else 0.17)
            status = status_on(spec, period_end(year))
            if status in DORMANT:
                out[year] = YearFigures(self._dormant(year), dormant=True)
                continue
            activity = 1.0
            if first_year:
                activity = _clip((period_end(year) - spec.founded_on).days / 365, 0.05, 1.0)
            if status == Status.SUSPENDED:
                activity = 0.35
            elif status == Status.REORGANISING:
                activity, z = 0.5, z - 1.0
            figures = self._figures(
                year,
                z=z,
                activity=activity,
                credit=credit,
                rated=not first_year,
                slowed=activity < 1 and not first_year,
            )
            out[year] = YearFigures(figures)
        return out

    def _grow(self, year: int) -> None:
        rng, spec = self.rng, self.spec
        if spec.kind == Kind.HTX:
            low = 5 if spec.law == Law.LAW_2023 else 7
            growth = 0.025 + 0.03 * self.quality + rng.gauss(0, 0.05)
            self.members = _clip(round(self.members * math.exp(growth)), low, 60)
            if rng.random() < 0.15:
                self.associates = max(0, self.associates + rng.choice((-1, 1, 1, 2)))
            self.outside_workers = max(0, self.outside_workers + rng.choice((-1, 0, 0, 1)))
        elif spec.kind == Kind.THT:
            self.members = _clip(self.members + rng.choice((-1, 0, 0, 0, 1, 1)), 2, 15)
        elif spec.kind == Kind.QTDND:
            self.members = round(self.members * rng.uniform(1.01, 1.05))
        else:
            self.outside_workers = _clip(self.outside_workers + rng.choice((-1, 0, 0, 1)), 3, 10)
        self.revenue *= math.exp(0.05 + 0.04 * self.quality + rng.gauss(0, 0.08))
        self.income *= 1 + self.income_growth + rng.gauss(0, 0.015)
        if year == self.jump_year:
            self.income *= rng.uniform(1.55, 1.8)  # a new contract with an enterprise, say
        self.paid_share = min(1.0, self.paid_share + rng.uniform(0.0, 0.05))
        self.bad_debt = _clip(self.bad_debt + rng.gauss(0, 0.35), 0.4, 3.0)
        self._turn_over_managers(year)

    def _turn_over_managers(self, year: int) -> None:
        rng = self.rng
        low, high = MANAGER_BOUNDS[self.spec.kind]
        for i, manager in enumerate(self.managers):
            if rng.random() < 0.08 or year - manager.born > 62:
                self.managers[i] = self._new_manager(year, recruit=True)
            elif manager.level >= 2 and rng.random() < 0.05:
                manager.level -= 1  # a course completed: one level up
        roll = rng.random()
        if roll < 0.04 and len(self.managers) < high:
            self.managers.append(self._new_manager(year, recruit=True))
        elif roll < 0.07 and len(self.managers) > low:
            self.managers.pop(rng.randrange(len(self.managers)))

    def _manager_figures(self, year: int, *, training: bool = True) -> dict[str, Any]:
        levels = Counter(m.level for m in self.managers)
        young = [m for m in self.managers if year - m.born <= self.young_age]
        figures: dict[str, Any] = {"managers": len(self.managers)}
        figures |= {name: levels.get(i, 0) for i, name in enumerate(MANAGER_EDUCATION_FIELDS)}
        figures["managers_young"] = len(young)
        figures["managers_young_degree"] = sum(1 for m in young if m.level <= 1)
        if training:
            p = 0.22 + 0.035 * (year - FIRST_YEAR) + (0.1 if self.spec.union_member else 0.0)
            if self.spec.kind == Kind.THT:
                p /= 2
            figures["managers_trained"] = sum(1 for _ in self.managers if self.rng.random() < p)
        else:
            figures["managers_trained"] = 0
        return figures

    def _members(self, year: int) -> dict[str, int | None]:
        if self.spec.kind == Kind.LHHTX:
            return {
                "members_individual": 0,
                "members_household": 0,
                "members_legal_entity": self.union_members.get(year, 0),
                "members_associate": 0,
            }
        total = int(self.members)
        if self.few_members and year >= 2025:
            total = 4
        legal = min(self.legal_entities, max(0, total - 2))
        households = round((total - legal) * self.household_share)
        return {
            "members_individual": total - legal - households,
            "members_household": households,
            "members_legal_entity": legal,
            "members_associate": self.associates if self.spec.kind == Kind.HTX else 0,
        }

    def _score_class(self, year: int, z: float) -> str:
        score = SCORE_MEAN_2020 + SCORE_TREND * (year - FIRST_YEAR) + SCORE_SPREAD * z
        if score >= 80:
            return Classification.GOOD
        if score >= 65:
            return Classification.FAIR
        if score >= 50:
            return Classification.AVERAGE
        return Classification.WEAK

    def _figures(
        self, year: int, *, z: float, activity: float, credit: bool, rated: bool, slowed: bool
    ) -> dict[str, Any]:
        spec, rng, kind = self.spec, self.rng, self.spec.kind
        figures: dict[str, Any] = self._members(year)
        official = (
            figures["members_individual"] + figures["members_household"] + figures["members_legal_entity"]
        )
        if kind == Kind.HTX:
            workers_members = min(official, max(1, round(official * self.worker_ratio)))
            workers = workers_members + self.outside_workers
            workers_members = min(workers_members, round(workers * self.member_worker_share) or 1)
        elif kind == Kind.THT:
            workers = workers_members = max(2, min(official, round(official * self.worker_ratio)))
        else:
            workers = int(self.outside_workers)
            workers_members = workers if kind == Kind.QTDND else round(workers * self.member_worker_share)
        figures["workers"] = workers
        figures["workers_members"] = workers_members
        if kind in (Kind.HTX, Kind.THT):
            agri = spec.sector == "nong-nghiep"
            insured_share = (
                0.0 if kind == Kind.THT or (agri and rng.random() < 0.7) else rng.uniform(0.2, 0.8)
            )
            figures["members_social_insurance"] = round(workers_members * insured_share)
        else:
            figures["members_social_insurance"] = workers_members
        income = self.income * (0.7 if slowed else 1.0)  # a suspended year pays less
        figures["income_worker"] = _income(_clip(income, 20, 120))
        if kind in (Kind.HTX, Kind.THT):
            figures["income_member"] = _income(_clip(income * self.member_income_ratio, 18, 120))
        revenue = self.revenue * activity
        if kind == Kind.HTX:
            revenue = min(revenue, 10000.0)
            revenue = max(revenue, 200.0 if activity >= 1.0 else 30.0)
        figures["revenue"] = _money(revenue)
        if kind != Kind.THT:
            figures["revenue_planned"] = Decimal(round(revenue / rng.uniform(0.82, 1.18), -1))
        margin = 0.045 + 0.035 * z + rng.gauss(0, 0.015)
        if kind == Kind.QTDND:
            margin += 0.08
        figures["profit"] = _money(revenue * _clip(margin, -0.15, 0.25))
        assets = revenue * self.asset_ratio
        if self.capital is not None:
            paid = self.capital * self.paid_share * math.sqrt(max(official, 1) / max(self.members, 1))
            figures["charter_capital_contributed"] = _money(paid)
            assets = max(assets, paid * rng.uniform(1.05, 1.4))
        figures["total_assets"] = _money(assets)
        figures |= self._manager_figures(year)
        figures["high_technology"] = kind != Kind.QTDND and year >= self.high_tech_from
        figures["value_chain_link"] = kind != Kind.QTDND and year >= self.value_chain_from
        figures["land_use_certificate"] = year >= self.land_from
        figures["credit_access"] = credit
        if kind == Kind.QTDND:
            figures["bad_debt_ratio"] = Decimal(str(round(self.bad_debt, 2)))
        if rated and kind != Kind.THT:
            figures["self_classification"] = self._score_class(year, z)
        if not rated:
            figures["notes"] = "Năm đầu hoạt động, chưa đủ 12 tháng: chưa tự xếp loại."
        return figures

    def _dormant(self, year: int) -> dict[str, Any]:
        figures: dict[str, Any] = self._members(year)
        figures |= {"workers": 0, "workers_members": 0, "members_social_insurance": 0}
        figures |= {"revenue": Decimal(0), "profit": _money(-self.rng.uniform(2, 15))}
        figures |= self._manager_figures(year, training=False)
        if self.capital is not None:
            figures["charter_capital_contributed"] = _money(self.capital * self.paid_share)
            figures["total_assets"] = _money(self.capital * self.paid_share * self.rng.uniform(1.0, 1.3))
        if self.spec.kind != Kind.THT:
            figures["self_classification"] = Classification.WEAK
        figures["notes"] = "Ngừng sản xuất, kinh doanh trong năm; chưa làm thủ tục giải thể."
        return figures


# -- the workflow ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actors:
    entry: str  # who enters and submits
    approver: str  # who approves, sends back, reopens


def actors_by_key(plan: list[OrgSpec], geo: Geo, users) -> dict[str, Actors]:
    """Who enters and approves each organisation's returns, from the demo's accounts (load.USERS)."""
    province = next(u.username for u in users if u.role == Role.PROVINCE)
    officers = {
        f"c{PROVINCE}/{u.unit[2]}/": u.username
        for u in users
        if u.role == Role.COMMUNE and u.unit and u.unit[:2] == ("current", "commune")
    }
    representatives = {u.organisation_tag: u.username for u in users if u.organisation_tag}
    out = {}
    for spec in plan:
        commune = spec.unit_path if spec.unit_path in geo.current else geo.legacy[spec.unit_path].successor
        officer = officers.get(commune, province)
        out[spec.key] = Actors(entry=representatives.get(spec.tag, officer), approver=officer)
    return out


def _flawed(figures: dict[str, Any], mistake: str, rng: random.Random) -> dict[str, Any]:
    """The figures as first entered, with the mistake an officer then finds."""
    wrong = dict(figures)
    if mistake == "workers":
        wrong["workers"] = figures["workers"] + rng.randint(2, 5)
    elif mistake == "members":
        wrong["members_individual"] = figures["members_individual"] + rng.randint(1, 3)
    elif mistake == "revenue":
        wrong["revenue"] = _money(float(figures["revenue"]) * rng.uniform(0.88, 0.95))
        wrong["profit"] = _money(float(figures["profit"]) * rng.uniform(0.85, 0.95))
    else:  # "trained"
        wrong["managers_trained"] = None
    wrong.pop("notes", None)
    return wrong


def _correction(figures: dict[str, Any], flawed: dict[str, Any], mistake: str) -> dict[str, Any]:
    changed = {k: v for k, v in figures.items() if flawed.get(k) != v}
    note = CORRECTION_NOTES[mistake]
    changed["notes"] = f"{figures['notes']} {note}" if figures.get("notes") else note
    return changed


def _draft(figures: dict[str, Any]) -> dict[str, Any]:
    """What a return being typed in holds: members, workers and managers so far."""
    keep = {
        "members_individual",
        "members_household",
        "members_legal_entity",
        "members_associate",
        "workers",
        "workers_members",
        "managers",
        *MANAGER_EDUCATION_FIELDS,
    }
    return {k: v for k, v in figures.items() if k in keep}


def _actions(
    figures: dict[str, Any], state: str, actors: Actors, wf: random.Random, *, year: int, cycle: str
) -> tuple[list[Action], dict[str, Any]]:
    """The service calls that bring a return to `state`, and the figures it ends with."""
    entry, approver = actors.entry, actors.approver
    if state == RetStatus.DRAFT:
        held = _draft(figures)
        return [Action("save", entry, held)], held
    if state == RetStatus.RETURNED:
        mistake, reason = wf.choice(SEND_BACK_REASONS)
        flawed = _flawed(figures, mistake, wf)
        return [
            Action("save", entry, flawed),
            Action("submit", entry),
            Action("send_back", approver, reason=reason),
        ], flawed
    if cycle == "sent_back":
        mistake, reason = wf.choice(SEND_BACK_REASONS)
        flawed = _flawed(figures, mistake, wf)
        steps = [
            Action("save", entry, flawed),
            Action("submit", entry),
            Action("send_back", approver, reason=reason),
            Action("save", entry, _correction(figures, flawed, mistake)),
            Action("submit", entry),
        ]
        figures = {**figures, "notes": _correction(figures, flawed, mistake)["notes"]}
    elif cycle == "reopened":
        mistake, reason = wf.choice(REOPEN_REASONS)
        flawed = _flawed(figures, mistake, wf)
        steps = [
            Action("save", entry, flawed),
            Action("submit", entry),
            Action("approve", approver),
            Action("reopen", approver, reason=reason.format(year=year)),
            # The officer who reopened corrects the figures himself, from the audited statement.
            Action("save", approver, _correction(figures, flawed, mistake)),
            Action("submit", approver),
        ]
        figures = {**figures, "notes": _correction(figures, flawed, mistake)["notes"]}
    else:
        steps = [Action("save", entry, figures), Action("submit", entry)]
    if state == RetStatus.APPROVED:
        steps.append(Action("approve", approver))
    return steps, figures


def _chosen(plan: list[OrgSpec], label: str, count: int, wanted) -> set[str]:
    pool = [o.key for o in plan if wanted(o)]
    rng = random.Random(f"{SEED}-returns-{label}")
    return set(rng.sample(pool, min(count, len(pool))))


def _union_members(spec: OrgSpec) -> dict[int, int]:
    out = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        day = period_end(year)
        out[year] = sum(
            1 for _, joined, left in spec.members if joined <= day and (left is None or left > day)
        )
    return out


# Special cases, in the plan's words.
HA_DUNG_TAG = "htx.hadung"
HA_DUNG_STATES = {2024: (RetStatus.APPROVED, "sent_back"), 2026: (RetStatus.SUBMITTED, "")}
REOPEN_COMMUNE = f"c{PROVINCE}/03595/"  # Xã Than Uyên, the commune of the demo's commune officer
REOPEN_YEAR = 2024


def plan_returns(plan: list[OrgSpec], geo: Geo, users) -> list[ReturnSpec]:
    """Every return of the demo, in the order to write them: year by year, in the plan's order.

    A pure function of the registry plan and the demo's accounts: the same on every run.
    """
    actors = actors_by_key(plan, geo, users)
    last_year = min(LAST_YEAR, timezone.localdate().year)  # the services refuse a year to come

    def active_2023_htx(o: OrgSpec) -> bool:
        return (
            o.kind == Kind.HTX
            and o.law == Law.LAW_2023
            and o.founded_on < datetime.date(2025, 1, 1)
            and o.ended_on is None
            and not o.steps
        )

    def steady_htx(o: OrgSpec) -> bool:
        return (
            o.kind == Kind.HTX
            and o.founded_on.year < 2020
            and o.ended_on is None
            and not o.steps
            and not o.tag
        )

    few = _chosen(plan, "few-members", FEW_MEMBERS_ORGS, active_2023_htx)
    jumpers = sorted(_chosen(plan, "income-jump", INCOME_JUMP_ORGS, steady_htx))
    jump_years = {key: 2022 + i % 4 for i, key in enumerate(jumpers)}
    # The reopened return everyone can find: the first steady cooperative of Xã Than Uyên.
    reopen_key = next(
        o.key
        for o in plan
        if steady_htx(o)
        and o.key not in jump_years
        and (o.unit_path if o.unit_path in geo.current else geo.legacy[o.unit_path].successor)
        == REOPEN_COMMUNE
    )
    by_year: dict[int, list[ReturnSpec]] = {y: [] for y in range(FIRST_YEAR, last_year + 1)}
    for spec in plan:
        trajectory = Trajectory(
            spec,
            union_members=_union_members(spec),
            few_members=spec.key in few,
            jump_year=jump_years.get(spec.key, 0),
        )
        wf = random.Random(f"{SEED}-workflow-{spec.key}")
        for year, drawn in trajectory.years().items():
            if year > last_year:
                continue
            figures = drawn.figures
            state = wf.choices(STATES, weights=STATE_WEIGHTS[year])[0]
            if drawn.dormant and wf.random() < 0.7:
                state = MISSING  # a dormant cooperative mostly files nothing
            cycle = ""
            roll = wf.random()
            if roll < REOPENED.get(year, 0.0):
                cycle = "reopened"
            elif roll < REOPENED.get(year, 0.0) + SENT_BACK_BEFORE[year]:
                cycle = "sent_back"
            if spec.tag == HA_DUNG_TAG:
                state, cycle = HA_DUNG_STATES.get(year, (RetStatus.APPROVED, ""))
            if spec.key == reopen_key and year == REOPEN_YEAR:
                state, cycle = RetStatus.APPROVED, "reopened"
            if cycle == "reopened" and state != RetStatus.APPROVED:
                cycle = ""
            if state == MISSING:
                continue
            actions, final = _actions(figures, state, actors[spec.key], wf, year=year, cycle=cycle)
            by_year[year].append(ReturnSpec(spec.key, year, state, final, actions))
    return [r for year in sorted(by_year) for r in by_year[year]]


# -- writing ----------------------------------------------------------------------------------------


@dataclass
class ReturnsReport:
    created: int = 0
    service_calls: int = 0
    with_warnings: int = 0
    seconds: float = 0.0


def ensure_returns(specs: list[ReturnSpec], *, orgs: dict[str, Organisation]) -> ReturnsReport:
    """Replay, through the return services, the steps of every return not yet in the database."""
    started = time.monotonic()
    report = ReturnsReport()
    years = {r.year for r in specs}
    have = set(
        AnnualReturn.objects.filter(year__in=years, organisation__in=orgs.values()).values_list(
            "organisation_id", "year"
        )
    )
    todo = [r for r in specs if (orgs[r.key].pk, r.year) not in have]
    if not todo:
        return report
    usernames = {a.actor for r in todo for a in r.actions}
    users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("unit")}
    for spec in todo:
        first = spec.actions[0]
        ret, _created = return_create_or_get(
            organisation=orgs[spec.key], year=spec.year, actor=users[first.actor]
        )
        warned = False
        for action in spec.actions:
            actor = users[action.actor]
            if action.name == "save":
                ret, findings = return_save(
                    ret=ret, actor=actor, data=action.data, expected_version=ret.version
                )
                warned = bool(findings)
            elif action.name == "submit":
                ret = return_submit(ret=ret, actor=actor, expected_version=ret.version)
            elif action.name == "approve":
                ret = return_approve(ret=ret, actor=actor, expected_version=ret.version)
            elif action.name == "send_back":
                ret = return_send_back(
                    ret=ret, actor=actor, reason=action.reason, expected_version=ret.version
                )
            else:
                ret = return_reopen(ret=ret, actor=actor, reason=action.reason, expected_version=ret.version)
            report.service_calls += 1
        report.created += 1
        report.with_warnings += warned
    report.seconds = time.monotonic() - started
    return report
