"""Every scoping rule in one place.

An officer sees and changes only what lies under his unit, past and present: a unit's scope is a
prefix test on the organisation's current path (for current units) or legacy path (for units of
before 01/07/2025). Out of scope and missing give the same 404, so that probing IDs tells nothing.

Roles:
- admin: everything, read and write;
- province officer, commune officer: read and write under their unit;
- viewer: read under their unit;
- agency officer: read under their agency's area;
- cooperative representative: read his own organisation.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from hoptac.registry.models import Organisation
from hoptac.units.models import Unit

from .models import Role, User

WRITE_ROLES = {Role.ADMIN, Role.PROVINCE, Role.COMMUNE}


def _nothing() -> Q:
    return Q(pk__in=[])


def unit_scope_q(unit: Unit, prefix: str = "") -> Q:
    """Organisations under `unit` (current or legacy); `prefix` points at the organisation from another model."""
    field = "legacy_path" if unit.is_legacy else "current_path"
    return Q(**{f"{prefix}{field}__startswith": unit.path})


def user_scope_unit(user: User) -> Unit | None:
    """The unit whose organisations a user may read (None for admins: everything; None too for no scope)."""
    if user.role == Role.AGENCY and user.agency_id:
        return user.agency.unit
    return user.unit


def organisation_scope_q(user: User, prefix: str = "") -> Q:
    """The Q that selects the organisations `user` may read; `prefix` as in unit_scope_q."""
    if not user.is_authenticated or not user.is_active:
        return _nothing()
    if user.is_admin_role:
        return Q()
    if user.role == Role.COOPERATIVE:
        return Q(**{f"{prefix}pk": user.organisation_id}) if user.organisation_id else _nothing()
    unit = user_scope_unit(user)
    return unit_scope_q(unit, prefix) if unit is not None else _nothing()


def visible_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations `user` may see, archived ones included (lists hide those by their own filter)."""
    return Organisation.objects.filter(organisation_scope_q(user))


def editable_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations `user` may change: the visible ones, for the roles that write."""
    if user.role not in WRITE_ROLES and not user.is_admin_role:
        return Organisation.objects.none()
    return visible_organisations(user)


def can_write_registry(user: User) -> bool:
    return user.is_authenticated and (user.is_admin_role or user.role in WRITE_ROLES)


def get_organisation_for_user(user: User, pk: int, *, write: bool = False) -> Organisation:
    """The organisation `pk` if `user` may see it (or change it, with write=True); else 404, as if missing."""
    qs = editable_organisations(user) if write else visible_organisations(user)
    try:
        return qs.select_related("sector", "subsector", "unit", "current_commune", "legacy_commune").get(
            pk=pk
        )
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def visible_units(user: User) -> QuerySet[Unit]:
    """Units a user may pick as a filter or as an organisation's commune: his unit and everything under it,
    and for current units the legacy units they succeeded (a Lai Châu officer reaches former Than Uyên)."""
    if user.is_admin_role:
        return Unit.objects.all()
    if user.role == Role.COOPERATIVE:
        org = user.organisation
        return Unit.objects.filter(pk__in=[org.unit_id]) if org else Unit.objects.none()
    unit = user_scope_unit(user)
    if unit is None:
        return Unit.objects.none()
    q = Q(path__startswith=unit.path)
    if not unit.is_legacy:
        # Legacy communes whose successor is under the unit, and their districts and provinces.
        q |= Q(successions__successor__path__startswith=unit.path)
        q |= Q(children__successions__successor__path__startswith=unit.path)
        q |= Q(children__children__successions__successor__path__startswith=unit.path)
    return Unit.objects.filter(q).distinct()


def figure_units(user: User) -> QuerySet[Unit]:
    """Units whose figures (dashboard, indicators, maps, their JSON) `user` may read: those of the visible
    units every organisation of which he may read, since a figure adds up all of them.

    - administrators: every unit;
    - a cooperative's representative: none (his commune's figures are other organisations');
    - an officer or viewer of a unit: the units under it, and for a current unit the former units
      (communes, districts, provinces) it reaches through the successions when no organisation
      registered under them now lies outside his unit. A commune officer of Xã Than Uyên reads the former
      Thị trấn Than Uyên, but not the former Than Uyên district, whose cooperatives are now in other
      communes too; a province officer reads the former province and its districts.

    Costs up to four indexed queries, once per user object (the request's user keeps the answer).
    """
    if not user.is_authenticated or not user.is_active:
        return Unit.objects.none()
    if user.is_admin_role:
        return Unit.objects.all()
    if user.role == Role.COOPERATIVE:
        return Unit.objects.none()
    cached = getattr(user, "_figure_unit_ids", None)
    if cached is None:
        cached = _figure_unit_ids(user)
        user._figure_unit_ids = cached
    return Unit.objects.filter(pk__in=cached)


def _figure_unit_ids(user: User) -> list[int]:
    unit = user_scope_unit(user)
    if unit is None:
        return []
    if unit.is_legacy:
        return list(visible_units(user).values_list("pk", flat=True))
    # visible_units' units, read in plain indexed queries (its OR of joins with DISTINCT is slow at
    # national scale): the current units under the unit, the former units succeeded into it, and the
    # districts and provinces of those former communes.
    current = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    succeeded = list(
        Unit.objects.filter(era=Unit.Era.LEGACY, successions__successor__path__startswith=unit.path)
        .values_list("pk", "path", "parent_id", "parent__parent_id")
        .order_by()
        .distinct()
    )
    above = {p for _pk, _path, *parents in succeeded for p in parents if p is not None}
    legacy = {pk: path for pk, path, *_parents in succeeded}
    missing = above - set(legacy)
    if missing:
        legacy.update(Unit.objects.filter(pk__in=missing).values_list("pk", "path"))
    roots: list[str] = []
    for path in sorted(legacy.values()):
        if not roots or not path.startswith(roots[-1]):
            roots.append(path)
    under = Q(pk__in=[])
    for root in roots:
        under |= Q(legacy_path__startswith=root)
    outside = set(
        Organisation.objects.filter(under)
        .exclude(current_path__startswith=unit.path)
        .order_by()
        .values_list("legacy_path", flat=True)
        .distinct()
    )
    blocked = {pk for pk, path in legacy.items() if any(o.startswith(path) for o in outside)}
    return current + [pk for pk in legacy if pk not in blocked]


def can_write_unit(user: User, unit: Unit) -> bool:
    """Whether `user` may place an organisation in `unit`."""
    return can_write_registry(user) and visible_units(user).filter(pk=unit.pk).exists()
