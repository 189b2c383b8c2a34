"""`hoptac loadplan SLUG [SLUG …]` (or `--all`): load plans and their targets from the project's fixtures."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.indicators.services import plan_load, plan_slugs


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Create or update plans and their targets from indicators/fixtures/plans/<slug>.json. Running it "
            "again changes nothing; a target removed from the file is deleted. Plans: %(slugs)s."
        ) % {"slugs": ", ".join(plan_slugs())}

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", metavar="SLUG")
        parser.add_argument("--all", action="store_true", help=_("Load every plan the project ships."))

    def handle(self, *args, slugs, all=False, **options):
        if all:
            slugs = plan_slugs()
        if not slugs:
            raise CommandError(
                _("Name a plan (%(slugs)s) or give --all.") % {"slugs": ", ".join(plan_slugs())}
            )
        for slug in slugs:
            try:
                report = plan_load(slug=slug)
            except ValidationError as err:
                raise CommandError("; ".join(err.messages)) from err
            if options["verbosity"]:
                self.stdout.write(
                    _(
                        "%(slug)s: %(created)d targets created, %(updated)d updated, %(unchanged)d unchanged, "
                        "%(deleted)d deleted."
                    )
                    % {
                        "slug": slug,
                        "created": report.created,
                        "updated": report.updated,
                        "unchanged": report.unchanged,
                        "deleted": report.deleted,
                    }
                )
                if report.programme is not None:
                    self.stdout.write(f"{slug}: {report.programme.describe()}")
