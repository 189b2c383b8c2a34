"""`hoptac indicators --unit U --year Y [--codes a,b] [--format json|table]`: computed indicators."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.indicators.cli import (
    JSON,
    add_format_argument,
    decimals_for,
    dumps,
    json_number,
    table_number,
    years_argument,
)
from hoptac.indicators.engine import compute
from hoptac.indicators.models import Indicator
from hoptac.units.cli import add_unit_argument, format_table, unit_from_options


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: argparse cannot format a lazy string
        return _(
            "Compute indicators for a unit and one or more years, from the registry and the approved yearly "
            "returns. Values that cannot be computed (no data yet) are shown as such."
        )

    def add_arguments(self, parser):
        add_unit_argument(parser)
        parser.add_argument(
            "--year",
            action="append",
            required=True,
            type=years_argument,
            metavar="YEAR",
            help=_("A year (2023) or a range (2020-2025); may be repeated."),
        )
        parser.add_argument(
            "--codes",
            help=_(
                "Indicator codes separated by commas (default: every indicator; docs/indicators.md lists them)."
            ),
        )
        parser.add_argument(
            "--base-year",
            type=int,
            help=_("The year a growth on a base year compares with, when its definition names none."),
        )
        add_format_argument(parser)

    def handle(self, *args, year, codes=None, base_year=None, format, **options):
        unit = unit_from_options(self, options)
        years = sorted({y for chunk in year for y in chunk})
        qs = Indicator.objects.all()
        if codes:
            wanted = [c.strip() for c in codes.split(",") if c.strip()]
            found = {i.code: i for i in qs.filter(code__in=wanted)}
            unknown = [c for c in wanted if c not in found]
            if unknown:
                raise CommandError(_("Unknown indicator code(s): %(codes)s.") % {"codes": ", ".join(unknown)})
            definitions = [found[c] for c in wanted]
        else:
            definitions = list(qs)
        values = compute(definitions, [unit], years, base_year=base_year)
        records = []
        for d in definitions:
            for y in years:
                v = values[(d.code, unit.id, y)]
                records.append(
                    {
                        "code": d.code,
                        "name": d.name,
                        "unit": d.unit,
                        "year": y,
                        "value": json_number(v.value),
                        "numerator": json_number(v.numerator),
                        "denominator": json_number(v.denominator),
                        "no_data": v.no_data,
                    }
                )
        if format == JSON:
            self.stdout.write(dumps(records))
            return
        self.stdout.write(f"{unit.label_with_parents()}  ({unit.key})")
        labels = dict(Indicator.Measure.choices)
        rows = []
        for d in definitions:
            for y in years:
                v = values[(d.code, unit.id, y)]
                rows.append(
                    [
                        d.code,
                        d.name,
                        y,
                        _("no data") if v.no_data else table_number(v.value, decimals=decimals_for(d.unit)),
                        labels.get(d.unit, d.unit),
                        table_number(v.numerator),
                        table_number(v.denominator),
                    ]
                )
        self.stdout.write(
            format_table(
                [
                    _("Code"),
                    _("Indicator"),
                    _("Year"),
                    _("Value"),
                    _("Unit"),
                    _("Numerator"),
                    _("Denominator"),
                ],
                rows,
                right=[3, 5, 6],
            )
        )
