"""Generate national-scale data on PostgreSQL: every current province, ~100,000 organisations, ~1M returns.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoptac_national .venv/bin/python bench/national.py

DATABASE_URL names the database to fill (its name must start with `hoptac_national`, so that a slip
cannot wipe another database): it is dropped, created, migrated and given the administrative units
(`loadunits`), then filled, deterministically (seeded: the same rows at every run but for their
creation timestamps), with

- 42,500 cooperatives (HTX), 1,600 people's credit funds, 85,000 cooperative groups (THT) and 200
  unions (LHHTX) registered in all, ended ones included: at the end of 2024 about 34,000 cooperatives
  and credit funds, 65,000 groups and 170 unions exist. They are spread over the 3,321 current communes
  of the 34 provinces (unevenly: about one commune in ten has no cooperative), founded from 1997 to
  2026. One founded before 01/07/2025 is registered in a legacy commune, a predecessor of its current
  commune, and one founded later in the current commune; both paths are resolved as
  `registry.services.resolve_location` resolves them (a legacy commune's main successor; a current
  commune's legacy commune it mostly came from; a legacy commune without successor falls back on the
  current province), and the script checks a sample of them against that function;
- their status history: the registration, suspensions and resumptions, stops, dissolutions (about
  a fifth of the organisations have ended by 2026), with each organisation's current status and end
  date derived as the registry's services derive them, and their "+" history records;
- each union's 4 to 24 member cooperatives, in its province;
- yearly returns 2015–2025 (about a million rows): a return for every organisation existing on
  14/12 of the year (most stopped ones file none), approved for 95 % of them up to 2024 and 86 % in
  2025 (the rest submitted, sent back or drafts), with every figure the indicators read (members,
  workers, incomes, managers and their education, practices, credit, self-classification), a few
  left blank as offices leave them.

Rows go in with COPY (`hoptac.imports.bulk`); the returns' history records are not written (nothing
reads them at this scale). The script ends with VACUUM ANALYZE, as a database in use would be, and
prints how long each step took. Options: --seed N (2025), --scale X (1.0: multiplies the numbers of
organisations, for a quick try at 0.05).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PREFIX = "hoptac_national"
REFORM = datetime.date(2025, 7, 1)
# The data's "today": fixed, so that a run next year generates the same rows.
TODAY = datetime.date(2026, 10, 31)
FIRST_RETURN_YEAR, LAST_RETURN_YEAR = 2015, 2025

# Registered in all, ended ones included: about 35,000 cooperatives, 65,000 groups and 150 unions exist
# at the end of 2024.
HTX, QTDND, THT, LHHTX = 42_500, 1_600, 85_000, 200
HTX_SECTORS = (
    ("nong-nghiep", 55),
    ("thuong-mai", 13),
    ("xay-dung", 8),
    ("cong-nghiep", 9),
    ("van-tai", 5),
    ("tin-dung", 1),
    ("du-lich", 2),
    ("moi-truong", 3),
    ("nuoc-sach", 2),
    ("cho", 1),
    ("dien-nang", 1),
)
THT_SECTORS = (("nong-nghiep", 78), ("cong-nghiep", 8), ("thuong-mai", 7), ("xay-dung", 4), ("du-lich", 3))
LHHTX_SECTORS = (("nong-nghiep", 50), ("thuong-mai", 25), ("van-tai", 15), ("cong-nghiep", 10))
AGRICULTURE = (
    ("trong-trot", 40),
    ("chan-nuoi", 25),
    ("nong-nghiep-tong-hop", 20),
    ("thuy-san", 8),
    ("lam-nghiep", 7),
)
SECTOR_WORDS = {
    "nong-nghiep": "Nông nghiệp",
    "thuong-mai": "Thương mại dịch vụ",
    "xay-dung": "Xây dựng",
    "cong-nghiep": "Tiểu thủ công nghiệp",
    "van-tai": "Vận tải",
    "tin-dung": "Tín dụng",
    "du-lich": "Du lịch cộng đồng",
    "moi-truong": "Môi trường",
    "nuoc-sach": "Nước sạch",
    "cho": "Quản lý chợ",
    "dien-nang": "Điện năng",
}
# Founding years: the 1997–2004 wave of transformed cooperatives, then a steady climb.
YEARS = tuple(range(1997, 2027))
HTX_YEAR_WEIGHTS = (
    16,
    14,
    12,
    10,
    8,
    7,
    6,
    5,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    4,
    5,
    5,
    5,
    5,
    5,
    5,
    5,
    4,
    3,
)
THT_YEAR_WEIGHTS = (3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4, 4, 3, 2)
SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Lò", "Giàng", "Hà", "Vi")
GIVEN = ("Văn Thắng", "Thị Hoa", "Văn Minh", "Thị Lan", "Văn Sơn", "A Páo", "Thị Mai", "Văn Hùng")
SEND_BACK = "Số lao động chưa khớp với danh sách lao động; đề nghị kiểm tra lại."


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    name = urlsplit(url).path.lstrip("/")
    if not url.startswith(("postgres://", "postgresql://")) or not name.startswith(PREFIX):
        sys.exit(
            f"DATABASE_URL must name a PostgreSQL database whose name starts with {PREFIX}, e.g. "
            "postgres://postgres@127.0.0.1:5432/hoptac_national"
        )
    return url


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def setup(url: str, *, fresh: bool) -> None:
    """Point Django at the database (recreated, migrated and given its units when `fresh`)."""
    if fresh:
        import psycopg

        name = urlsplit(url).path.lstrip("/")
        with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoptac.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    if fresh:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        call_command("loadunits", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115


# --- the map ---------------------------------------------------------------------------------------


class Map:
    """Current communes, their legacy predecessors, and how registry.services resolves each place."""

    def __init__(self) -> None:
        from hoptac.units.models import Unit, UnitSuccession

        units = {u.id: u for u in Unit.objects.all()}
        self.units = units
        province_of: dict[int, Unit] = {}
        for u in units.values():
            node = u
            while node.parent_id is not None:
                node = units[node.parent_id]
            province_of[u.id] = node
        successions = list(UnitSuccession.objects.order_by("predecessor_id", "rank", "id"))
        main: dict[int, int] = {}
        predecessors: dict[int, list[int]] = {}
        for s in successions:
            main.setdefault(s.predecessor_id, s.successor_id)  # rank 0 first
            predecessors.setdefault(s.successor_id, []).append(s.predecessor_id)
        self.current_communes = sorted(
            (u for u in units.values() if u.era == "current" and u.level == "commune"), key=lambda u: u.path
        )
        # The legacy commune a current one mostly came from (units.services.legacy_predecessor).
        self.legacy_of: dict[int, Unit | None] = {}
        by_pair = {(s.predecessor_id, s.successor_id): s for s in successions}
        for c in self.current_communes:
            candidates = [units[p] for p in predecessors.get(c.id, ()) if units[p].level == "commune"]
            candidates.sort(key=lambda p: (by_pair[(p.id, c.id)].partial, by_pair[(p.id, c.id)].rank, p.code))
            self.legacy_of[c.id] = candidates[0] if candidates else None
        # The legacy communes that went (wholly or in part) into each current one.
        self.predecessors = {
            c.id: [units[p] for p in predecessors.get(c.id, ()) if units[p].level == "commune"]
            for c in self.current_communes
        }
        self.main = main
        self.province_of = province_of

    def place_legacy(self, legacy) -> tuple[int | None, str, int, str]:
        """(current commune id, current path, legacy commune id, legacy path) of a legacy commune."""
        successor = self.main.get(legacy.id)
        if successor is not None:
            return successor, self.units[successor].path, legacy.id, legacy.path
        province = self.main.get(self.province_of[legacy.id].id)
        return None, self.units[province].path if province else "", legacy.id, legacy.path

    def place_current(self, commune) -> tuple[int | None, str, int | None, str]:
        legacy = self.legacy_of[commune.id]
        return commune.id, commune.path, (legacy.id if legacy else None), (legacy.path if legacy else "")


# --- organisations -------------------------------------------------------------------------------


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def day_in(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def history(rng: random.Random, kind: str, founded: datetime.date) -> list[tuple[str, datetime.date, str]]:
    """(status, day, decision) steps after the registration: suspensions, stops, an ending perhaps."""
    steps: list[tuple[str, datetime.date, str]] = []
    status, day = "active", founded
    end_hazard = {"tht": 0.01, "lhhtx": 0.004}.get(kind, 0.006)
    while True:
        day = day + datetime.timedelta(days=rng.randrange(200, 700))
        if day > TODAY:
            return steps
        roll = rng.random()
        if status == "active":
            if roll < end_hazard * 1.5:
                ending = "dissolved" if rng.random() < 0.93 else rng.choice(("bankrupt", "terminated"))
                steps.append((ending, day, f"{rng.randrange(1, 999)}/QĐ-UBND"))
                return steps
            if roll < end_hazard * 1.5 + 0.03:
                status = rng.choice(("suspended", "suspended", "stopped", "not_at_address", "tax_revoked"))
                steps.append((status, day, ""))
        elif roll < 0.45:
            status = "active"
            steps.append((status, day, ""))
        elif roll < 0.65:
            ending = "dissolved"
            steps.append((ending, day, f"{rng.randrange(1, 999)}/QĐ-UBND"))
            return steps


def law(rng: random.Random, kind: str, founded: datetime.date) -> str:
    if kind == "tht":
        return "civil"
    if founded >= datetime.date(2023, 7, 1):
        return "2023"
    if founded < datetime.date(2013, 7, 1) and rng.random() < 0.15:
        return "2003"
    return "2012"


def supporter(rng: random.Random, kind: str, sector: str) -> str:
    roll = rng.random()
    if kind == "tht":
        table = ((0.40, "hnd"), (0.55, "hlhpn"), (0.60, "doantn"))
    elif sector == "nong-nghiep" and kind == "htx":
        table = ((0.20, "hnd"), (0.26, "hlhpn"), (0.31, "doantn"), (0.34, "hccb"))
    else:
        table = ((0.04, "doantn"), (0.08, "hccb"))
    for bound, value in table:
        if roll < bound:
            return value
    return ""


class Plan:
    """Every organisation as a dict of its fields, with its status steps, drawn from one seeded rng."""

    def __init__(self, geo: Map, rng: random.Random, scale: float) -> None:
        from hoptac.core.text import fold

        self.geo, self.rng, self.fold = geo, rng, fold
        communes = geo.current_communes
        # Uneven: about one commune in ten has no cooperative (wards of towns, remote communes).
        self.htx_weight = [0.0 if rng.random() < 0.1 else rng.lognormvariate(0, 0.8) for _ in communes]
        self.tht_weight = [rng.lognormvariate(0, 1.0) for _ in communes]
        self.orgs: list[dict] = []
        self.steps: list[list[tuple[str, datetime.date, str]]] = []
        self.n = {
            "htx": round(HTX * scale),
            "qtdnd": round(QTDND * scale),
            "tht": round(THT * scale),
            "lhhtx": max(1, round(LHHTX * scale)),
        }

    def run(self) -> None:
        rng, communes = self.rng, self.geo.current_communes
        for kind in ("htx", "qtdnd", "tht", "lhhtx"):
            weights = self.tht_weight if kind == "tht" else self.htx_weight
            picks = rng.choices(communes, weights, k=self.n[kind])
            for commune in picks:
                self.add(kind, commune)

    def add(self, kind: str, commune) -> None:
        rng = self.rng
        if kind == "qtdnd":
            sector, sub = "tin-dung", None
        else:
            table = {"tht": THT_SECTORS, "lhhtx": LHHTX_SECTORS}.get(kind, HTX_SECTORS)
            sector = weighted(rng, table)
            sub = weighted(rng, AGRICULTURE) if sector == "nong-nghiep" and rng.random() < 0.8 else None
        weights = THT_YEAR_WEIGHTS if kind == "tht" else HTX_YEAR_WEIGHTS
        year = weighted(rng, zip(YEARS, weights, strict=True))
        founded = day_in(rng, datetime.date(year, 1, 1), min(datetime.date(year, 12, 31), TODAY))
        if founded < REFORM:
            predecessors = self.geo.predecessors[commune.id]
            if predecessors:
                unit = rng.choice(predecessors)
                cur_id, cur_path, leg_id, leg_path = self.geo.place_legacy(unit)
            else:  # a current commune the official table gives no predecessor: registered there
                unit = commune
                cur_id, cur_path, leg_id, leg_path = self.geo.place_current(commune)
        else:
            unit = commune
            cur_id, cur_path, leg_id, leg_path = self.geo.place_current(commune)
        number = len(self.orgs) + 1
        place = commune.name.split(" ", 1)[1] if " " in commune.name else commune.name
        label = {
            "htx": "HTX",
            "qtdnd": "Quỹ tín dụng nhân dân",
            "tht": "Tổ hợp tác",
            "lhhtx": "Liên hiệp HTX",
        }
        name = f"{label[kind]} {SECTOR_WORDS[sector]} {place} {number}"
        steps = history(rng, kind, founded)
        self.orgs.append(
            {
                "code": None if kind == "tht" else f"{4000000000 + number}",
                "name": name,
                "name_folded": self.fold(name),
                "kind": kind,
                "sector": sector,
                "subsector": sub,
                "unit_id": unit.id,
                "current_commune_id": cur_id,
                "legacy_commune_id": leg_id,
                "current_path": cur_path,
                "legacy_path": leg_path,
                "representative": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}",
                "founded_on": founded,
                "law": law(rng, kind, founded),
                "charter_capital": Decimal(max(10, round(300 * rng.lognormvariate(0, 0.9)))),
                "supporter": supporter(rng, kind, sector),
                "union_member": kind in ("htx", "qtdnd") and rng.random() < 0.4,
                # quality (0–1): drives the self-classification, incomes and practices
                "_quality": rng.betavariate(2.2, 2.0),
                "_size": rng.lognormvariate(0, 0.5),
            }
        )
        self.steps.append(steps)


def write_organisations(plan: Plan) -> list:
    """Insert the organisations with their history records, status changes and union memberships."""
    from django.db import transaction
    from django.utils import timezone

    from hoptac.imports import bulk
    from hoptac.registry.models import Organisation, Sector, StatusChange, UnionMembership

    sectors = dict(Sector.objects.values_list("code", "id"))
    now = timezone.now()
    objs = []
    for spec, steps in zip(plan.orgs, plan.steps, strict=True):
        status, ended = "active", None
        for step_status, day, _decision in steps:
            status = step_status
            if status in ("dissolved", "bankrupt", "terminated"):
                ended = day
        fields = {k: v for k, v in spec.items() if not k.startswith("_")}
        fields["sector_id"] = sectors[fields.pop("sector")]
        sub = fields.pop("subsector")
        fields["subsector_id"] = sectors[sub] if sub else None
        objs.append(bulk.new(Organisation, **fields, status=status, ended_on=ended))
    with transaction.atomic():
        bulk.insert_with_history(Organisation, objs, now=now, user=None, reason="bench/national.py")
        rows = []
        for obj, steps in zip(objs, plan.steps, strict=True):
            rows.append((obj.pk, "active", obj.founded_on, "", "Đăng ký", None, now))
            for status, day, decision in steps:
                rows.append((obj.pk, status, day, decision, "", None, now))
        names = ("organisation_id", "status", "effective_on", "decision_number", "reason", "recorded_by_id")
        bulk.insert_rows(StatusChange, (*names, "recorded_at"), rows)
        # Unions: members among the existing cooperatives of their province.
        by_province: dict[str, list] = {}
        for obj in objs:
            if obj.kind in ("htx", "qtdnd") and obj.ended_on is None and obj.current_path:
                by_province.setdefault(obj.current_path[:4], []).append(obj)
        memberships = []
        for union in (o for o in objs if o.kind == "lhhtx" and o.ended_on is None):
            pool = by_province.get(union.current_path[:4], [])
            for member in plan.rng.sample(pool, min(len(pool), plan.rng.randrange(4, 25))):
                joined = max(union.founded_on, member.founded_on) + datetime.timedelta(days=90)
                memberships.append((union.pk, member.pk, min(joined, TODAY), None))
        bulk.insert_rows(UnionMembership, ("union_id", "member_id", "joined_on", "left_on"), memberships)
    return objs


# --- returns -------------------------------------------------------------------------------------


RETURN_FIELDS = (
    "organisation_id",
    "year",
    "members_individual",
    "members_household",
    "members_legal_entity",
    "members_associate",
    "members_social_insurance",
    "workers",
    "workers_members",
    "income_member",
    "income_worker",
    "revenue",
    "revenue_planned",
    "profit",
    "total_assets",
    "charter_capital_contributed",
    "managers",
    "managers_university",
    "managers_college",
    "managers_intermediate",
    "managers_elementary",
    "managers_untrained",
    "managers_young",
    "managers_young_degree",
    "managers_trained",
    "high_technology",
    "value_chain_link",
    "land_use_certificate",
    "credit_access",
    "bad_debt_ratio",
    "self_classification",
    "notes",
    "status",
    "version",
    "created_at",
    "updated_at",
    "submitted_at",
    "approved_at",
    "returned_at",
    "returned_reason",
    "reopened_reason",
)
# Final state of a return by year: approved, submitted, sent back, draft.
STATES_2025 = (("approved", 86), ("submitted", 7), ("returned", 3), ("draft", 4))
EDUCATION = {
    "htx": (0.16, 0.10, 0.27, 0.20, 0.27),
    "tht": (0.03, 0.04, 0.13, 0.25, 0.55),
    "lhhtx": (0.50, 0.20, 0.20, 0.10, 0.0),
    "qtdnd": (0.60, 0.20, 0.20, 0.0, 0.0),
}
MANAGERS = {"htx": (3, 7), "tht": (1, 3), "lhhtx": (5, 7), "qtdnd": (5, 7)}


def status_on(founded: datetime.date, steps, day: datetime.date) -> str:
    status = "active" if founded <= day else ""
    for step_status, step_day, _ in steps:
        if step_day > day:
            break
        status = step_status
    return status


def return_rows(plan: Plan, objs: list):
    """Yield the returns' rows (RETURN_FIELDS) year by year, as the yearly rounds write them: a year's
    returns lie together on disk, as in a database filled round after round."""
    from django.utils import timezone

    rng = plan.rng
    rnd = rng.random
    tz = timezone.get_current_timezone()
    d1 = Decimal("0.1")
    d2 = Decimal("0.01")
    orgs = []  # [obj, spec, steps, credit, income_base, revenue_base, members, managers]
    for obj, spec, steps in zip(objs, plan.orgs, plan.steps, strict=True):
        kind, quality, size = obj.kind, spec["_quality"], spec["_size"]
        if kind == "tht":
            members = max(2, round(7 * size))
        elif kind == "lhhtx":
            members = max(4, round(10 * size))
        else:
            members = max(7, round(22 * size))
        lo, hi = MANAGERS[kind]
        orgs.append(
            [
                obj,
                spec,
                steps,
                kind == "qtdnd" or spec["sector"] == "tin-dung",
                28 + 25 * quality,  # income, million đồng a person in 2015
                (180 if kind == "tht" else 1200) * size * (0.5 + quality),  # revenue in 2015
                members,
                rng.randint(lo, hi),
            ]
        )
    for year in range(FIRST_RETURN_YEAR, LAST_RETURN_YEAR + 1):
        day = datetime.date(year, 12, 14)
        t = year - FIRST_RETURN_YEAR
        for state_of in orgs:
            obj, spec, steps, credit, income_base, revenue_base, members, managers = state_of
            kind, quality = obj.kind, spec["_quality"]
            status = status_on(obj.founded_on, steps, day)
            if status in ("", "dissolved", "bankrupt", "terminated"):
                continue
            if status in ("stopped", "not_at_address", "tax_revoked") and rnd() < 0.85:
                continue
            if year == LAST_RETURN_YEAR:
                state = weighted(rng, STATES_2025)
            else:
                state = "approved" if rnd() < 0.95 else weighted(rng, STATES_2025[1:])
            dormant = status != "active"
            members = max(2 if kind == "tht" else 4, members + rng.randint(-2, 3))
            if kind == "tht":
                individual, household, legal = None, members, None
                if rnd() < 0.3:
                    individual, household = members, None
            else:
                household = round(members * 0.25)
                legal = 1 if rnd() < 0.15 else None
                individual = members - household - (legal or 0)
            workers = 0 if dormant else max(1, round(members * (0.4 + 0.6 * quality)))
            income_m = None if dormant else income_base * (1.07**t) * (0.85 + 0.3 * rnd())
            income_w = None if dormant else income_base * 1.1 * (1.07**t) * (0.85 + 0.3 * rnd())
            revenue = 0.0 if dormant else revenue_base * (1.05**t) * (0.7 + 0.6 * rnd())
            profit = revenue * (0.12 * quality - 0.03)
            lo, hi = MANAGERS[kind]
            if rnd() < 0.1:
                managers = min(hi, max(lo, managers + rng.choice((-1, 1))))
            state_of[6], state_of[7] = members, managers
            education = EDUCATION[kind]
            shares = [max(0.0, e + 0.01 * t * (1 if i < 2 else -0.5)) for i, e in enumerate(education)]
            levels = rng.choices(range(5), shares, k=managers)
            edu = [levels.count(i) for i in range(5)]
            young = sum(1 for _ in range(managers) if rnd() < 0.25)
            trained = sum(1 for _ in range(managers) if rnd() < 0.35 + 0.2 * quality)
            if kind == "tht" or dormant or obj.founded_on.year == year:
                classification = "yeu" if dormant and kind != "tht" else ""
            else:
                score = 40 + 50 * quality + 1.2 * t + 12 * (rnd() - 0.5)
                classification = (
                    "tot" if score >= 80 else "kha" if score >= 65 else "trung_binh" if score >= 50 else "yeu"
                )
            blank_education = rnd() < 0.05
            created = datetime.datetime(year + 1, 1, 10, 9, tzinfo=tz)
            approved_at = created + datetime.timedelta(days=30) if state == "approved" else None
            submitted_at = (
                created + datetime.timedelta(days=20) if state in ("approved", "submitted") else None
            )
            returned_at = created + datetime.timedelta(days=25) if state == "returned" else None
            yield (
                obj.pk,
                year,
                individual,
                household,
                legal,
                None if rnd() < 0.7 else rng.randint(0, 5),
                None if rnd() < 0.5 else round(members * 0.6),
                None if rnd() < 0.03 else workers,
                None if rnd() < 0.1 else round(workers * 0.7),
                None if income_m is None or rnd() < 0.03 else Decimal(round(income_m * 100)) * d2,
                None if income_w is None or rnd() < 0.05 else Decimal(round(income_w * 100)) * d2,
                Decimal(round(revenue * 10)) * d1,
                None if rnd() < 0.3 else Decimal(round(revenue * 11)) * d1,
                Decimal(round(profit * 10)) * d1,
                Decimal(round(revenue * 8)) * d1,
                None if rnd() < 0.2 else Decimal(round(revenue * 3)) * d1,
                managers,
                None if blank_education else edu[0],
                None if blank_education else edu[1],
                None if blank_education else edu[2],
                None if blank_education else edu[3] or None,
                None if blank_education else edu[4] or None,
                young,
                sum(1 for _ in range(young) if rnd() < 0.4 + 0.02 * t),
                None if rnd() < 0.04 else trained,
                None if rnd() < 0.05 else rnd() < 0.05 + 0.2 * quality,
                None if rnd() < 0.05 else rnd() < 0.15 + 0.3 * quality,
                None if rnd() < 0.2 else rnd() < 0.5,
                None if rnd() < 0.05 else rnd() < 0.3,
                (Decimal(round(50 + 250 * rnd())) * d2) if credit else None,
                classification,
                "",
                state,
                3 if state == "approved" else 1,
                created,
                approved_at or returned_at or submitted_at or created,
                submitted_at,
                approved_at,
                returned_at,
                SEND_BACK if state == "returned" else "",
                "",
            )


def write_returns(plan: Plan, objs: list) -> int:
    from django.db import transaction

    from hoptac.imports import bulk
    from hoptac.returns.models import AnnualReturn

    counter = [0]

    def counted(rows):
        for row in rows:
            counter[0] += 1
            yield row

    with transaction.atomic():
        bulk.insert_rows(AnnualReturn, RETURN_FIELDS, counted(return_rows(plan, objs)))
    return counter[0]


# --- checks --------------------------------------------------------------------------------------


def check_sample(objs: list, rng: random.Random, n: int = 300) -> None:
    """The stored paths of a sample are the ones registry.services.resolve_location gives."""
    from hoptac.registry.models import Organisation
    from hoptac.registry.services import resolve_location

    sample = rng.sample([o.pk for o in objs], min(n, len(objs)))
    for org in Organisation.objects.filter(pk__in=sample).select_related("unit"):
        stored = (org.current_commune_id, org.legacy_commune_id, org.current_path, org.legacy_path)
        resolve_location(org)
        resolved = (org.current_commune_id, org.legacy_commune_id, org.current_path, org.legacy_path)
        if stored != resolved:
            sys.exit(f"organisation {org.pk}: stored {stored}, resolve_location gives {resolved}")


def summary() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, count(*), count(*) FILTER (WHERE founded_on <= '2024-12-31' AND "
            "(ended_on IS NULL OR ended_on > '2024-12-31')) FROM registry_organisation "
            "GROUP BY kind ORDER BY kind"
        )
        kinds = {k: {"registered": n, "existing_end_2024": m} for k, n, m in cursor.fetchall()}
        cursor.execute("SELECT count(*) FROM registry_statuschange")
        changes = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status = 'approved') FROM returns_annualreturn"
        )
        returns, approved = cursor.fetchone()
        cursor.execute(
            "SELECT count(DISTINCT current_path) FROM registry_organisation WHERE kind IN ('htx', 'qtdnd')"
        )
        communes = cursor.fetchone()[0]
    return {
        "kinds": kinds,
        "status_changes": changes,
        "returns": returns,
        "approved_returns": approved,
        "communes_with_a_cooperative_ever": communes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply the numbers of organisations.")
    args = parser.parse_args()
    url = database_url()
    marks = [("start", time.perf_counter())]

    def mark(label: str) -> None:
        marks.append((label, time.perf_counter()))
        print(f"  {label}: {marks[-1][1] - marks[-2][1]:.1f} s", flush=True)

    setup(url, fresh=True)
    mark("database, migrations, units")
    rng = random.Random(args.seed)
    plan = Plan(Map(), rng, args.scale)
    plan.run()
    mark(f"{len(plan.orgs)} organisations drawn")
    objs = write_organisations(plan)
    mark("organisations, history records, status changes, memberships written")
    n = write_returns(plan, objs)
    mark(f"{n} returns drawn and written")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    mark("VACUUM ANALYZE")
    check_sample(objs, random.Random(args.seed + 1))
    mark("sample of paths checked against resolve_location")
    total = marks[-1][1] - marks[0][1]
    print(json.dumps({"seconds": round(total, 1), "seed": args.seed, "scale": args.scale, **summary()}))


if __name__ == "__main__":
    main()
