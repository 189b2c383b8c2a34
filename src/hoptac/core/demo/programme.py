"""The demo's action programme: agency accounts, yearly task reports and the budget's money.

What it writes, through programme.services, on top of the plans that `plans_load_all` loads (seeds
000 and 002 for Lai Châu, with their tasks, deadlines and the budget of seed 000 part IV.7):
- an account for most of Lai Châu's agencies that lead tasks (password demo1234, an address at
  hoptac.example so that `hoptac remind` has someone to write to); a few agencies have none, so
  their reports stay missing (Cục Thuế, Báo Lai Châu, two former districts);
- for each task and year from the programme's first year to this one, each lead agency with an
  account files its report, usually some days before the deadline (15/12), sometimes after it (filed
  late), sometimes never (missing); this year's reports, before the deadline, are partly filed;
  tasks given to a department that merged on 01/03/2025 are reported by its successor's staff for
  the years before; some coordinating agencies add a contribution; a few reports carry a PDF;
- the budget lines of seed 000 get allocations each year (decisions of March) and disbursements
  (November), 2021 to this year.

Deterministic (a hash of the task, year and agency decides), keyed on natural keys, so a second run
writes nothing; a report deleted by hand comes back.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hoptac.accounts.models import Role, User
from hoptac.indicators.models import Plan
from hoptac.programme.access import duty_of, report_day
from hoptac.programme.agencies import AgencyGraph
from hoptac.programme.models import Agency, BudgetEntry, BudgetLine, Programme, Task, TaskReport
from hoptac.programme.services import budget_entry_record, task_report_save

PASSWORD = "demo1234"
PLANS = ("lai-chau-ktt-2021-2030", "lai-chau-hnd-2024-2030")
EMAIL_DOMAIN = "hoptac.example"


@dataclass(frozen=True)
class AccountSpec:
    username: str
    full_name: str
    agency: str
    listed: bool = True  # shown among the demo logins


ACCOUNTS = (
    AccountSpec("lienminh", "Đỗ Thị Mai", "lien-minh-htx"),
    AccountSpec("hoinongdan", "Vàng A Sử", "hoi-nong-dan"),
    AccountSpec("sonnmt", "Lường Văn Hải", "so-nong-nghiep-moi-truong"),
    AccountSpec("socongthuong", "Phạm Thu Trang", "so-cong-thuong"),
    AccountSpec("ubnd.thanuyen", "Lò Thị Xuân", "ubnd-xa-03595"),
    AccountSpec("cb.khcn", "Nguyễn Văn Tú", "so-khoa-hoc-cong-nghe", listed=False),
    AccountSpec("cb.noivu", "Trần Thị Lan", "so-noi-vu", listed=False),
    AccountSpec("cb.dantoc", "Giàng A Páo", "so-dan-toc-ton-giao", listed=False),
    AccountSpec("cb.chinhtri", "Hoàng Văn Nam", "truong-chinh-tri", listed=False),
    AccountSpec("cb.truyenhinh", "Lê Thị Hoa", "dai-phat-thanh-truyen-hinh", listed=False),
    AccountSpec("cb.mattran", "Tao Văn Minh", "mat-tran-to-quoc", listed=False),
    AccountSpec("cb.phunu", "Lò Thị Thu", "hoi-lien-hiep-phu-nu", listed=False),
    AccountSpec("cb.tinhdoan", "Phàn Văn Lực", "tinh-doan", listed=False),
    AccountSpec("cb.cuuchienbinh", "Đinh Văn Quân", "hoi-cuu-chien-binh", listed=False),
    AccountSpec("cb.tpl", "Vũ Thị Hạnh", "ubnd-huyen-105", listed=False),
    AccountSpec("cb.tamduong", "Chẻo A Lử", "ubnd-huyen-106", listed=False),
    AccountSpec("cb.muongte", "Lý Văn Sáng", "ubnd-huyen-107", listed=False),
    AccountSpec("cb.phongtho", "Tẩn Thị Mẩy", "ubnd-huyen-109", listed=False),
    AccountSpec("cb.thanuyen", "Lò Văn Hưng", "ubnd-huyen-110", listed=False),
    AccountSpec("cb.tanuyen", "Lường Thị Ánh", "ubnd-huyen-111", listed=False),
    AccountSpec("ubnd.tanuyen", "Vì Văn Thắng", "ubnd-xa-03598", listed=False),
)
# The demo's own Sở Tài chính account (core.demo.load.USERS) files the reports of Sở Tài chính and,
# for the years before the merger, of Sở Kế hoạch và Đầu tư.
EXISTING_ACCOUNTS = ("sotaichinh",)

# Of the reports due on a past deadline: filed on time, filed late, never filed.
PAST = (0.72, 0.13, 0.15)
# This year's, before the deadline: filed already.
CURRENT_FILED = 0.35
CONTRIBUTION_SHARE = 0.25
ATTACHMENT_SHARE = 0.12

NARRATIVES = (
    "Năm {year}, {agency} đã ban hành kế hoạch triển khai nhiệm vụ, phân công đơn vị đầu mối và tổ chức "
    "thực hiện. Kết quả: {result}",
    "{agency} đã phối hợp với các địa phương triển khai nhiệm vụ trong năm {year}; {result}",
    "Trong năm {year}, {agency} tiếp tục thực hiện nhiệm vụ theo kế hoạch. {result}",
)
RESULTS = {
    TaskReport.Status.DONE: (
        "hoàn thành các nội dung đề ra trong năm; đã báo cáo kết quả về cơ quan tổng hợp.",
        "đạt và vượt yêu cầu; các hợp tác xã được hướng dẫn, hỗ trợ kịp thời.",
    ),
    TaskReport.Status.IN_PROGRESS: (
        "đang triển khai, một số nội dung chậm do thiếu kinh phí, sẽ hoàn thành trong năm sau.",
        "đã hoàn thành phần lớn khối lượng; còn vướng mắc về thủ tục, đang đề xuất tháo gỡ.",
    ),
    TaskReport.Status.NOT_STARTED: ("chưa triển khai được do chưa được bố trí kinh phí.",),
}
CONTRIBUTIONS = (
    "Đã cử cán bộ phối hợp, cung cấp số liệu của ngành cho cơ quan chủ trì.",
    "Đã lồng ghép nội dung nhiệm vụ vào chương trình công tác của đơn vị và báo cáo kết quả phối hợp.",
)
# A minimal PDF: enough for the attachment check (its content is a PDF), small in the database.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@dataclass
class ProgrammeDemoReport:
    accounts_created: int = 0
    reports_created: int = 0
    late: int = 0
    missing: int = 0
    contributions: int = 0
    budget_entries: int = 0
    seconds: float = 0.0


def _rng(*key: object) -> random.Random:
    digest = hashlib.sha256("|".join(str(k) for k in key).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def ensure_accounts(password_hash: str = "") -> int:
    """The agencies' demo accounts (and an address for the demo's Sở Tài chính account)."""
    agencies = {a.code: a for a in Agency.objects.filter(code__in=[s.agency for s in ACCOUNTS])}
    have = set(
        User.objects.filter(username__in=[s.username for s in ACCOUNTS]).values_list("username", flat=True)
    )
    created = 0
    for spec in ACCOUNTS:
        if spec.username in have or spec.agency not in agencies:
            continue
        user = User(
            username=spec.username,
            first_name=spec.full_name,
            role=Role.AGENCY,
            agency=agencies[spec.agency],
            email=f"{spec.username}@{EMAIL_DOMAIN}",
            password=password_hash or make_password(PASSWORD),
        )
        user.full_clean()
        user.save()
        password_hash = user.password
        created += 1
    for username in EXISTING_ACCOUNTS:
        User.objects.filter(username=username, email="").update(email=f"{username}@{EMAIL_DOMAIN}")
    return created


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time(rng.randint(8, 16), rng.randint(0, 59)))
    )


def _status(task: Task, year: int, years: range, rng: random.Random) -> tuple[str, int]:
    if task.is_yearly:
        roll = rng.random()
        if roll < 0.6:
            return TaskReport.Status.DONE, 100
        if roll < 0.95:
            return TaskReport.Status.IN_PROGRESS, rng.choice((50, 60, 70, 80, 90))
        return TaskReport.Status.NOT_STARTED, 0
    span = [y for y in years if task.start_year <= y <= task.end_year]
    if year == span[-1] and rng.random() < 0.8:
        return TaskReport.Status.DONE, 100
    share = (span.index(year) + 1) / (len(span) + 1)
    return TaskReport.Status.IN_PROGRESS, max(10, min(95, int(share * 100) // 5 * 5))


def ensure_reports(*, now: datetime.datetime | None = None) -> tuple[int, int, int, int]:
    """Reports of the demo plans' tasks, as the accounts would have filed them; (created, late, missing,
    contributions)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    graph = AgencyGraph()
    users: dict[int, User] = {}
    for user in (
        User.objects.filter(role=Role.AGENCY, is_active=True).exclude(agency=None).order_by("username")
    ):
        users.setdefault(user.agency_id, user)
    acting = {agency_id: graph.lineage([agency_id]) for agency_id in users}
    # Who files for an agency: one of its own accounts, else its successor's (merged departments).
    filer: dict[int, User] = {}
    for agency_id, user in users.items():
        for owed in acting[agency_id]:
            if owed == agency_id or owed not in users:
                filer.setdefault(owed, user)
    filer.update(users)
    created = late = missing = contributions = 0
    for plan in Plan.objects.filter(slug__in=PLANS).order_by("slug"):
        programme = Programme.objects.filter(plan=plan).first()
        if programme is None:
            continue
        tasks = list(
            plan.tasks.select_related("group", "lead").prefetch_related("coordinating").order_by("order")
        )
        have = set(TaskReport.objects.filter(task__plan=plan).values_list("task_id", "year", "agency_id"))
        for task in tasks:
            years = task.years(programme)
            for year in years:
                if year > today.year:
                    break
                deadline = programme.deadline(year)
                day = report_day(programme, year)
                for agency_id in graph.reporters(task.lead_id, day):
                    rng = _rng(plan.slug, task.ref, year, graph[agency_id].code)
                    user = filer.get(agency_id)
                    if user is None:
                        missing += 1
                        continue
                    if today > deadline:
                        roll = rng.random()
                        if roll >= PAST[0] + PAST[1]:
                            missing += 1
                            continue
                        offset = -rng.randint(1, 20) if roll < PAST[0] else rng.randint(1, 40)
                    else:
                        if rng.random() >= CURRENT_FILED:
                            continue
                        offset = -rng.randint(15, 40)
                    when = _moment(deadline + datetime.timedelta(days=offset), rng)
                    if when > now:
                        continue
                    if (task.pk, year, agency_id) in have:
                        continue
                    status, progress = _status(task, year, years, rng)
                    agency = graph[agency_id]
                    narrative = rng.choice(NARRATIVES).format(
                        year=year, agency=agency.short_name or agency.name, result=rng.choice(RESULTS[status])
                    )
                    files = []
                    if rng.random() < ATTACHMENT_SHARE:
                        files = [SimpleUploadedFile(f"Bao-cao-{task.ref}-{year}.pdf", PDF, "application/pdf")]
                    task_report_save(
                        task=task,
                        year=year,
                        actor=user,
                        narrative=narrative,
                        status=status,
                        progress=progress,
                        files=files,
                        submitted_at=when,
                    )
                    have.add((task.pk, year, agency_id))
                    created += 1
                    late += offset > 0
                    contributions += _contribute(task, year, programme, graph, users, have, rng, when, now)
    return created, late, missing, contributions


def _contribute(task, year, programme, graph, users, have, rng, when, now) -> int:
    """Some coordinating agencies with an account add their contribution a few days after the lead."""
    day = report_day(programme, year)
    done = 0
    for agency_id, user in users.items():
        if (task.pk, year, agency_id) in have or rng.random() >= CONTRIBUTION_SHARE:
            continue
        # The service files as the first agency of the account's lineage the task names, lead first.
        duty = duty_of(graph.lineage([agency_id]), task, day, graph)
        if (
            duty is None
            or duty.role != TaskReport.Role.CONTRIBUTION
            or (task.pk, year, duty.agency_id) in have
        ):
            continue
        moment = when + datetime.timedelta(days=rng.randint(1, 5))
        if moment > now:
            continue
        task_report_save(
            task=task, year=year, actor=user, narrative=rng.choice(CONTRIBUTIONS), submitted_at=moment
        )
        have.add((task.pk, year, duty.agency_id))
        done += 1
    return done


def ensure_budget(*, actor: User, now: datetime.datetime | None = None) -> int:
    """Allocations (March) and disbursements (November) on seed 000's budget lines, 2021 to this year."""
    now = now or timezone.now()
    plan = Plan.objects.filter(slug=PLANS[0]).first()
    if plan is None or BudgetEntry.objects.filter(line__plan=plan).exists():
        return 0
    written = 0
    for line in BudgetLine.objects.filter(plan=plan).order_by("period_start", "order"):
        yearly = line.planned / (line.period_end - line.period_start + 1)
        for year in range(line.period_start, min(line.period_end, timezone.localdate(now).year) + 1):
            rng = _rng("budget", line.period, line.source, line.purpose, year)
            # Central money arrives late and short; the province's own more surely.
            factor = (
                rng.uniform(0.45, 0.9) if line.source == BudgetLine.Source.CENTRAL else rng.uniform(0.8, 1.05)
            )
            allocated = (yearly * Decimal(str(round(factor, 2)))).quantize(Decimal(1))
            allocated_on = datetime.date(year, 3, rng.randint(5, 28))
            if timezone.make_aware(datetime.datetime.combine(allocated_on, datetime.time(9))) > now:
                continue
            budget_entry_record(
                line=line,
                year=year,
                kind=BudgetEntry.Kind.ALLOCATION,
                amount=allocated,
                actor=actor,
                on=allocated_on,
                reference=f"{rng.randint(150, 480)}/QĐ-UBND",
                recorded_at=timezone.make_aware(datetime.datetime.combine(allocated_on, datetime.time(9))),
            )
            written += 1
            disbursed_on = datetime.date(year, 11, rng.randint(10, 28))
            moment = timezone.make_aware(datetime.datetime.combine(disbursed_on, datetime.time(15)))
            if moment > now:
                continue
            share = Decimal(str(round(rng.uniform(0.7, 0.97), 2)))
            budget_entry_record(
                line=line,
                year=year,
                kind=BudgetEntry.Kind.DISBURSEMENT,
                amount=(allocated * share).quantize(Decimal(1)),
                actor=actor,
                on=disbursed_on,
                reference=f"Giải ngân đến {disbursed_on:%d/%m/%Y}",
                recorded_at=moment,
            )
            written += 1
    return written


def ensure_programme(
    *, actor: User, password_hash: str = "", now: datetime.datetime | None = None
) -> ProgrammeDemoReport:
    """The demo's action programme (see the module's doc); the plans must be loaded (plans_load_all).

    `actor` records the budget (the demo's province officer or administrator); `password_hash` is the
    demo's shared hash, made here when not given; `now` is the demo's present (tests fix it).
    """
    started = time.monotonic()
    report = ProgrammeDemoReport()
    report.accounts_created = ensure_accounts(password_hash)
    report.reports_created, report.late, report.missing, report.contributions = ensure_reports(now=now)
    report.budget_entries = ensure_budget(actor=actor, now=now)
    report.seconds = time.monotonic() - started
    return report


def programme_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, agency) of the listed programme accounts present."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[s.username for s in ACCOUNTS if s.listed]).select_related(
            "agency"
        )
    }
    return [
        (u.username, PASSWORD, str(u.get_role_display()), str(u.agency))
        for spec in ACCOUNTS
        if spec.listed and (u := users.get(spec.username)) is not None
    ]
