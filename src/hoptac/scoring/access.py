"""Who may read, enter and confirm score sheets: the rules of the yearly returns (returns.access), reused.

- a cooperative representative reads, enters and submits his own organisation's sheet;
- a commune officer (or former district officer) enters, submits, confirms, sends back and reopens
  those under his unit; a province officer in the province; an administrator everywhere;
- viewers and agency officers read what lies under their unit or agency's area.
Out of scope and missing give the same 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from hoptac.accounts.access import organisation_scope_q, visible_organisations
from hoptac.accounts.models import User
from hoptac.registry.models import Organisation
from hoptac.returns.access import get_organisation_for_returns, may_approve_returns, may_enter_returns

from .models import ScoreSheet

__all__ = [
    "can_confirm",
    "can_enter",
    "ensure_can_confirm",
    "ensure_can_enter",
    "get_organisation_for_scores",
    "may_confirm_scores",
    "may_enter_scores",
    "visible_sheets",
]

may_enter_scores = may_enter_returns
may_confirm_scores = may_approve_returns
# The organisation of a sheet page: readable by whoever may read its returns (404 otherwise).
get_organisation_for_scores = get_organisation_for_returns


def visible_sheets(user: User) -> QuerySet[ScoreSheet]:
    """Sheets of the organisations `user` may read."""
    return ScoreSheet.objects.filter(organisation_scope_q(user, prefix="organisation__"))


def _in_scope(user: User, org: Organisation) -> bool:
    return visible_organisations(user).filter(pk=org.pk).exists()


def can_enter(user: User, org: Organisation) -> bool:
    """Whether `user` may score `org` and submit its sheets."""
    return may_enter_scores(user) and _in_scope(user, org)


def can_confirm(user: User, org: Organisation) -> bool:
    """Whether `user` may confirm, send back or reopen `org`'s sheets (a representative never may)."""
    return may_confirm_scores(user) and _in_scope(user, org)


def ensure_can_enter(user: User, org: Organisation) -> None:
    if not can_enter(user, org):
        raise PermissionDenied(_("You may not score %(name)s.") % {"name": org.name})


def ensure_can_confirm(user: User, org: Organisation) -> None:
    if not can_confirm(user, org):
        raise PermissionDenied(
            _("You may not confirm, send back or reopen the classification of %(name)s.") % {"name": org.name}
        )
