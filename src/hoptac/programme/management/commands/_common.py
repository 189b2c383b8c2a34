"""What the programme's commands share: finding a loaded plan by its slug."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from hoptac.indicators.models import Plan


def plan_by_slug(slug: str) -> Plan:
    found = Plan.objects.filter(slug=slug).select_related("area").first()
    if found is None:
        known = ", ".join(Plan.objects.order_by("slug").values_list("slug", flat=True)) or "—"
        raise CommandError(
            _("No plan “%(slug)s” is loaded (loaded: %(known)s); `hoptac loadplan %(slug)s` loads it.")
            % {"slug": slug, "known": known}
        )
    return found


def shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
