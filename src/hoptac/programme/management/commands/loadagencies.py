"""`hoptac loadagencies`: create or update the agencies of programme/fixtures/agencies.json."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.programme.services import agencies_load


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Create or update the agencies (departments, boards, people's committees, unions, groups) of "
            "programme/fixtures/agencies.json, with their validity, successors and members. `hoptac loadplan` "
            "does it too. The administrative units must be loaded."
        )

    def handle(self, *args, **options):
        try:
            counts = agencies_load()
        except ValidationError as err:
            raise CommandError("; ".join(err.messages)) from err
        self.stdout.write(_("Agencies: %(counts)s.") % {"counts": counts})
