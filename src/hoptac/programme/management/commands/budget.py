"""`hoptac budget --plan SLUG [--format table|json]`: planned, allocated and disbursed, with totals."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoptac.indicators.cli import JSON, add_format_argument, dumps, json_number, table_number
from hoptac.programme.models import BudgetLine
from hoptac.programme.queries import Amounts, budget_summary
from hoptac.units.cli import format_table

from ._common import plan_by_slug, shorten


def _amounts(a: Amounts) -> dict:
    return {k: json_number(v) for k, v in a.as_dict().items()}


def budget_record(summary) -> dict:
    """The budget as `hoptac budget --format json` gives it (million VND)."""
    sources = dict(BudgetLine.Source.choices)
    return {
        "plan": summary.plan.slug,
        "unit": "million_vnd",
        "lines": [
            {
                "period": row.line.period,
                "source": row.line.source,
                "source_label": str(sources[row.line.source]),
                "purpose": row.line.purpose,
                **_amounts(row.amounts),
                "source_ref": row.line.source_ref,
            }
            for row in summary.lines
        ],
        "by_period": [{"period": p, **_amounts(a)} for p, a in summary.by_period.items()],
        "by_source": [
            {"source": s, "source_label": str(sources[s]), **_amounts(a)}
            for s, a in summary.by_source.items()
        ],
        "by_purpose": [{"purpose": p, **_amounts(a)} for p, a in summary.by_purpose.items()],
        "by_year": [
            {"year": y, "allocated": json_number(a.allocated), "disbursed": json_number(a.disbursed)}
            for y, a in sorted(summary.by_year.items())
        ],
        "total": _amounts(summary.total),
    }


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "A plan's budget in million VND: each line's planned, allocated and disbursed amounts, and the totals "
            "by period, source and purpose."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", required=True, metavar="SLUG", help=_("The plan's slug (hoptac loadplan loads it).")
        )
        add_format_argument(parser)

    def handle(self, *args, plan, format, **options):
        summary = budget_summary(plan_by_slug(plan))
        if format == JSON:
            self.stdout.write(dumps(budget_record(summary)))
            return
        sources = dict(BudgetLine.Source.choices)
        headers = [_("Planned"), _("Allocated"), _("Disbursed")]

        def numbers(a: Amounts) -> list[str]:
            return [table_number(a.planned), table_number(a.allocated), table_number(a.disbursed)]

        self.stdout.write(_("Budget of %(plan)s (million VND)") % {"plan": summary.plan.slug})
        rows = [
            [
                row.line.period,
                str(sources[row.line.source]),
                shorten(row.line.purpose, 60),
                *numbers(row.amounts),
            ]
            for row in summary.lines
        ]
        rows.append([_("Total"), "", "", *numbers(summary.total)])
        self.stdout.write(
            format_table([_("Period"), _("Source"), _("Purpose"), *headers], rows, right=[3, 4, 5])
        )
        for title, label, groups in (
            (_("By period"), _("Period"), summary.by_period.items()),
            (_("By source"), _("Source"), ((str(sources[s]), a) for s, a in summary.by_source.items())),
            (_("By purpose"), _("Purpose"), ((shorten(p, 60), a) for p, a in summary.by_purpose.items())),
        ):
            self.stdout.write("")
            self.stdout.write(title)
            self.stdout.write(
                format_table([label, *headers], [[k, *numbers(a)] for k, a in groups], right=[1, 2, 3])
            )
