"""`hoptac progress --plan SLUG [--as-of YEAR] [--format json|table]`: where each target stands."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from hoptac.indicators.cli import JSON, add_format_argument, dumps, json_number, table_number
from hoptac.indicators.models import Plan
from hoptac.indicators.progress import Status, targets_progress
from hoptac.units.cli import format_table


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "For every target of a plan: the actual value in the latest year with data, the baseline, the trend "
            "projected to the target's year, the status, and the sub-units that pull the result down."
        )

    def add_arguments(self, parser):
        parser.add_argument("--plan", required=True, metavar="SLUG")
        parser.add_argument(
            "--as-of",
            type=int,
            dest="as_of",
            help=_("Look at the data up to this year (default: last year, the latest complete one)."),
        )
        add_format_argument(parser)

    def handle(self, *args, plan, as_of=None, format, **options):
        found = Plan.objects.filter(slug=plan).first()
        if found is None:
            raise CommandError(
                _("No plan “%(slug)s” is loaded; `hoptac loadplan %(slug)s` loads it.") % {"slug": plan}
            )
        # The current year's returns are still coming in (the round closes on 15/12): last year is complete.
        as_of = as_of or timezone.localdate().year - 1
        targets = list(
            found.targets.select_related("indicator", "area", "plan").order_by("order", "year", "id")
        )
        progress = targets_progress(targets, as_of_year=as_of)
        if format == JSON:
            self.stdout.write(
                dumps(
                    [
                        {
                            "indicator": t.indicator.code,
                            "year": t.year,
                            "target": t.describe(),
                            "actual": json_number(p.actual),
                            "actual_year": p.actual_year,
                            "baseline": json_number(p.baseline),
                            "baseline_year": p.baseline_year,
                            "projected": json_number(p.projected),
                            "status": p.status,
                            "laggards": [
                                {
                                    "unit": lag.unit.key,
                                    "name": lag.unit.name,
                                    "value": json_number(lag.value),
                                    "impact": json_number(lag.impact),
                                }
                                for lag in p.laggards
                            ],
                            "method": p.method_text,
                        }
                        for t in targets
                        for p in [progress[t.pk]]
                    ]
                )
            )
            return
        rows = []
        for t in targets:
            p = progress[t.pk]
            rows.append(
                [
                    t.indicator.code,
                    t.year,
                    t.describe(),
                    table_number(p.actual),
                    p.actual_year or "",
                    table_number(p.projected),
                    str(Status(p.status).label),
                    ", ".join(lag.unit.name for lag in p.laggards[:3]),
                ]
            )
        self.stdout.write(
            format_table(
                [
                    _("Indicator"),
                    _("Year"),
                    _("Target"),
                    _("Actual"),
                    _("In"),
                    _("Projected"),
                    _("Status"),
                    _("Pulling down"),
                ],
                rows,
                right=[3, 5],
            )
        )
