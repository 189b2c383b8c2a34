"""`hoptac loadunits`: load or refresh Vietnam's administrative units of both eras."""

import time

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoptac.units.cli import stats_table
from hoptac.units.services import unit_stats, units_load


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: argparse cannot format a lazy string
        return _(
            "Load the provinces, districts and communes from before and after 01/07/2025 and their "
            "successions, from the vietnam-provinces package. Running it again changes only what differs."
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        report = units_load()
        elapsed = time.monotonic() - started
        self.stdout.write(
            _(
                "Units: %(created)d created, %(updated)d updated. "
                "Successions: %(succ_created)d created, %(succ_deleted)d deleted. (%(seconds).1f s)"
            )
            % {
                "created": report.created,
                "updated": report.updated,
                "succ_created": report.successions_created,
                "succ_deleted": report.successions_deleted,
                "seconds": elapsed,
            }
        )
        self.stdout.write(stats_table(unit_stats()))
