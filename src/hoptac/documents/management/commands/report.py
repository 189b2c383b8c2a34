"""`hoptac report annual --unit U --year Y --out DIR [--snapshot ID]`: the annual report's three files.

`hoptac report template [--out PATH]` writes the default Word template (scripts/report-template.sh).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.documents import docx_template, services
from hoptac.documents.models import ReportSnapshot
from hoptac.units.cli import add_unit_argument, unit_from_options


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: argparse cannot format a lazy string
        return _(
            "Write the annual report on the collective economy of an area (DOCX, XLSX and PDF), or the "
            "default Word template of that report."
        )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{annual,template}")
        annual = sub.add_parser("annual", help=_("Write the annual report of an area for a year."))
        add_unit_argument(annual)
        annual.add_argument("--year", type=int, required=True, help=_("The year reported on."))
        annual.add_argument("--out", required=True, help=_("The folder to write the three files into."))
        annual.add_argument(
            "--snapshot",
            type=int,
            help=_(
                "Write the report again from this data snapshot (its number is printed when a report is "
                "written): the same figures, whatever changed since."
            ),
        )
        annual.add_argument("--number", default="", help=_("The document's number (Số), if it has one."))
        annual.add_argument("--signer", default="", help=_("The name of the person who signs."))
        annual.add_argument(
            "--format",
            action="append",
            choices=services.FORMATS,
            help=_("Only this format (may be repeated; default: all three)."),
        )
        template = sub.add_parser("template", help=_("Write the default Word template of the annual report."))
        template.add_argument("--out", default=str(docx_template.DEFAULT_PATH), help=_("Where to write it."))
        # The sub-parsers are argparse's own: Django's command-line options must reach them too.
        for p in (annual, template):
            p.add_argument("--verbosity", "-v", type=int, choices=[0, 1, 2, 3], default=argparse.SUPPRESS)
            p.add_argument("--settings", default=argparse.SUPPRESS)
            p.add_argument("--pythonpath", default=argparse.SUPPRESS)
            p.add_argument("--traceback", action="store_true", default=argparse.SUPPRESS)
            p.add_argument("--no-color", action="store_true", default=argparse.SUPPRESS)
            p.add_argument("--force-color", action="store_true", default=argparse.SUPPRESS)

    def handle(self, *args, action: str, **options):
        if action == "template":
            path = docx_template.build(Path(options["out"]))
            self.stdout.write(_("Template written: %(path)s") % {"path": path})
            return
        self.annual(options)

    def annual(self, options) -> None:
        unit = unit_from_options(self, options)
        year = options["year"]
        started = time.perf_counter()
        try:
            if options.get("snapshot"):
                try:
                    snapshot = ReportSnapshot.objects.select_related("unit").get(pk=options["snapshot"])
                except ReportSnapshot.DoesNotExist:
                    raise CommandError(
                        _("No data snapshot number %(id)s.") % {"id": options["snapshot"]}
                    ) from None
                if snapshot.unit_id != unit.pk or snapshot.year != year:
                    raise CommandError(
                        _("Data snapshot %(id)s is of %(unit)s for %(year)s, not of the area and year asked.")
                        % {"id": snapshot.pk, "unit": snapshot.unit.name, "year": snapshot.year}
                    )
            else:
                snapshot = services.snapshot_take(unit=unit, year=year)
            formats = tuple(options.get("format") or services.FORMATS)
            files = services.generate(
                snapshot, number=options["number"], signer_name=options["signer"], formats=formats
            )
        except services.ReportError as error:
            raise CommandError(str(error)) from None
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        stem = services.file_stem(unit, year)
        for fmt, data in files.items():
            path = out / f"{stem}.{fmt}"
            path.write_bytes(data)
            if options["verbosity"]:
                self.stdout.write(str(path))
        if options["verbosity"]:
            self.stdout.write(
                _(
                    "Data snapshot %(id)s (approved data as of %(time)s); written in %(seconds).1f s. To write "
                    "it again with the same figures: --snapshot %(id)s"
                )
                % {
                    "id": snapshot.pk,
                    "time": snapshot.taken_at.strftime("%Y-%m-%d %H:%M:%S %Z"),
                    "seconds": time.perf_counter() - started,
                }
            )
