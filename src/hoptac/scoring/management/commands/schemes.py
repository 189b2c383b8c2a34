"""`hoptac schemes [--all] [--format json|table]`: the classification schemes, criteria, points, thresholds."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoptac.indicators.cli import JSON, add_format_argument, dumps
from hoptac.scoring.cli import schemes_records, schemes_table


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "List the classification schemes in force (every version with --all): criteria with their maximum "
            "points, rules and bands, class thresholds, rating rules, and what is still unconfirmed."
        )

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help=_("Every version, not only those in force."))
        add_format_argument(parser)

    def handle(self, *args, format, **options):
        records = schemes_records(include_inactive=options["all"])
        if format == JSON:
            self.stdout.write(dumps(records))
        else:
            self.stdout.write(schemes_table(records))
