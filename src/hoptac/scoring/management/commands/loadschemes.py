"""`hoptac loadschemes`: create or update the shipped classification schemes from scoring/fixtures/schemes.json."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoptac.scoring.schemes import schemes_load


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Create or update the shipped classification schemes (TT 09/2017, TT 01/2020) from the project's "
            "fixture. A version that scored sheets is never changed: the file's content becomes a new version."
        )

    def handle(self, *args, **options):
        report = schemes_load()
        if options["verbosity"]:
            self.stdout.write(
                _("Schemes: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
            )
