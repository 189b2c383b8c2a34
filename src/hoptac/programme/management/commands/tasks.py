"""`hoptac tasks --plan SLUG [--format table|json]`: a plan's tasks, as the document lists them."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from hoptac.indicators.cli import JSON, add_format_argument, dumps
from hoptac.programme.models import Agency, Task
from hoptac.units.cli import format_table

from ._common import plan_by_slug, shorten


def task_record(task: Task) -> dict:
    """A task as `hoptac tasks --format json` gives it: the document's words for the group, number,
    title, lead, coordinating agencies and time frame; then the agencies' codes and the years."""
    coordinating = list(task.coordinating.all())
    return {
        "group": task.group.number,
        "number": task.number,
        "title": task.title,
        "lead": task.lead_text or task.lead.name,
        "coordinating": task.coordinating_text or ", ".join(a.name for a in coordinating),
        "timeframe": task.timeframe_text,
        "group_title": task.group.title,
        "lead_code": task.lead.code,
        "coordinating_codes": [a.code for a in coordinating],
        "start_year": task.start_year,
        "end_year": task.end_year,
        "expected_output": task.expected_output,
    }


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "List a plan's tasks: group, number, task, lead agency, coordinating agencies and time frame, "
            "in the words of the document."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--plan", required=True, metavar="SLUG", help=_("The plan's slug (hoptac loadplan loads it).")
        )
        add_format_argument(parser)

    def handle(self, *args, plan, format, **options):
        found = plan_by_slug(plan)
        tasks = list(
            Task.objects.filter(plan=found)
            .select_related("group", "lead")
            .prefetch_related(Prefetch("coordinating", queryset=Agency.objects.order_by("name")))
            .order_by("group__order", "order", "pk")
        )
        records = [task_record(t) for t in tasks]
        if format == JSON:
            self.stdout.write(dumps(records))
            return
        self.stdout.write(f"{found.number} – {found.title}")
        rows = [
            [
                r["group"],
                r["number"],
                shorten(r["title"]),
                shorten(r["lead"], 40),
                shorten(r["coordinating"], 40),
                r["timeframe"],
            ]
            for r in records
        ]
        self.stdout.write(
            format_table(
                [
                    _("Group"),
                    _("No."),
                    _("Task"),
                    _("Lead agency"),
                    _("Coordinating agencies"),
                    _("Time frame"),
                ],
                rows,
            )
        )
        self.stdout.write(
            _("%(tasks)d tasks in %(groups)d groups.")
            % {"tasks": len(records), "groups": len({r["group"] for r in records})}
        )
