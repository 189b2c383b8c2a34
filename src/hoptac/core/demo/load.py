"""Writing the demo province: units, agencies, the registry (through its services) and the users.

Everything is keyed on natural keys (unit codes, agency codes, organisation codes, usernames), so a
second run finds everything in place, writes nothing and takes a fraction of a second; a piece
deleted by hand comes back.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from hoptac.accounts.models import Role, User
from hoptac.indicators.services import plans_load_all
from hoptac.programme.models import Agency
from hoptac.registry.models import Kind, Organisation, Sector, Status, UnionMembership
from hoptac.registry.services import (
    organisation_change_status,
    organisation_create,
    union_membership_add,
    union_membership_end,
)
from hoptac.units.models import Unit, UnitSuccession

from .plan import PROVINCE, OrgSpec, build_plan, geo_from_units
from .programme import ProgrammeDemoReport, ensure_programme, programme_logins
from .returns import ensure_returns, plan_returns
from .scores import ensure_scores
from .support import SupportReport, ensure_support

PASSWORD = "demo1234"


class DemoRefused(Exception):
    """The database holds something that shows it is not a demo database; nothing was written."""


@dataclass(frozen=True)
class AgencySpec:
    code: str
    name: str
    short_name: str
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None
    successor: str = ""


AGENCIES = (
    AgencySpec("so-tai-chinh", "Sở Tài chính tỉnh Lai Châu", "Sở Tài chính"),
    AgencySpec(
        "so-nong-nghiep-moi-truong",
        "Sở Nông nghiệp và Môi trường tỉnh Lai Châu",
        "Sở NN&MT",
        valid_from=datetime.date(2025, 3, 1),
    ),
    AgencySpec("lien-minh-htx", "Liên minh Hợp tác xã tỉnh Lai Châu", "Liên minh HTX"),
    AgencySpec("hoi-nong-dan", "Hội Nông dân tỉnh Lai Châu", "Hội Nông dân"),
    # Merged into Sở Tài chính on 01/03/2025: kept so that older tasks still name their lead.
    AgencySpec(
        "so-ke-hoach-dau-tu",
        "Sở Kế hoạch và Đầu tư tỉnh Lai Châu",
        "Sở KH&ĐT",
        valid_to=datetime.date(2025, 2, 28),
        successor="so-tai-chinh",
    ),
)


@dataclass(frozen=True)
class UserSpec:
    username: str
    full_name: str
    role: str
    unit: tuple[str, str, str] | None = None  # (era, level, code)
    agency: str = ""
    organisation_tag: str = ""
    superuser: bool = False


USERS = (
    UserSpec("admin", "Quản trị hệ thống", Role.ADMIN, superuser=True),
    UserSpec("tinh", "Nguyễn Thị Thu Hằng", Role.PROVINCE, unit=("current", "province", PROVINCE)),
    UserSpec("xa.thanuyen", "Lò Văn Thành", Role.COMMUNE, unit=("current", "commune", "03595")),
    UserSpec("xa.tanuyen", "Tòng Thị Hương", Role.COMMUNE, unit=("current", "commune", "03598")),
    UserSpec("huyen.thanuyen", "Hoàng Văn Dũng", Role.VIEWER, unit=("legacy", "district", "110")),
    UserSpec("sotaichinh", "Trần Minh Đức", Role.AGENCY, agency="so-tai-chinh"),
    UserSpec("htx.hadung", "Hà Văn Dũng", Role.COOPERATIVE, organisation_tag="htx.hadung"),
    UserSpec("lanhdao", "Lê Văn Lương", Role.VIEWER, unit=("current", "province", PROVINCE)),
)


@dataclass
class DemoReport:
    units_loaded: bool = False
    agencies_created: int = 0
    organisations_created: int = 0
    status_changes_recorded: int = 0
    memberships_created: int = 0
    users_created: int = 0
    returns_created: int = 0
    return_steps: int = 0  # service calls that wrote the returns: create, save, submit, approve …
    returns_with_warnings: int = 0
    returns_seconds: float = 0.0
    scores_created: int = 0
    scores_seconds: float = 0.0
    programme: ProgrammeDemoReport | None = None
    support: SupportReport | None = None
    geolayer_created: bool = False
    seconds: float = 0.0
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.units_loaded,
                self.agencies_created,
                self.organisations_created,
                self.memberships_created,
                self.users_created,
                self.returns_created,
                self.scores_created,
                self.geolayer_created,
                self.programme is not None
                and (
                    self.programme.accounts_created
                    or self.programme.reports_created
                    or self.programme.budget_entries
                ),
                self.support is not None and self.support.changed,
            )
        )


def ensure_units() -> bool:
    """Load Vietnam's units unless Lai Châu of both eras and the successions are there already."""
    have = (
        Unit.objects.filter(era=Unit.Era.CURRENT, level=Unit.Level.PROVINCE, code=PROVINCE).exists()
        and Unit.objects.filter(era=Unit.Era.LEGACY, level=Unit.Level.DISTRICT, code="110").exists()
        and UnitSuccession.objects.exists()
    )
    if have:
        return False
    from hoptac.units.services import units_load

    units_load()
    return True


def ensure_sectors() -> dict[str, Sector]:
    if not Sector.objects.exists():  # a migration loads them; a flushed database has lost them
        from hoptac.registry.sectors import sectors_load

        sectors_load()
    return {s.code: s for s in Sector.objects.all()}


def ensure_agencies() -> tuple[dict[str, Agency], int]:
    province = Unit.objects.get(era=Unit.Era.CURRENT, level=Unit.Level.PROVINCE, code=PROVINCE)
    existing = {a.code: a for a in Agency.objects.filter(code__in=[s.code for s in AGENCIES])}
    created = 0
    for spec in AGENCIES:
        if spec.code in existing:
            continue
        agency = Agency(
            code=spec.code,
            name=spec.name,
            short_name=spec.short_name,
            unit=province,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            successor=existing.get(spec.successor),
        )
        agency.full_clean()
        agency.save()
        existing[spec.code] = agency
        created += 1
    return existing, created


def _new_user(spec: UserSpec, password_hash: str, **bound) -> User:
    user = User(
        username=spec.username,
        first_name=spec.full_name,  # Vietnamese names read family name first: keep the name whole
        role=spec.role,
        is_staff=spec.superuser,
        is_superuser=spec.superuser,
        password=password_hash,
        **bound,
    )
    user.full_clean()
    user.save()
    return user


def ensure_admin(password_hash: str) -> tuple[User, bool]:
    """The demo's administrator, who is also the actor recorded in the registry's history."""
    user = User.objects.filter(username=USERS[0].username).first()
    if user is not None:
        if not user.is_admin_role:
            raise DemoRefused(
                _("The user “%(username)s” exists and is not an administrator: this is not a demo database.")
                % {"username": user.username}
            )
        return user, False
    return _new_user(USERS[0], password_hash), True


@dataclass(frozen=True, order=True)
class Event:
    """One dated write of the registry's history; replayed in date order, as an office would have."""

    day: datetime.date
    rank: int  # on the same day: registration, joining a union, leaving it, then a status change
    seq: int
    action: str = field(compare=False)
    spec: OrgSpec = field(compare=False)
    detail: Any = field(compare=False, default=None)


def _existing_keys(plan: list[OrgSpec]) -> set[str]:
    codes = [o.code for o in plan if o.code]
    group_names = [o.name for o in plan if not o.code]
    found = Organisation.objects.filter(
        Q(code__in=codes) | Q(code__isnull=True, kind=Kind.THT, name__in=group_names)
    ).values_list("code", "kind", "name")
    return {code or f"{kind}:{name}" for code, kind, name in found}


def _by_key(keys: set[str]) -> dict[str, Organisation]:
    codes = {k for k in keys if ":" not in k}
    group_names = {k.split(":", 1)[1] for k in keys if ":" in k}
    found = Organisation.objects.filter(Q(code__in=codes) | Q(code__isnull=True, name__in=group_names))
    return {o.code or f"{o.kind}:{o.name}": o for o in found}


def _events(plan: list[OrgSpec], have: set[str], memberships: set[tuple[str, str]]) -> list[Event]:
    events: list[Event] = []
    for spec in plan:
        if spec.key not in have:
            events.append(Event(spec.founded_on, 0, len(events), "create", spec))
            events += [
                Event(s.effective_on, 3, len(events) + i, "status", spec, s) for i, s in enumerate(spec.steps)
            ]
        for member, joined, left in spec.members:
            if (spec.key, member) in memberships:
                continue
            events.append(Event(joined, 1, len(events), "join", spec, member))
            if left:
                events.append(Event(left, 2, len(events), "leave", spec, member))
    return sorted(events)


def ensure_registry(plan: list[OrgSpec], *, actor: User, sectors: dict[str, Sector]) -> tuple[int, int, int]:
    """Write, through the registry services and in date order, whatever of the plan is missing.

    Returns the numbers of organisations created, status changes recorded and memberships added.
    """
    have = _existing_keys(plan)
    unions = [o for o in plan if o.members]
    known = _by_key({o.key for o in unions} | {m for o in unions for m, _, _ in o.members})
    key_of = {org.pk: key for key, org in known.items()}
    memberships = {
        (key_of[union_id], key_of[member_id])
        for union_id, member_id in UnionMembership.objects.filter(union__in=known.values()).values_list(
            "union_id", "member_id"
        )
        if member_id in key_of
    }
    events = _events(plan, have, memberships)
    if not events:
        return 0, 0, 0
    units = {u.path: u for u in Unit.objects.filter(path__in={e.spec.unit_path for e in events})}
    orgs = dict(known)
    created = changes = joined = 0
    for event in events:
        spec = event.spec
        if event.action == "create":
            orgs[spec.key] = organisation_create(
                actor=actor,
                code=spec.code,
                name=spec.name,
                kind=spec.kind,
                sector=sectors[spec.sector],
                subsector=sectors[spec.subsector] if spec.subsector else None,
                unit=units[spec.unit_path],
                address=spec.address,
                phone=spec.phone,
                representative=spec.representative,
                founded_on=spec.founded_on,
                law=spec.law,
                charter_capital=spec.charter_capital,
                supporter=spec.supporter,
                union_member=spec.union_member,
            )
            created += 1
        elif event.action == "status":
            step = event.detail
            change = organisation_change_status(
                org=orgs[spec.key],
                actor=actor,
                status=step.status,
                effective_on=step.effective_on,
                decision_number=step.decision_number,
                reason=step.reason,
            )
            orgs[spec.key] = change.organisation  # the service's copy carries the new status
            changes += 1
        elif event.action == "join":
            union_membership_add(
                union=orgs[spec.key], member=orgs[event.detail], actor=actor, joined_on=event.day
            )
            joined += 1
        else:
            membership = UnionMembership.objects.get(union=orgs[spec.key], member=orgs[event.detail])
            union_membership_end(membership=membership, actor=actor, left_on=event.day)
    return created, changes, joined


def ensure_users(plan: list[OrgSpec], agencies: dict[str, Agency], password_hash: str) -> int:
    existing = set(
        User.objects.filter(username__in=[u.username for u in USERS]).values_list("username", flat=True)
    )
    missing = [u for u in USERS if u.username not in existing]
    if not missing:
        return 0
    tagged = {o.tag: o.key for o in plan if o.tag}
    orgs = _by_key(set(tagged.values()))
    for spec in missing:
        bound: dict = {}
        if spec.unit:
            era, level, code = spec.unit
            bound["unit"] = Unit.objects.get(era=era, level=level, code=code)
        if spec.agency:
            bound["agency"] = agencies[spec.agency]
        if spec.organisation_tag:
            bound["organisation"] = orgs[tagged[spec.organisation_tag]]
        _new_user(spec, password_hash, **bound)
    return len(missing)


def registry_totals() -> dict[str, int]:
    """Organisations of the demo province by kind, and how many have ended."""
    qs = Organisation.objects.filter(current_path__startswith=f"c{PROVINCE}/")
    totals = dict(qs.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    totals["ended"] = qs.filter(status__in=Status.ended()).count()
    return totals


def demo_load() -> DemoReport:
    """Load the Lai Châu demo: units if missing, agencies, about 400 organisations with their history,
    users, the plans, the action programme (agencies' accounts, task reports, budgets), the organisations'
    yearly returns from 2020 to the round under way (core.demo.returns), their classification, support
    records and loans, and a sample map.

    Idempotent: the plan is the same on every run and only what is missing is written.
    """
    started = time.monotonic()
    report = DemoReport()
    report.units_loaded = ensure_units()
    # One hash for all the demo accounts: hashing is deliberately slow and the password is shared.
    password_hash = ""
    if User.objects.filter(username__in=[u.username for u in USERS]).count() < len(USERS):
        password_hash = make_password(PASSWORD)
    with transaction.atomic():
        sectors = ensure_sectors()
        agencies, report.agencies_created = ensure_agencies()
        admin, admin_created = ensure_admin(password_hash)
        geo = geo_from_units()
        plan = build_plan(geo)
        (
            report.organisations_created,
            report.status_changes_recorded,
            report.memberships_created,
        ) = ensure_registry(plan, actor=admin, sectors=sectors)
        report.users_created = ensure_users(plan, agencies, password_hash) + admin_created
        # The plans of seeds 000, 002 and 004 with their targets (idempotent: a second run changes nothing).
        plans_load_all()
        # The action programme: agencies' accounts, task reports (some late), budget allocations.
        report.programme = ensure_programme(
            actor=User.objects.get(username="tinh"), password_hash=password_hash
        )
        # After the users: the returns are entered and approved by the demo's accounts.
        returns = plan_returns(plan, geo, USERS)
        written = ensure_returns(returns, orgs=_by_key({r.key for r in returns}))
        report.returns_created = written.created
        report.return_steps = written.service_calls
        report.returns_with_warnings = written.with_warnings
        report.returns_seconds = written.seconds
        # Classification of the cooperatives for every year with an approved return.
        scored = ensure_scores()
        report.scores_created, report.scores_seconds = scored.sheets_created, scored.seconds
        # Support records and the support fund's loans.
        report.support = ensure_support(actor=admin)
        # The sample map of the province's communes for the dashboard's choropleth.
        from hoptac.web.models import GeoLayer
        from hoptac.web.services import geolayer_load_sample

        had_layer = GeoLayer.objects.filter(is_sample=True).exists()
        geolayer_load_sample()
        report.geolayer_created = not had_layer
    report.totals = registry_totals()
    report.seconds = time.monotonic() - started
    return report


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, unit or agency or organisation) of every demo account present."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[s.username for s in USERS]).select_related(
            "unit", "agency", "organisation"
        )
    }
    rows = []
    for spec in USERS:
        user = users.get(spec.username)
        if user is None:
            continue
        if user.unit is not None:
            label = user.unit.label_with_parents()
            if user.unit.is_legacy:
                label = _("%(unit)s (until 30/06/2025)") % {"unit": label}
        else:
            label = str(user.agency or user.organisation or "—")
        rows.append((user.username, PASSWORD, str(user.get_role_display()), label))
    return rows + programme_logins()
