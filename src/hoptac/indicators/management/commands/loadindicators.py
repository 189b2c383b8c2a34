"""`hoptac loadindicators`: create or update the indicator definitions from the project's fixture."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.indicators.services import indicators_load


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Create or update every indicator definition of indicators/fixtures/indicators.json, by code, after "
            "checking each one. Definitions an administrator changed are overwritten by the file's."
        )

    def handle(self, *args, **options):
        try:
            report = indicators_load()
        except ValidationError as err:
            raise CommandError("; ".join(err.messages)) from err
        if options["verbosity"]:
            self.stdout.write(
                _("Indicators: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged}
            )
