"""The demo province's classifications, for the years with approved returns, written through the
scoring services (scoring.services) and keyed on (organisation, year): a second run writes nothing.

1. The shipped schemes leave values blank that the public sources did not give (criteria 3–6 of TT
   09/2017, 10–15 of TT 01/2020). The demo enters ILLUSTRATIVE values as a new version of each
   (`scoring.schemes.scheme_edit`, as a province's administrator would), named and noted as such, so
   that its sheets can be completed; the shipped version stays, unconfirmed values marked.
2. Every HTX and union of cooperatives of the province with an approved return for a year, that the
   scheme rates (operated the whole year, not stopped more than three months), is scored: computed
   criteria from the return, the others drawn deterministically so that the total lands near the
   class the cooperative gave itself in its return, each with an evidence note; a few agricultural
   cooperatives rated weak were fined that year (the fine forces yếu).
3. Who does it: the cooperative's representative where it has an account, else the commune officer
   of its commune, else a province officer; the commune officer (else the province officer) confirms.
   Years before the round under way are confirmed (a few sheets of the last complete year wait for
   confirmation); in the round under way about half are submitted and the rest are drafts.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from hoptac.accounts.models import Role, User
from hoptac.registry.models import Kind, Organisation, StatusChange
from hoptac.returns.fields import Classification
from hoptac.returns.models import AnnualReturn
from hoptac.returns.queries import current_reporting_year
from hoptac.scoring.models import Scheme, ScoreSheet
from hoptac.scoring.rules import (
    SchemeData,
    evaluate,
    exclusion_reason,
    load_scheme,
    scheme_problems,
    schemes_unchanged,
)
from hoptac.scoring.schemes import SchemeChooser, scheme_edit
from hoptac.scoring.services import (
    score_compute,
    score_confirm,
    score_save,
    score_submit,
)

from .plan import PROVINCE, SEED

DEMO_NOTE = (
    "Giá trị minh họa của dữ liệu demo, KHÔNG phải số liệu chính thức: thay bằng Phụ lục 1 của Thông tư."
)
# Illustrative maxima for the values the public sources did not give (see the module docstring).
DEMO_VALUES = {
    "tt09-2017-bnnptnt": {
        "2.2": {
            "parent": "2",
            "title_vi": "Các lợi ích khác của thành viên (minh họa)",
            "title_en": "Other member benefits (illustrative)",
            "max_points": 14,
            "rule": "manual",
        },
        "3": {"max_points": 15},
        "4": {"max_points": 10},
        "5": {"max_points": 5},
        "6": {"max_points": 10},
    },
    "tt01-2020-bkhdt": {"10": {"max_points": 8}, "11": {"max_points": 8}, "12": {"max_points": 8},
                        "13": {"max_points": 6}, "14": {"max_points": 5}, "15": {"max_points": 5}},
}  # fmt: skip
TARGETS = {
    Classification.GOOD: (80, 94),
    Classification.FAIR: (66, 79),
    Classification.AVERAGE: (51, 64),
    Classification.WEAK: (36, 49),
}
FINED_SHARE = 0.25  # of the agricultural cooperatives that rated themselves weak
EVIDENCE = {
    "1.4": "Nghị quyết Đại hội thành viên thường niên và sổ quỹ đầu tư phát triển năm {year}.",
    "1.5": "Sổ quỹ dự phòng tài chính năm {year}.",
    "2.1": "Bảng giá dịch vụ năm {year} cho thành viên và khách hàng ngoài.",
    "5": "Giấy khen, bằng khen nhận trong năm {year}.",
    "6": "Kết quả lấy ý kiến thành viên về mức độ hài lòng, năm {year}.",
    "15": "Giấy khen, bằng khen nhận trong năm {year}.",
}
DEFAULT_EVIDENCE = "Hồ sơ, sổ sách của hợp tác xã năm {year}; biên bản tự đánh giá của Hội đồng quản trị."


@dataclass
class ScoresReport:
    schemes_versioned: int = 0
    sheets_created: int = 0
    confirmed: int = 0
    not_rated: int = 0
    seconds: float = 0.0


def ensure_demo_schemes(actor: User) -> int:
    """Complete each incomplete scheme in force with the illustrative values, as a new version."""
    made = 0
    for scheme in Scheme.objects.active().filter(code__in=DEMO_VALUES):
        if not scheme_problems(load_scheme(scheme)):
            continue
        changes: dict[str, dict[str, Any]] = {}
        for number, values in DEMO_VALUES[scheme.code].items():
            changes[number] = {**values, "confirmed": False, "source_note": DEMO_NOTE}
        scheme_edit(
            scheme=scheme,
            actor=actor,
            criteria=changes,
            note="Phiên bản minh họa của dữ liệu demo: điểm tối đa chưa xác nhận được nhập tạm để chấm thử.",
            name_vi=f"{scheme.name_vi} — bản minh họa (demo)",
            name_en=f"{scheme.name_en} — illustrative (demo)",
        )
        made += 1
    return made


class _Actors:
    """Who scores and who confirms each organisation: its representative, its commune's officer, the province."""

    def __init__(self) -> None:
        users = list(
            User.objects.filter(is_active=True)
            .filter(Q(role__in=[Role.COMMUNE, Role.PROVINCE, Role.COOPERATIVE]) | Q(is_superuser=True))
            .select_related("unit")
            .order_by("pk")
        )
        self.reps = {u.organisation_id: u for u in users if u.role == Role.COOPERATIVE and u.organisation_id}
        self.officers = [u for u in users if u.role in (Role.COMMUNE, Role.PROVINCE) and u.unit_id]
        # Commune officers before province officers: the nearest office does the work.
        self.officers.sort(key=lambda u: -len(u.unit.path))
        self.admin = next((u for u in users if u.is_superuser), None)

    def officer_for(self, org: Organisation) -> User | None:
        for user in self.officers:
            field = org.legacy_path if user.unit.is_legacy else org.current_path
            if field and field.startswith(user.unit.path):
                return user
        return self.admin

    def entry_for(self, org: Organisation) -> User | None:
        return self.reps.get(org.pk) or self.officer_for(org)


def _entries(
    data: SchemeData, org: Organisation, ret: AnnualReturn, prev: AnnualReturn | None, rng: random.Random
) -> dict[str, dict[str, Any]]:
    """Points for the criteria a person scores, so that the total lands near the self-classification."""
    low, high = TARGETS.get(ret.self_classification or "", (55, 75))
    target = Decimal(rng.randint(low, high))
    base = evaluate(data, org=org, ret=ret, prev=prev)
    manual = [r for r in base.leaves if r.enterable and r.max_points]
    room = sum((r.max_points for r in manual), Decimal(0))
    share = min(max((target - base.total) / room, Decimal(0)), Decimal(1)) if room else Decimal(0)
    out = {}
    for row in manual:
        noisy = float(row.max_points * share) + rng.uniform(-0.8, 0.8)
        points = Decimal(max(0, min(int(row.max_points), round(noisy))))
        number = row.criterion.number
        evidence = (EVIDENCE.get(number, DEFAULT_EVIDENCE) if points else "").format(year=ret.year)
        out[number] = {"points": points, "evidence": evidence}
    return out


def ensure_scores(*, province: str = PROVINCE, seed: int = SEED) -> ScoresReport:
    """Score the province's cooperatives for every year they have an approved return, if not yet scored."""
    started = time.monotonic()
    report = ScoresReport()
    actors = _Actors()
    if actors.admin is not None:
        report.schemes_versioned = ensure_demo_schemes(actors.admin)
    chooser = SchemeChooser.load()
    rets = list(
        AnnualReturn.objects.filter(
            status=AnnualReturn.Status.APPROVED,
            organisation__current_path__startswith=f"c{province}/",
            organisation__kind__in=[Kind.HTX, Kind.LHHTX],
            organisation__archived=False,
        )
        .select_related("organisation__sector", "organisation__subsector")
        .order_by("year", "organisation__name_folded", "organisation_id")
    )
    have = set(
        ScoreSheet.objects.filter(organisation_id__in={r.organisation_id for r in rets}).values_list(
            "organisation_id", "year"
        )
    )
    todo = [r for r in rets if (r.organisation_id, r.year) not in have]
    if not todo:
        report.seconds = time.monotonic() - started
        return report
    approved = {(r.organisation_id, r.year): r for r in rets}
    changes: dict[int, list[StatusChange]] = defaultdict(list)
    for change in StatusChange.objects.filter(organisation_id__in={r.organisation_id for r in todo}):
        changes[change.organisation_id].append(change)
    current = current_reporting_year()
    # No scheme changes while the demo scores: each version is read once, not at every step.
    with schemes_unchanged():
        loaded: dict[int, SchemeData] = {}
        for ret in todo:
            org, year = ret.organisation, ret.year
            scheme = chooser.scheme_for(org)
            if scheme is None:
                continue
            data = loaded.setdefault(scheme.pk, load_scheme(scheme))
            if exclusion_reason(org, year, data.rules, changes.get(org.pk, [])):
                report.not_rated += 1
                continue
            entry, officer = actors.entry_for(org), actors.officer_for(org)
            if entry is None or officer is None:
                continue
            rng = random.Random(f"{seed}:score:{org.pk}:{org.code}:{year}")
            sheet, _created = score_compute(organisation=org, year=year, actor=entry)
            fined = (
                data.fine_rule() is not None
                and ret.self_classification == Classification.WEAK
                and rng.random() < FINED_SHARE
            )
            fine = {
                "fined": True,
                "fine_note": f"Quyết định xử phạt vi phạm hành chính năm {year} (dữ liệu demo).",
            }
            sheet = score_save(
                sheet=sheet,
                actor=entry,
                entries=_entries(data, org, ret, approved.get((org.pk, year - 1)), rng),
                expected_version=sheet.version,
                **(fine if fined else {}),
            )
            report.sheets_created += 1
            draw = rng.random()
            if year >= current and draw < 0.5:
                continue  # a draft of the round under way
            sheet = score_submit(sheet=sheet, actor=entry, expected_version=sheet.version)
            if year >= current or (year == current - 1 and draw < 0.08):
                continue  # waiting for confirmation
            score_confirm(sheet=sheet, actor=officer, expected_version=sheet.version)
            report.confirmed += 1
    report.seconds = time.monotonic() - started
    return report
