"""`hoptac remind [--today YYYY-MM-DD]`: e-mail the agencies whose task reports are missing.

Run it every day (cron, a systemd timer): each reminder goes out once, however often it runs.
"""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.programme.services import reminders_send

from ._common import plan_by_slug


def _day(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError as err:
        raise CommandError(_("“%(text)s” is not a date (YYYY-MM-DD).") % {"text": text}) from err


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "E-mail the users of every agency whose yearly task reports are missing, before the deadline "
            "(14 and 3 days by default) and after it (1 and 7 days). Each reminder is sent once, however "
            "often this runs."
        )

    def add_arguments(self, parser):
        parser.add_argument("--today", metavar="YYYY-MM-DD", help=_("Act as if today were this day."))
        parser.add_argument("--plan", metavar="SLUG", action="append", help=_("Only this plan (repeatable)."))

    def handle(self, *args, today=None, plan=None, **options):
        day = _day(today) if today else None
        plans = [plan_by_slug(slug) for slug in plan] if plan else None
        report = reminders_send(today=day, plans=plans)
        for reminder in report.sent:
            self.stdout.write(
                _("Sent %(stage)s for %(year)s to %(agency)s (%(tasks)d tasks): %(to)s")
                % {
                    "stage": reminder.stage,
                    "year": reminder.year,
                    "agency": reminder.agency.name,
                    "tasks": reminder.tasks,
                    "to": reminder.recipients,
                }
            )
        for name in report.without_address:
            self.stderr.write(
                _("No user with an e-mail address for %(agency)s: not reminded.") % {"agency": name}
            )
        self.stdout.write(
            _("%(sent)d reminders sent, %(already)d already sent before.")
            % {"sent": len(report.sent), "already": report.already_sent}
        )
