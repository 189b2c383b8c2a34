"""Who may read, enter and approve yearly returns, built on hoptac.accounts.access.

- a cooperative representative reads, enters and submits his own organisation's return;
- a commune officer (or former district officer) enters, submits and approves those under his unit;
- a province officer does the same for the whole province, an administrator everywhere;
- viewers and agency officers read what lies under their unit or agency's area.
Out of scope and missing give the same 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hoptac.accounts.access import organisation_scope_q, visible_organisations
from hoptac.accounts.models import Role, User
from hoptac.registry.models import Organisation

from .models import AnnualReturn

ENTRY_ROLES = frozenset({Role.ADMIN, Role.PROVINCE, Role.COMMUNE, Role.COOPERATIVE})
APPROVAL_ROLES = frozenset({Role.ADMIN, Role.PROVINCE, Role.COMMUNE})


def _has_role(user: User, roles: frozenset[str]) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_admin_role or user.role in roles))


def may_enter_returns(user: User) -> bool:
    """Whether the user's role enters and submits returns (somewhere)."""
    return _has_role(user, ENTRY_ROLES)


def may_approve_returns(user: User) -> bool:
    """Whether the user's role approves returns (somewhere)."""
    return _has_role(user, APPROVAL_ROLES)


def visible_returns(user: User) -> QuerySet[AnnualReturn]:
    """Returns of the organisations `user` may read."""
    return AnnualReturn.objects.filter(organisation_scope_q(user, prefix="organisation__"))


def enterable_returns(user: User) -> QuerySet[AnnualReturn]:
    """Returns `user` may enter and submit (whatever their state)."""
    return visible_returns(user) if may_enter_returns(user) else AnnualReturn.objects.none()


def approvable_returns(user: User) -> QuerySet[AnnualReturn]:
    """Returns `user` may approve, send back or reopen (whatever their state)."""
    return visible_returns(user) if may_approve_returns(user) else AnnualReturn.objects.none()


def can_enter(user: User, org: Organisation) -> bool:
    """Whether `user` may enter and submit `org`'s returns."""
    return may_enter_returns(user) and visible_organisations(user).filter(pk=org.pk).exists()


def can_approve(user: User, ret: AnnualReturn) -> bool:
    """Whether `user` may approve, send back or reopen `ret` (a representative never may)."""
    return may_approve_returns(user) and visible_organisations(user).filter(pk=ret.organisation_id).exists()


def ensure_can_enter(user: User, org: Organisation) -> None:
    if not can_enter(user, org):
        raise PermissionDenied(_("You may not enter the returns of %(name)s.") % {"name": org.name})


def ensure_can_approve(user: User, ret: AnnualReturn) -> None:
    if not can_approve(user, ret):
        raise PermissionDenied(
            _("You may not approve, send back or reopen the returns of %(name)s.")
            % {"name": ret.organisation.name}
        )


def get_return_for_user(user: User, pk: int, *, write: bool = False) -> AnnualReturn:
    """The return `pk` if `user` may read it (enter it, with write=True); else 404, as if missing."""
    qs = enterable_returns(user) if write else visible_returns(user)
    try:
        return qs.select_related("organisation__sector").get(pk=pk)
    except (AnnualReturn.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_organisation_for_returns(user: User, pk: int, *, write: bool = False) -> Organisation:
    """The organisation `pk` whose returns `user` may read (enter, with write=True); else 404.

    Not accounts.access.get_organisation_for_user(write=True): a cooperative representative may not
    change the registry, but he enters his own organisation's returns.
    """
    if write and not may_enter_returns(user):
        raise Http404
    try:
        return (
            visible_organisations(user)
            .select_related("sector", "subsector", "unit", "current_commune", "legacy_commune__parent")
            .get(pk=pk)
        )
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
