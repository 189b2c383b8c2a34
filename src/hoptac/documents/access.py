"""Who sees which reports: the scope rules of hoptac.accounts.access, applied to reports' areas.

A report is visible to a user who may see its area (accounts.access.visible_units: his unit, what lies
under it, and the former units it succeeded). Cooperative representatives see their own organisation,
not their commune's government reports. Out of scope and missing give the same 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from hoptac.accounts import access
from hoptac.accounts.models import Role, User

from .models import AnnualReport


def visible_reports(user: User) -> QuerySet[AnnualReport]:
    """The reports whose area `user` may see."""
    if not user.is_authenticated or not user.is_active or user.role == Role.COOPERATIVE:
        return AnnualReport.objects.none()
    qs = AnnualReport.objects.all()
    if not user.is_admin_role:
        qs = qs.filter(unit__in=access.visible_units(user).values("pk"))
    return qs


def get_report_for_user(user: User, pk: int) -> AnnualReport:
    """The report `pk` if `user` may see its area; else 404, as if it did not exist."""
    try:
        return visible_reports(user).select_related("unit", "snapshot", "created_by").get(pk=pk)
    except (AnnualReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
