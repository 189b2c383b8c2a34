"""`hoptac targets --plan SLUG [--format json|table]`: the targets of a plan, as the seed states them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.indicators.cli import JSON, add_format_argument, dumps, json_number, table_number
from hoptac.indicators.models import Indicator, Plan, Target


def target_record(t: Target) -> dict:
    """A target as `hoptac targets --format json` gives it: `value`, or `min` and `max` for a range."""
    record = {
        "indicator": t.indicator.code,
        "name": t.indicator.name,
        "year": t.year,
        "comparator": t.comparator,
    }
    if t.is_range:
        record["min"], record["max"] = json_number(t.min_value), json_number(t.max_value)
    else:
        record["value"] = json_number(t.value)
    record.update(
        {
            "unit": t.unit,
            "area": t.area.key,
            "each_year": t.each_year,
            "cumulative_from": t.cumulative_from,
            "base_year": t.base_year,
            "note": t.note,
            "source_ref": t.source_ref,
        }
    )
    return record


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "List the targets of a plan: indicator, year, comparator, value or range, unit, and the words of the plan."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", required=True, metavar="SLUG", help=_("The plan's slug (hoptac loadplan loads it).")
        )
        add_format_argument(parser)

    def handle(self, *args, plan, format, **options):
        found = Plan.objects.filter(slug=plan).select_related("area").first()
        if found is None:
            known = ", ".join(Plan.objects.values_list("slug", flat=True)) or "—"
            raise CommandError(
                _("No plan “%(slug)s” is loaded (loaded: %(known)s); `hoptac loadplan %(slug)s` loads it.")
                % {"slug": plan, "known": known}
            )
        targets = list(found.targets.select_related("indicator", "area").order_by("order", "year", "id"))
        if format == JSON:
            self.stdout.write(dumps([target_record(t) for t in targets]))
            return
        self.stdout.write(f"{found.number} – {found.title}")
        self.stdout.write(
            _("%(issuer)s; area: %(area)s; %(start)s–%(end)s; %(count)d targets.")
            % {
                "issuer": found.issuer,
                "area": found.area.label_with_parents(),
                "start": found.start_year,
                "end": found.end_year,
                "count": len(targets),
            }
        )
        labels = dict(Indicator.Measure.choices)
        rows = []
        for t in targets:
            if t.is_range:
                goal = f"{table_number(t.min_value)}–{table_number(t.max_value)}"
            else:
                goal = f"{t.get_comparator_display()} {table_number(t.value)}"
            when = str(t.year)
            if t.each_year:
                when = _("%(year)s, every year") % {"year": t.year}
            elif t.cumulative_from:
                when = _("%(start)s–%(year)s in total") % {"start": t.cumulative_from, "year": t.year}
            rows.append(
                [t.indicator.code, t.indicator.name, when, goal, labels.get(t.unit, t.unit), t.source_ref]
            )
        from hoptac.units.cli import format_table

        self.stdout.write(
            format_table(
                [_("Indicator"), _("Name"), _("Year"), _("Target"), _("Unit"), _("Where")], rows, right=[3]
            )
        )
