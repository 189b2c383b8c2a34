"""The demo province's support to organisations, the support fund's loans and the Farmers' Union's
counts, 2019–2025, written through hoptac.support.services.

Each organisation draws from its own `random.Random` seeded with its natural key (code, or kind and
name for a group without code), so the plan does not change when other organisations are added, and
`ensure_support` writes only what is missing (records keyed on organisation, topic and date; loans on
organisation and disbursement date; repayments on loan and date; counts on unit, year and topic): a
second run writes nothing.

What the plan holds:
- founding support for most cooperatives and groups founded from 2020, soon after their founding;
- each year 2020–2025, about a quarter of the operating cooperatives get support: training (in kind),
  trade promotion, brands, infrastructure (agriculture), technology (machines in kind), digital
  tools, value chains, young graduates, help with bank credit;
- consolidation of the agricultural cooperatives the Farmers' Union helped found (seed 002): most in
  2024–2025, a few earlier;
- loans of the support fund to about one cooperative in eight, 2019–2025: most repaid on schedule
  (some in full already), some that stopped paying (overdue), and those of cooperatives that were
  dissolved written off at their dissolution;
- the Farmers' Union's counts for the province in 2024 and 2025 (households joined, professional
  branches and those turned into cooperatives or groups, union staff and those trained).
Repayments run up to 31/10/2026 at most (never after today), so the loan book has overdue loans.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q
from django.utils import timezone

from hoptac.accounts.models import User
from hoptac.programme.models import Agency
from hoptac.registry.models import Kind, Organisation, Sector, Supporter
from hoptac.support import services
from hoptac.support.loans import loan_schedule
from hoptac.support.models import Loan, Repayment, SupportRecord, SupportTopic, UnionActivity
from hoptac.units.models import Unit

from .plan import PROVINCE, SEED

FIRST_YEAR = 2020
LAST_YEAR = 2025
LOANS_FROM = datetime.date(2019, 1, 1)
REPAYMENTS_UNTIL = datetime.date(2026, 10, 31)
THOUSAND = Decimal("0.001")

# (topic, weight, form, low, high, in-kind description) — amounts in million đồng.
YEARLY = (
    ("training", 30, "in_kind", 3, 8, "Lớp bồi dưỡng cán bộ quản lý, kế toán HTX"),
    ("trade-promotion", 18, "money", 10, 40, ""),
    ("branding", 10, "money", 15, 50, ""),
    ("infrastructure", 10, "money", 200, 1500, ""),
    ("technology", 10, "in_kind", 50, 300, "Máy móc, thiết bị chế biến"),
    ("digital", 5, "in_kind", 10, 30, "Phần mềm quản lý, tem truy xuất nguồn gốc"),
    ("value-chain", 7, "money", 100, 500, ""),
    ("young-graduates", 5, "money", 60, 90, ""),
    ("credit", 5, "in_kind", 0, 0, "Hỗ trợ lập phương án vay vốn ngân hàng"),
)
PROGRAMMES = {
    "founding": "Hỗ trợ thành lập mới HTX (Nghị định 45/2021/NĐ-CP)",
    "training": "Chương trình đào tạo, bồi dưỡng nguồn nhân lực HTX",
    "trade-promotion": "Chương trình xúc tiến thương mại tỉnh",
    "branding": "Chương trình OCOP",
    "infrastructure": "Chương trình MTQG xây dựng nông thôn mới",
    "technology": "Chương trình khuyến công; ứng dụng khoa học, công nghệ",
    "digital": "Chuyển đổi số HTX",
    "value-chain": "Đề án hỗ trợ mô hình HTX liên kết chuỗi giá trị (QĐ 167/QĐ-TTg)",
    "young-graduates": "Thí điểm đưa cán bộ trẻ tốt nghiệp về làm việc tại HTX",
    "credit": "",
    "consolidation": "Kế hoạch thực hiện Quyết định 182/QĐ-TTg",
}
# Who gives each kind of support, the first agency that existed on the day.
AGENCIES = {
    "founding": ("lien-minh-htx",),
    "consolidation": ("hoi-nong-dan", "lien-minh-htx"),
    "training": ("lien-minh-htx",),
    "trade-promotion": ("so-cong-thuong",),
    "branding": ("so-cong-thuong",),
    "infrastructure": ("so-nong-nghiep-ptnt", "so-nong-nghiep-moi-truong"),
    "technology": ("so-khoa-hoc-cong-nghe",),
    "digital": ("so-thong-tin-truyen-thong", "so-khoa-hoc-cong-nghe"),
    "value-chain": ("so-nong-nghiep-ptnt", "so-nong-nghiep-moi-truong"),
    "young-graduates": ("so-noi-vu",),
    "credit": ("lien-minh-htx",),
    "loan": ("lien-minh-htx",),
}
# The Farmers' Union's counts for the province: (topic, 2024, 2025).
UNION_COUNTS = (
    ("households-joined", 130, 165),
    ("professional-branches", 46, 52),
    ("branch-converted", 3, 7),
    ("union-staff", 84, 88),
    ("union-staff-trained", 71, 88),
)


@dataclass
class SupportReport:
    records_created: int = 0
    loans_created: int = 0
    repayments_created: int = 0
    loans_written_off: int = 0
    union_counts_created: int = 0

    @property
    def changed(self) -> bool:
        return any(
            (
                self.records_created,
                self.loans_created,
                self.repayments_created,
                self.loans_written_off,
                self.union_counts_created,
            )
        )


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 1)))


def _day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date | None:
    if end < start:
        return None
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _key(org: Organisation) -> str:
    return org.code or f"{org.kind}:{org.name}"


class _Agencies:
    def __init__(self) -> None:
        self.by_code = {
            a.code: a for a in Agency.objects.filter(code__in={c for v in AGENCIES.values() for c in v})
        }

    def on(self, what: str, day: datetime.date) -> Agency | None:
        for code in AGENCIES.get(what, ()):
            agency = self.by_code.get(code)
            if agency is None:
                continue
            if (agency.valid_from is None or agency.valid_from <= day) and (
                agency.valid_to is None or day <= agency.valid_to
            ):
                return agency
        return None


@dataclass(frozen=True)
class _RecordSpec:
    topic: str
    day: datetime.date
    form: str
    amount: Decimal | None
    description: str
    value: Decimal | None


@dataclass(frozen=True)
class _LoanSpec:
    amount: Decimal
    disbursed_on: datetime.date
    term_months: int
    rate: Decimal
    schedule: str
    behaviour: str  # on_time, early, stopped
    stop_after: int  # instalments paid before stopping
    purpose: str


def _last_day(org: Organisation, until: datetime.date) -> datetime.date:
    return min(until, org.ended_on) if org.ended_on else until


def plan_records(org: Organisation, until: datetime.date) -> list[_RecordSpec]:
    rng = random.Random(f"{SEED}:support:{_key(org)}")
    founded = org.founded_on or datetime.date(2015, 1, 1)
    last = _last_day(org, until)
    out: list[_RecordSpec] = []
    if FIRST_YEAR <= founded.year <= LAST_YEAR and rng.random() < 0.6:
        day = _day(rng, founded, min(founded + datetime.timedelta(days=60), last))
        if day is not None:
            amount = _money(rng, 20, 50) if org.kind != Kind.THT else _money(rng, 5, 15)
            out.append(_RecordSpec("founding", day, "money", amount, "", None))
    if org.kind in (Kind.HTX, Kind.QTDND, Kind.LHHTX):
        for year in range(FIRST_YEAR, LAST_YEAR + 1):
            if rng.random() >= 0.25:
                continue
            start = max(datetime.date(year, 1, 1), founded + datetime.timedelta(days=90))
            day = _day(rng, start, min(datetime.date(year, 12, 10), last))
            topic, _w, form, low, high, description = rng.choices(YEARLY, weights=[y[1] for y in YEARLY])[0]
            if day is None or (topic == "infrastructure" and org.sector.code != "nong-nghiep"):
                continue
            if form == "money":
                out.append(_RecordSpec(topic, day, form, _money(rng, low, high), "", None))
            else:
                value = _money(rng, low, high) if high else None
                out.append(_RecordSpec(topic, day, form, None, description, value))
    if org.kind == Kind.HTX and org.supporter == Supporter.FARMERS and org.sector.code == "nong-nghiep":
        year = rng.choices((2022, 2023, 2024, 2025, None), weights=(5, 5, 45, 40, 5))[0]
        if year is not None:
            start = max(datetime.date(year, 1, 1), founded + datetime.timedelta(days=180))
            day = _day(rng, start, min(datetime.date(year, 11, 30), last))
            if day is not None:
                out.append(
                    _RecordSpec(
                        "consolidation",
                        day,
                        "in_kind",
                        None,
                        "Tư vấn củng cố tổ chức, rà soát điều lệ, phương án sản xuất",
                        _money(rng, 5, 20),
                    )
                )
    return out


def plan_loan(org: Organisation, until: datetime.date) -> _LoanSpec | None:
    if org.kind not in (Kind.HTX, Kind.LHHTX):
        return None
    rng = random.Random(f"{SEED}:loan:{_key(org)}")
    if rng.random() >= 0.13:
        return None
    founded = org.founded_on or datetime.date(2015, 1, 1)
    start = max(LOANS_FROM, founded + datetime.timedelta(days=180))
    day = _day(rng, start, min(datetime.date(2025, 9, 30), _last_day(org, until)))
    if day is None:
        return None
    behaviour = rng.choices(("on_time", "early", "stopped"), weights=(70, 12, 18))[0]
    return _LoanSpec(
        amount=Decimal(rng.randrange(100, 510, 10)),
        disbursed_on=day,
        term_months=rng.choice((24, 36, 36, 48)),
        rate=rng.choice((Decimal("6.0"), Decimal("6.6"), Decimal("7.2"))),
        schedule=rng.choices((Loan.Schedule.QUARTERLY, Loan.Schedule.MONTHLY), weights=(80, 20))[0],
        behaviour=behaviour,
        stop_after=rng.randint(0, 4),
        purpose=rng.choice(
            (
                "Mua máy móc, thiết bị chế biến",
                "Bổ sung vốn lưu động mua vật tư, phân bón",
                "Xây dựng nhà xưởng, kho bảo quản",
                "Mở rộng vùng nguyên liệu",
                "Mua phương tiện vận chuyển",
            )
        ),
    )


def _repayments(
    loan: Loan, spec: _LoanSpec, last: datetime.date, rng: random.Random
) -> list[tuple[datetime.date, Decimal, Decimal]]:
    """(date, principal, interest) of the repayments the borrower made up to `last`."""
    out: list[tuple[datetime.date, Decimal, Decimal]] = []
    outstanding, previous = loan.amount, loan.disbursed_on
    instalments = loan_schedule(loan)
    for inst in instalments:
        if spec.behaviour == "stopped" and inst.number > spec.stop_after:
            break
        day = inst.due_on + datetime.timedelta(days=rng.randint(-5, 3))
        if day > last or day < loan.disbursed_on:
            break
        months = max((day - previous).days, 1) / Decimal("30.4")
        interest = (outstanding * spec.rate / 100 * months / 12).quantize(THOUSAND, ROUND_HALF_UP)
        if spec.behaviour == "early" and inst.number == 3 and inst.number < len(instalments):
            out.append((day, outstanding, interest))
            return out
        out.append((day, inst.principal, interest))
        outstanding -= inst.principal
        previous = day
    return out


def ensure_support(
    *, actor: User, orgs: list[Organisation] | None = None, today: datetime.date | None = None
) -> SupportReport:
    """Write whatever of the plan is missing, through the services, as `actor` (the demo's administrator).

    `orgs` defaults to the organisations of the demo province; tests pass a few of their own.
    """
    report = SupportReport()
    today = today or timezone.localdate()
    until = min(today, REPAYMENTS_UNTIL)
    if orgs is None:
        orgs = list(
            Organisation.objects.filter(current_path__startswith=f"c{PROVINCE}/", archived=False)
            .filter(Q(kind__in=[Kind.HTX, Kind.QTDND, Kind.LHHTX, Kind.THT]))
            .select_related("sector")
        )
    orgs = sorted(orgs, key=lambda o: (_key(o), o.pk))
    topics = {t.code: t for t in SupportTopic.objects.all()}
    agencies = _Agencies()
    have_records = set(
        SupportRecord.objects.filter(organisation__in=orgs).values_list(
            "organisation_id", "topic__code", "given_on"
        )
    )
    loans = {(lo.organisation_id, lo.disbursed_on): lo for lo in Loan.objects.filter(organisation__in=orgs)}
    have_repayments = set(
        Repayment.objects.filter(loan__in=list(loans.values())).values_list("loan_id", "paid_on")
    )
    for org in orgs:
        for spec in plan_records(org, until):
            if (org.pk, spec.topic, spec.day) in have_records or spec.topic not in topics:
                continue
            services.support_record_create(
                actor=actor,
                organisation=org,
                topic=topics[spec.topic],
                given_on=spec.day,
                form=spec.form,
                amount=spec.amount,
                in_kind_description=spec.description,
                estimated_value=spec.value,
                programme=PROGRAMMES.get(spec.topic, ""),
                agency=agencies.on(spec.topic, spec.day),
            )
            report.records_created += 1
        loan_spec = plan_loan(org, until)
        if loan_spec is None:
            continue
        loan = loans.get((org.pk, loan_spec.disbursed_on))
        if loan is None:
            loan = services.loan_create(
                actor=actor,
                organisation=org,
                agency=agencies.on("loan", loan_spec.disbursed_on),
                contract_number=f"{loan_spec.disbursed_on.year}/HĐ-QHT-{org.pk:04d}",
                amount=loan_spec.amount,
                disbursed_on=loan_spec.disbursed_on,
                term_months=loan_spec.term_months,
                interest_rate=loan_spec.rate,
                schedule=loan_spec.schedule,
                purpose=loan_spec.purpose,
            )
            report.loans_created += 1
        if loan.written_off_on:
            continue
        rng = random.Random(f"{SEED}:repay:{_key(org)}")
        last_paid = None
        for day, principal, interest in _repayments(loan, loan_spec, _last_day(org, until), rng):
            last_paid = day
            if (loan.pk, day) in have_repayments:
                continue
            services.repayment_record(
                loan=loan, actor=actor, paid_on=day, principal=principal, interest=interest
            )
            report.repayments_created += 1
        loan.refresh_from_db()
        if org.ended_on and org.ended_on <= until and loan.closed_on is None:
            day = max(d for d in (org.ended_on, last_paid, loan.disbursed_on) if d is not None)
            services.loan_write_off(
                loan=loan,
                actor=actor,
                written_off_on=min(day, until),
                reason="HTX giải thể, không còn khả năng trả nợ",
            )
            report.loans_written_off += 1
    report.union_counts_created = _ensure_union_counts(actor, topics, until)
    return report


def _ensure_union_counts(actor: User, topics: dict[str, SupportTopic], until: datetime.date) -> int:
    province = Unit.objects.filter(era=Unit.Era.CURRENT, level=Unit.Level.PROVINCE, code=PROVINCE).first()
    if province is None:
        return 0
    have = set(
        UnionActivity.objects.filter(unit=province, organisation__isnull=True).values_list(
            "year", "topic__code"
        )
    )
    agriculture = Sector.objects.filter(code="nong-nghiep").first()
    created = 0
    for year_index, year in enumerate((2024, 2025)):
        if year > until.year:
            continue
        for code, *counts in UNION_COUNTS:  # wholes come before their parts
            if (year, code) in have or code not in topics:
                continue
            services.union_activity_create(
                actor=actor,
                unit=province,
                year=year,
                topic=topics[code],
                count=counts[year_index],
                sector=agriculture,
            )
            created += 1
    return created
