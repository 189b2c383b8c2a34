"""Who may read and record support, loans and the Farmers' Union's counts, built on hoptac.accounts.access.

- Support records and loans belong to an organisation: a user reads those of the organisations he
  may see (accounts.access.visible_organisations), and province officers, commune officers (in their
  area) and administrators record them (accounts.access.editable_organisations).
- A Farmers' Union count belongs to a unit: read under the user's unit (or his agency's area), written
  by the same roles for a unit they may pick (accounts.access.can_write_unit).
Out of scope and missing give the same 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import Role, User
from hoptac.registry.models import Organisation
from hoptac.units.models import Unit

from .models import Loan, Repayment, SupportRecord, UnionActivity


def may_write(user: User) -> bool:
    """Whether the user's role records support (somewhere)."""
    return bool(user.is_authenticated and user.is_active and access.can_write_registry(user))


def can_write_for(user: User, org: Organisation) -> bool:
    """Whether `user` may record support and loans for `org`."""
    return may_write(user) and access.editable_organisations(user).filter(pk=org.pk).exists()


def ensure_can_write_for(user: User, org: Organisation) -> None:
    if not can_write_for(user, org):
        raise PermissionDenied(_("You may not record support for %(name)s.") % {"name": org.name})


def visible_support_records(user: User) -> QuerySet[SupportRecord]:
    return SupportRecord.objects.filter(access.organisation_scope_q(user, prefix="organisation__"))


def visible_loans(user: User) -> QuerySet[Loan]:
    return Loan.objects.filter(access.organisation_scope_q(user, prefix="organisation__"))


def _get(qs: QuerySet, pk) -> object:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_record_for_user(user: User, pk: int, *, write: bool = False) -> SupportRecord:
    """The support record `pk` if `user` may read it (change it, with write=True); else 404, as if missing."""
    qs = visible_support_records(user).select_related("organisation", "topic", "agency", "plan")
    if write:
        qs = qs.filter(organisation__in=access.editable_organisations(user)) if may_write(user) else qs.none()
    return _get(qs, pk)


def get_loan_for_user(user: User, pk: int, *, write: bool = False) -> Loan:
    """The loan `pk` if `user` may read it (change it, with write=True); else 404, as if missing."""
    qs = visible_loans(user).select_related("organisation__sector", "agency")
    if write:
        qs = qs.filter(organisation__in=access.editable_organisations(user)) if may_write(user) else qs.none()
    return _get(qs, pk)


def get_repayment_for_user(user: User, pk: int) -> Repayment:
    """The repayment `pk` if `user` may change its loan; else 404, as if missing."""
    loans = visible_loans(user).filter(organisation__in=access.editable_organisations(user))
    if not may_write(user):
        loans = loans.none()
    return _get(Repayment.objects.select_related("loan__organisation").filter(loan__in=loans), pk)


def union_scope_q(user: User) -> Q:
    """The Farmers' Union counts `user` may read: those of units under his unit (or his agency's area)."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin_role:
        return Q()
    if user.role == Role.COOPERATIVE:
        return Q(pk__in=[])
    unit = access.user_scope_unit(user)
    return access.unit_scope_q(unit) if unit is not None else Q(pk__in=[])


def visible_union_activities(user: User) -> QuerySet[UnionActivity]:
    return UnionActivity.objects.filter(union_scope_q(user))


def can_write_unit(user: User, unit: Unit) -> bool:
    return may_write(user) and access.can_write_unit(user, unit)


def get_union_activity_for_user(user: User, pk: int, *, write: bool = False) -> UnionActivity:
    """The Farmers' Union count `pk` if `user` may read it (change it, with write=True); else 404."""
    activity = _get(
        visible_union_activities(user).select_related("unit", "topic", "sector", "organisation"), pk
    )
    if write and not can_write_unit(user, activity.unit):
        raise Http404
    return activity
