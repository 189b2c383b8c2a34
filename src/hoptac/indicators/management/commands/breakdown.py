"""`hoptac breakdown --unit U --year Y [--kind K] --by sector|status|commune|kind|founding_year`."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoptac.indicators.cli import JSON, add_format_argument, dumps, table_number
from hoptac.indicators.queries import BY_CHOICES, breakdown
from hoptac.registry.models import Kind
from hoptac.units.cli import add_unit_argument, format_table, unit_from_options


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Count the organisations of a unit existing at the end of a year (founded by 31/12 and not ended), "
            "by sector, status, commune, kind or founding year, with their shares in percent."
        )

    def add_arguments(self, parser):
        add_unit_argument(parser)
        parser.add_argument(
            "--year", type=int, required=True, help=_("The year; organisations are counted on 31/12.")
        )
        parser.add_argument("--kind", choices=Kind.values, help=_("Only organisations of this kind."))
        parser.add_argument("--by", choices=BY_CHOICES, required=True, help=_("What to count them by."))
        add_format_argument(parser)

    def handle(self, *args, year, kind=None, by, format, **options):
        unit = unit_from_options(self, options)
        result = breakdown(unit, year, by=by, kind=kind)
        if format == JSON:
            self.stdout.write(dumps(result.as_dict()))
            return
        self.stdout.write(
            _("%(unit)s (%(key)s), organisations existing on 31/12/%(year)s: %(total)s")
            % {
                "unit": unit.label_with_parents(),
                "key": unit.key,
                "year": year,
                "total": table_number(result.total),
            }
        )
        self.stdout.write(
            format_table(
                [_("Key"), _("Label"), _("Count"), _("Share (%)")],
                [
                    [
                        "" if r.key is None else r.key,
                        r.label,
                        table_number(r.count),
                        table_number(r.share, decimals=2),
                    ]
                    for r in result.rows
                ],
                right=[2, 3],
            )
        )
