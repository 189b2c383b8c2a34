"""The demo province as a plan: every organisation with its place, dates and status history.

The plan is drawn from `random.Random(SEED)` over Lai Châu's administrative units and nothing
else, so every run draws the same registry and the loader writes only what is missing.

What the plan guarantees (tests/core/test_demo.py checks it in the database):
- the former Than Uyên district (legacy district 110) matches seed 003: 44 HTX at the end of 2020,
  71 at the end of 2023 (+27 net, with dissolutions in between), and at the end of 2023 by sector
  35 agriculture, 7 construction, 3 industry, 20 trade-services, 4 transport, 2 tourism; every one
  of its communes has a cooperative at the end of 2023;
- organisations founded before 01/07/2025 sit in legacy communes, later ones in current communes;
- every current commune of Lai Châu has a cooperative today, except NO_COOPERATIVE.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from hoptac.core.text import fold
from hoptac.registry.models import Kind, Law, Status, Supporter
from hoptac.units.models import Unit, UnitSuccession

from . import names

SEED = 2025
PROVINCE = "12"
THAN_UYEN = "110"
REFORM = datetime.date(2025, 7, 1)
LAW_2012_IN_FORCE = datetime.date(2013, 7, 1)
LAW_2023_IN_FORCE = datetime.date(2024, 7, 1)
PLAN_START = datetime.date(2010, 1, 1)
PLAN_END = datetime.date(2025, 12, 31)
END_2020 = datetime.date(2020, 12, 31)
END_2023 = datetime.date(2023, 12, 31)

# Remote communes of the former Mường Tè and Nậm Nhùn districts, left without a cooperative today
# so that "communes without a cooperative" has something to show.
NO_COOPERATIVE = ("03439", "03451", "03460", "03463")

# Seed 003, footnote 1: Than Uyên's 71 cooperatives at the end of 2023, by sector.
THAN_UYEN_2023 = {
    "nong-nghiep": 35,
    "xay-dung": 7,
    "cong-nghiep": 3,
    "thuong-mai": 20,
    "van-tai": 4,
    "du-lich": 2,
}
THAN_UYEN_2020_TOTAL = 44
THAN_UYEN_DISSOLVED_2021_2023 = 6
THAN_UYEN_DISSOLVED_BEFORE_2021 = 4
THAN_UYEN_LEGACY_2024 = 6
THAN_UYEN_CURRENT_2025 = 3
OTHER_HTX = 145
THT_COUNT = 120

# Seed 000 part III: agriculture first, then trade-services, construction, industry, transport.
HTX_SECTORS = (
    ("nong-nghiep", 52),
    ("thuong-mai", 15),
    ("xay-dung", 13),
    ("cong-nghiep", 9),
    ("van-tai", 3),
    ("du-lich", 2),
    ("moi-truong", 2),
    ("nuoc-sach", 1.5),
    ("cho", 1.5),
    ("dien-nang", 1),
)
AGRICULTURE_SUBSECTORS = (
    ("trong-trot", 40),
    ("chan-nuoi", 25),
    ("nong-nghiep-tong-hop", 20),
    ("thuy-san", 8),
    ("lam-nghiep", 7),
)
THT_SECTORS = (("nong-nghiep", 78), ("cong-nghiep", 8), ("thuong-mai", 7), ("xay-dung", 4), ("du-lich", 3))
THT_SUBSECTORS = (
    ("trong-trot", 38),
    ("chan-nuoi", 35),
    ("nong-nghiep-tong-hop", 12),
    ("thuy-san", 8),
    ("lam-nghiep", 7),
)
# Former districts other than Than Uyên, weighted by how many cooperatives they hold.
DISTRICTS = (("105", 18), ("106", 17), ("107", 9), ("108", 14), ("109", 14), ("111", 17), ("112", 11))
HTX_YEARS = tuple(range(2010, 2026))
HTX_YEAR_WEIGHTS = (3, 3, 3, 4, 4, 5, 6, 7, 9, 10, 10, 11, 12, 12, 11, 9)
THT_YEARS = tuple(range(2012, 2026))
THT_YEAR_WEIGHTS = (2, 3, 3, 4, 5, 6, 8, 9, 10, 11, 11, 11, 10, 8)
TOWN_SECTORS = {"thuong-mai", "xay-dung", "van-tai", "cho", "moi-truong", "dien-nang"}
MEDIAN_CAPITAL = {  # million đồng
    "nong-nghiep": 300,
    "cong-nghiep": 800,
    "xay-dung": 1500,
    "van-tai": 2500,
    "thuong-mai": 500,
    "du-lich": 400,
    "tin-dung": 3000,
}

# Cooperatives placed by hand; drawn names keep clear of them.
HA_DUNG = "HTX Nông lâm thủy sản Hà Dũng"  # seed 003 names it; the demo cooperative account's
THANH_XUAN = "HTX Thanh Xuân"  # seed 003 names it too
TEA = (
    ("03598", "HTX Chè Tân Uyên", datetime.date(2014, 4, 22)),
    ("03602", "HTX Chè Shan tuyết Phúc Khoa", datetime.date(2019, 3, 8)),
    ("03607", "HTX Chè Hố Mít", datetime.date(2020, 10, 16)),
)
RESERVED_NAMES = (HA_DUNG, THANH_XUAN, *(name for _, name, _ in TEA))

DISSOLUTION_REASONS = (
    "Giải thể tự nguyện theo nghị quyết Đại hội thành viên",
    "Giải thể bắt buộc: ngừng hoạt động 12 tháng liên tục",
    "Giải thể bắt buộc: không đủ số lượng thành viên tối thiểu",
    "HTX yếu kém, tồn tại hình thức",
)


@dataclass(frozen=True)
class Commune:
    path: str
    code: str
    name: str
    division_type: str
    district: str  # the legacy district code; for a current commune, that of its main predecessor
    successor: str  # the main current successor's path (a current commune: its own path)

    @property
    def place(self) -> str:
        return names.short_name(self.name, self.division_type)

    @property
    def is_town(self) -> bool:
        return self.division_type in {"phường", "thị trấn"}


@dataclass(frozen=True)
class Geo:
    legacy: dict[str, Commune]  # by path
    current: dict[str, Commune]

    def legacy_in(self, district: str) -> list[Commune]:
        return [c for c in self.legacy.values() if c.district == district]

    def predecessors(self, current_code: str) -> list[Commune]:
        return [c for c in self.legacy.values() if c.successor == f"c{PROVINCE}/{current_code}/"]


@dataclass(frozen=True)
class Step:
    status: str
    effective_on: datetime.date
    decision_number: str = ""
    reason: str = ""


@dataclass
class OrgSpec:
    kind: str
    name: str
    sector: str
    subsector: str | None
    unit_path: str
    founded_on: datetime.date
    law: str
    charter_capital: Decimal | None
    supporter: str
    union_member: bool
    representative: str
    phone: str
    address: str
    steps: list[Step] = field(default_factory=list)
    code: str | None = None
    tag: str = ""
    members: list[tuple[str, datetime.date, datetime.date | None]] = field(default_factory=list)

    @property
    def key(self) -> str:
        """What identifies the organisation across runs: its code, or a group's kind and name."""
        return self.code or f"{self.kind}:{self.name}"

    @property
    def ended_on(self) -> datetime.date | None:
        ended = [s.effective_on for s in self.steps if s.status in Status.ended()]
        return ended[-1] if ended else None

    def exists_on(self, day: datetime.date) -> bool:
        return self.founded_on <= day and (self.ended_on is None or self.ended_on > day)


def geo_from_units() -> Geo:
    """Lai Châu's communes of both eras with their main successors: two queries."""
    main_successor = dict(
        UnitSuccession.objects.filter(
            predecessor__path__startswith=f"l{PROVINCE}/", predecessor__level=Unit.Level.COMMUNE, rank=0
        ).values_list("predecessor__path", "successor__path")
    )
    legacy, current = {}, {}
    communes = Unit.objects.filter(level=Unit.Level.COMMUNE).filter(
        Q(path__startswith=f"l{PROVINCE}/") | Q(path__startswith=f"c{PROVINCE}/")
    )
    # Sorted here, not by the database: collations differ, and the draw must not.
    rows = sorted(communes.values_list("era", "path", "code", "name", "division_type"), key=lambda r: r[1])
    for era, path, code, name, dtype in rows:
        if era == Unit.Era.LEGACY:
            legacy[path] = Commune(path, code, name, dtype, path.split("/")[1], main_successor.get(path, ""))
    first_district = {}
    for c in legacy.values():
        first_district.setdefault(c.successor, c.district)
    for era, path, code, name, dtype in rows:
        if era == Unit.Era.CURRENT:
            current[path] = Commune(path, code, name, dtype, first_district.get(path, ""), path)
    return Geo(legacy=legacy, current=current)


class Planner:
    """Draws the plan; each method adds one group of organisations."""

    def __init__(self, geo: Geo, rng: random.Random):
        self.geo = geo
        self.rng = rng
        self.orgs: list[OrgSpec] = []
        self._names: set[str] = set()
        self._reserved = {fold(name) for name in RESERVED_NAMES}
        excluded = {f"c{PROVINCE}/{code}/" for code in NO_COOPERATIVE}
        self.allowed = [c for c in geo.legacy.values() if c.successor and c.successor not in excluded]

    # -- drawing helpers ---------------------------------------------------------------------------

    def day(self, start: datetime.date, end: datetime.date) -> datetime.date:
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def weighted(self, pairs):
        values, weights = zip(*pairs, strict=True)
        return self.rng.choices(values, weights=weights)[0]

    def founding_day(self, years, weights, start=PLAN_START, end=PLAN_END) -> datetime.date:
        year = self.rng.choices(years, weights=weights)[0]
        first = max(start, datetime.date(year, 1, 1))
        last = min(end, datetime.date(year, 12, 31))
        return self.day(first, last) if first <= last else self.day(start, end)

    def htx_sector(self) -> tuple[str, str | None]:
        sector = self.weighted(HTX_SECTORS)
        return sector, self.weighted(AGRICULTURE_SUBSECTORS) if sector == "nong-nghiep" else None

    def capital(self, sector: str) -> Decimal:
        median = MEDIAN_CAPITAL.get(sector, 300)
        value = max(20, round(median * self.rng.lognormvariate(0, 0.7), -1))
        return Decimal(int(value))

    def law(self, kind: str, founded: datetime.date) -> str:
        if kind == Kind.THT:
            return Law.CIVIL_CODE
        if founded >= LAW_2023_IN_FORCE:
            return Law.LAW_2023
        if founded < LAW_2012_IN_FORCE and self.rng.random() < 0.15:
            return Law.LAW_2003  # not yet reorganised under the 2012 law: the seeds want them found
        return Law.LAW_2012

    def supporter(self, kind: str, sector: str) -> str:
        roll = self.rng.random()
        if kind == Kind.THT:
            table = ((0.45, Supporter.FARMERS), (0.60, Supporter.WOMEN), (0.65, Supporter.YOUTH))
        elif sector == "nong-nghiep":
            table = (
                (0.25, Supporter.FARMERS),
                (0.31, Supporter.WOMEN),
                (0.37, Supporter.YOUTH),
                (0.41, Supporter.VETERANS),
            )
        else:
            table = ((0.05, Supporter.YOUTH), (0.10, Supporter.VETERANS))
        for bound, value in table:
            if roll < bound:
                return value
        return Supporter.NONE

    def member_of_union(self, kind: str) -> bool:
        """Member of the provincial cooperative union (Liên minh HTX): about half of the cooperatives."""
        return kind != Kind.THT and self.rng.random() < 0.45

    def unique(self, candidates) -> str:
        for name in candidates:
            if fold(name) not in self._names and fold(name) not in self._reserved:
                self._names.add(fold(name))
                return name
        raise AssertionError("no free name")  # the last candidates carry a number: unreachable

    def claim(self, name: str) -> str:
        assert fold(name) not in self._names, name
        self._names.add(fold(name))
        return name

    def htx_name(self, sector: str, subsector: str | None, commune: Commune) -> str:
        words = names.htx_words(self.rng, sector, subsector, commune.district)
        tries = [f"HTX {words} {names.place_words(self.rng, commune.place, commune.division_type)}"]
        tries += [f"HTX {words} {commune.place}", f"HTX {words} bản {names.village(self.rng)}"]
        tries += [f"HTX {words} {names.village(self.rng)} {commune.place}" for _ in range(5)]
        tries += [f"HTX {words} {commune.place} số {n}" for n in range(2, 50)]
        return self.unique(tries)

    def tht_name(self, sector: str, subsector: str | None, commune: Commune) -> str:
        words = self.rng.choice(names.THT_WORDS[subsector or sector])
        if commune.is_town:
            tries = [f"THT {words} tổ dân phố số {self.rng.randint(1, 12)} {commune.place}"]
        else:
            tries = [f"THT {words} bản {names.village(self.rng)}" for _ in range(5)]
        tries += [f"THT {words} {commune.place} số {n}" for n in range(2, 50)]
        return self.unique(tries)

    def place(self, commune: Commune, founded: datetime.date) -> str:
        """Before the reform an organisation registers in a legacy commune, after it in a current one."""
        return commune.path if founded < REFORM else commune.successor

    def add(
        self,
        kind: str,
        sector: str,
        subsector: str | None,
        commune: Commune,
        founded: datetime.date,
        *,
        name: str | None = None,
        steps: list[Step] | None = None,
        tag: str = "",
        supporter: str | None = None,
        union_member: bool | None = None,
        representative: str = "",
    ) -> OrgSpec:
        if name is None:
            name = (self.tht_name if kind == Kind.THT else self.htx_name)(sector, subsector, commune)
        else:
            self.claim(name)
        unit_path = self.place(commune, founded)
        where = self.geo.current.get(unit_path, commune)
        spec = OrgSpec(
            kind=kind,
            name=name,
            sector=sector,
            subsector=subsector,
            unit_path=unit_path,
            founded_on=founded,
            law=self.law(kind, founded),
            charter_capital=None if kind == Kind.THT else self.capital(sector),
            supporter=supporter if supporter is not None else self.supporter(kind, sector),
            union_member=union_member if union_member is not None else self.member_of_union(kind),
            representative=representative or names.person(self.rng),
            phone=names.phone(self.rng),
            address=names.address(self.rng, where.name, where.division_type, named=name),
            steps=steps or [],
            tag=tag,
        )
        self.orgs.append(spec)
        return spec

    # -- status histories ----------------------------------------------------------------------------

    def dissolution(self, start: datetime.date, end: datetime.date, *, kind: str = Kind.HTX) -> list[Step]:
        """A dissolution within [start, end], sometimes after a recorded stop."""
        day = self.day(start, end)
        steps = []
        if kind != Kind.THT and (day - start).days > 200 and self.rng.random() < 0.3:
            steps.append(
                Step(
                    Status.STOPPED,
                    self.day(start, day - datetime.timedelta(days=60)),
                    reason="Ngừng hoạt động sản xuất, kinh doanh",
                )
            )
        number = f"{self.rng.randint(5, 480)}/{'TB' if kind == Kind.THT else 'QĐ'}-UBND"
        reason = "Chấm dứt hợp đồng hợp tác" if kind == Kind.THT else self.rng.choice(DISSOLUTION_REASONS)
        steps.append(Step(Status.DISSOLVED, day, decision_number=number, reason=reason))
        return steps

    def history(
        self, founded: datetime.date, *, kind: str = Kind.HTX, end_from: datetime.date | None, p_end: float
    ) -> list[Step]:
        """A random status history; a dissolution, if any, falls on or after `end_from`."""
        roll = self.rng.random()
        after = founded + datetime.timedelta(days=365)
        if end_from is not None and roll < p_end:
            start = max(after, end_from)
            return self.dissolution(start, PLAN_END, kind=kind) if start < PLAN_END else []
        if kind == Kind.THT:
            return []
        roll -= p_end
        recent = max(founded + datetime.timedelta(days=90), datetime.date(2024, 1, 1))
        if roll < 0.03 and recent < PLAN_END:
            return [Step(Status.SUSPENDED, self.day(recent, PLAN_END), reason="Tạm ngừng kinh doanh")]
        if roll < 0.05 and founded < datetime.date(2023, 6, 30):
            paused = self.day(
                max(founded + datetime.timedelta(days=180), datetime.date(2021, 1, 1)),
                datetime.date(2024, 6, 30),
            )
            resumed = self.day(paused + datetime.timedelta(days=60), paused + datetime.timedelta(days=330))
            return [
                Step(Status.SUSPENDED, paused, reason="Tạm ngừng kinh doanh"),
                Step(Status.ACTIVE, min(resumed, PLAN_END), reason="Hoạt động trở lại"),
            ]
        if roll < 0.08 and after < PLAN_END:
            start = max(after, datetime.date(2021, 1, 1))
            return [Step(Status.STOPPED, self.day(start, PLAN_END), reason="Ngừng hoạt động, chưa giải thể")]
        if roll < 0.09 and recent < PLAN_END:
            return [Step(Status.NOT_AT_ADDRESS, self.day(max(recent, datetime.date(2025, 1, 1)), PLAN_END))]
        if roll < 0.10 and recent < PLAN_END:
            return [
                Step(
                    Status.REORGANISING,
                    self.day(max(recent, datetime.date(2025, 1, 1)), PLAN_END),
                    reason="Đang làm thủ tục giải thể",
                )
            ]
        return []

    # -- groups --------------------------------------------------------------------------------------

    def than_uyen(self) -> None:
        """Seed 003: 44 HTX at the end of 2020, 71 at the end of 2023, by sector as footnote 1."""
        communes = self.geo.legacy_in(THAN_UYEN)
        town = next(c for c in communes if c.is_town)
        by_name = {c.place: c for c in communes}
        sectors = [s for s, n in THAN_UYEN_2023.items() for _ in range(n)]
        # Two cooperatives that seed 003 names; one of them is the demo cooperative's account.
        sectors.remove("nong-nghiep")
        sectors.remove("nong-nghiep")
        self.add(
            Kind.HTX,
            "nong-nghiep",
            "nong-nghiep-tong-hop",
            by_name["Mường Kim"],
            datetime.date(2017, 3, 15),
            name=HA_DUNG,
            tag="htx.hadung",
            representative="Hà Văn Dũng",
            supporter=Supporter.FARMERS,
            union_member=True,
        )
        self.add(
            Kind.HTX,
            "nong-nghiep",
            "trong-trot",
            by_name["Phúc Than"],
            datetime.date(2015, 8, 20),
            name=THANH_XUAN,
            union_member=True,
        )
        self.rng.shuffle(sectors)
        old_count = THAN_UYEN_2020_TOTAL - THAN_UYEN_DISSOLVED_2021_2023 - 2  # still there at end 2023
        # The first twelve go one to each commune: all of them have a cooperative (seed 003, point 5).
        order = list(communes)
        self.rng.shuffle(order)
        for i, sector in enumerate(sectors):
            subsector = self.weighted(AGRICULTURE_SUBSECTORS) if sector == "nong-nghiep" else None
            if i < len(order):
                commune = order[i]
            elif sector in TOWN_SECTORS and self.rng.random() < 0.5:
                commune = town
            else:
                commune = self.rng.choice(communes)
            if i < old_count:
                founded = self.founding_day(
                    range(2010, 2021), (2, 2, 2, 3, 3, 3, 4, 4, 5, 5, 5), end=END_2020
                )
            else:
                founded = self.founding_day((2021, 2022, 2023), (10, 11, 12), start=datetime.date(2021, 1, 1))
            steps = self.history(founded, end_from=datetime.date(2024, 1, 1), p_end=0.05)
            self.add(Kind.HTX, sector, subsector, commune, founded, steps=steps)
        # Weak cooperatives dissolved, some before 2021, six between 2021 and 2023.
        for start, end, count, ends in (
            (
                datetime.date(2012, 1, 1),
                datetime.date(2019, 12, 31),
                THAN_UYEN_DISSOLVED_2021_2023,
                (2021, 2023),
            ),
            (
                datetime.date(2010, 1, 1),
                datetime.date(2014, 12, 31),
                THAN_UYEN_DISSOLVED_BEFORE_2021,
                (2015, 2020),
            ),
        ):
            for _ in range(count):
                sector, subsector = ("nong-nghiep", self.weighted(AGRICULTURE_SUBSECTORS))
                if self.rng.random() < 0.3:
                    sector, subsector = self.rng.choice(("thuong-mai", "xay-dung")), None
                founded = self.day(start, end)
                first = max(founded + datetime.timedelta(days=365), datetime.date(ends[0], 1, 1))
                steps = self.dissolution(first, datetime.date(ends[1], 12, 15))
                self.add(Kind.HTX, sector, subsector, self.rng.choice(communes), founded, steps=steps)
        # After the seed: new cooperatives in the former district's communes, then in current communes.
        for count, start, end in (
            (THAN_UYEN_LEGACY_2024, datetime.date(2024, 1, 1), REFORM - datetime.timedelta(days=1)),
            (THAN_UYEN_CURRENT_2025, REFORM, PLAN_END),
        ):
            for _ in range(count):
                sector, subsector = self.htx_sector()
                self.add(Kind.HTX, sector, subsector, self.rng.choice(communes), self.day(start, end))

    def anchors(self) -> None:
        """One long-lived cooperative in every current commune outside Than Uyên (bar NO_COOPERATIVE)."""
        than_uyen = {c.successor for c in self.geo.legacy_in(THAN_UYEN)}
        for current in self.geo.current.values():
            if current.code in NO_COOPERATIVE or current.path in than_uyen:
                continue
            commune = self.rng.choice(self.geo.predecessors(current.code))
            sector, subsector = self.htx_sector()
            if self.rng.random() < 0.4:
                sector, subsector = "nong-nghiep", self.weighted(AGRICULTURE_SUBSECTORS)
            founded = self.day(datetime.date(2012, 1, 1), datetime.date(2024, 12, 31))
            self.add(Kind.HTX, sector, subsector, commune, founded)

    def commune_for(self, district: str, sector: str) -> Commune:
        pool = [c for c in self.allowed if c.district == district]
        towns = [c for c in pool if c.is_town]
        if towns and sector in TOWN_SECTORS and self.rng.random() < 0.5:
            return self.rng.choice(towns)
        return self.rng.choice(pool)

    def province(self) -> None:
        """The other former districts' cooperatives over 2010–2025."""
        for _ in range(OTHER_HTX):
            sector, subsector = self.htx_sector()
            commune = self.commune_for(self.weighted(DISTRICTS), sector)
            founded = self.founding_day(HTX_YEARS, HTX_YEAR_WEIGHTS)
            steps = self.history(founded, end_from=founded, p_end=0.12)
            self.add(Kind.HTX, sector, subsector, commune, founded, steps=steps)
        # The tea cooperatives of Tân Uyên, who found a union in 2024.
        for code, name, founded in TEA:
            commune = next(c for c in self.geo.legacy.values() if c.code == code)
            self.add(Kind.HTX, "nong-nghiep", "trong-trot", commune, founded, name=name)
        # Communes that had a cooperative once and lost it.
        for code, founded, ended in (
            ("03436", datetime.date(2016, 5, 12), datetime.date(2022, 9, 20)),
            ("03463", datetime.date(2013, 4, 2), datetime.date(2019, 11, 5)),
        ):
            commune = next(c for c in self.geo.legacy.values() if c.code == code)
            steps = self.dissolution(ended, ended)
            self.add(Kind.HTX, "nong-nghiep", "chan-nuoi", commune, founded, steps=steps)

    def credit_funds(self) -> None:
        for code, founded in (
            ("03387", datetime.date(2011, 9, 5)),
            ("03390", datetime.date(2014, 6, 18)),
            ("03598", datetime.date(2017, 11, 2)),
        ):
            commune = next(c for c in self.geo.legacy.values() if c.code == code)
            self.add(
                Kind.QTDND,
                "tin-dung",
                None,
                commune,
                founded,
                name=f"Quỹ tín dụng nhân dân {commune.place}",
                supporter=Supporter.NONE,
            )

    def groups(self) -> None:
        """Cooperative groups (THT), most of them in farming, some founded with the Farmers' Union."""
        pairs = (*DISTRICTS, (THAN_UYEN, 13))
        for _ in range(THT_COUNT - 2):
            sector = self.weighted(THT_SECTORS)
            subsector = self.weighted(THT_SUBSECTORS) if sector == "nong-nghiep" else None
            commune = self.commune_for(self.weighted(pairs), sector)
            founded = self.founding_day(THT_YEARS, THT_YEAR_WEIGHTS)
            steps = self.history(founded, kind=Kind.THT, end_from=founded, p_end=0.08)
            self.add(Kind.THT, sector, subsector, commune, founded, steps=steps)
        for code, founded in (("03451", datetime.date(2019, 4, 9)), ("03460", datetime.date(2021, 10, 1))):
            commune = next(c for c in self.geo.legacy.values() if c.code == code)
            self.add(Kind.THT, "nong-nghiep", "chan-nuoi", commune, founded)

    def unions(self) -> None:
        """Two unions (LHHTX, seed 000 asks for two by 2025) with member cooperatives."""
        city = next(c for c in self.geo.legacy.values() if c.code == "03387")
        tan_uyen = next(c for c in self.geo.legacy.values() if c.code == "03598")
        for name, commune, founded, subsector, members in (
            (
                "Liên hiệp HTX Nông nghiệp Lai Châu",
                city,
                datetime.date(2022, 6, 15),
                "nong-nghiep-tong-hop",
                self._agri_members,
            ),
            (
                "Liên hiệp HTX Chè Tân Uyên",
                tan_uyen,
                datetime.date(2024, 9, 10),
                "trong-trot",
                self._tea_members,
            ),
        ):
            union = self.add(
                Kind.LHHTX,
                "nong-nghiep",
                subsector,
                commune,
                founded,
                name=name,
                union_member=True,
                supporter=Supporter.NONE,
            )
            union.members = [(m.name, founded, m.ended_on) for m in members(founded)]

    def _agri_members(self, day: datetime.date) -> list[OrgSpec]:
        pool = [o for o in self.orgs if o.kind == Kind.HTX and o.sector == "nong-nghiep" and o.exists_on(day)]
        rng = random.Random(f"{SEED}-agri-union")  # the same members however often it is asked
        return rng.sample(pool, 6)

    def _tea_members(self, day: datetime.date) -> list[OrgSpec]:
        pool = [
            o
            for o in self.orgs
            if o.kind == Kind.HTX
            and o.subsector == "trong-trot"
            and o.exists_on(day)
            and (self.geo.legacy.get(o.unit_path) or self.geo.current[o.unit_path]).district == "111"
        ]
        tea = [o for o in pool if "Chè" in o.name]
        return (tea + [o for o in pool if o not in tea])[:4]

    def codes(self) -> None:
        """Cooperative codes in founding order, as a registration office hands them out."""
        coded = sorted((o for o in self.orgs if o.kind != Kind.THT), key=lambda o: (o.founded_on, o.name))
        number = 100
        for org in coded:
            number += self.rng.randint(1, 40)
            org.code = f"6201{number:06d}"


def build_plan(geo: Geo, *, seed: int = SEED) -> list[OrgSpec]:
    """Every organisation of the demo province, in founding order; the same for the same units."""
    planner = Planner(geo, random.Random(seed))
    planner.than_uyen()
    planner.anchors()
    planner.province()
    planner.credit_funds()
    planner.groups()
    planner.unions()
    planner.codes()
    by_name = {o.name: o for o in planner.orgs}
    for org in planner.orgs:
        org.members = [(by_name[name].key, joined, left) for name, joined, left in org.members]
    plan = sorted(planner.orgs, key=lambda o: (o.founded_on, o.key))
    _check(plan, geo)
    return plan


def _check(plan: list[OrgSpec], geo: Geo) -> None:
    """The promises of the module docstring; a failure here is a bug in the plan, not in the data."""
    than_uyen = [
        o for o in plan if o.kind == Kind.HTX and o.unit_path.startswith(f"l{PROVINCE}/{THAN_UYEN}/")
    ]
    at_2020 = [o for o in than_uyen if o.exists_on(END_2020)]
    at_2023 = [o for o in than_uyen if o.exists_on(END_2023)]
    by_sector: dict[str, int] = defaultdict(int)
    for o in at_2023:
        by_sector[o.sector] += 1
    assert len(at_2020) == THAN_UYEN_2020_TOTAL, len(at_2020)
    assert dict(by_sector) == THAN_UYEN_2023, dict(by_sector)
    assert {o.unit_path for o in at_2023} == {c.path for c in geo.legacy_in(THAN_UYEN)}
    assert len({o.key for o in plan}) == len(plan)
    for o in plan:
        assert (o.unit_path in geo.current) == (o.founded_on >= REFORM), o.name
        assert all(a.effective_on <= b.effective_on for a, b in zip(o.steps, o.steps[1:], strict=False))
        assert all(o.founded_on <= s.effective_on <= PLAN_END for s in o.steps), o.name
    cooperative = {Kind.HTX, Kind.QTDND, Kind.LHHTX}
    covered = set()
    for o in plan:
        if o.kind in cooperative and o.ended_on is None:
            covered.add(o.unit_path if o.unit_path in geo.current else geo.legacy[o.unit_path].successor)
    missing = {c.code for c in geo.current.values() if c.path not in covered}
    assert missing == set(NO_COOPERATIVE), missing
