"""`hoptac demo`: load the Lai Châu demo province (idempotent) and print its logins."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hoptac.core.demo import PASSWORD, DemoRefused, demo_load, logins
from hoptac.core.demo.returns import FIRST_YEAR, LAST_YEAR


class Command(BaseCommand):
    help = _(
        "Load the demo province (Lai Châu: units, agencies, about 400 organisations with their history, "
        "their yearly returns in every workflow state, one account per role) and print the demo logins. "
        "Running it again writes only what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--logins-only",
            action="store_true",
            help=_("Print the demo logins without loading anything."),
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help=_("Load without printing the logins (scripts/serve-demo.sh prints them before serving)."),
        )

    def handle(self, *args, logins_only: bool = False, no_logins: bool = False, **options):
        if not logins_only:
            self.load(verbosity=options["verbosity"])
        if not no_logins:
            self.print_logins()

    def load(self, *, verbosity: int) -> None:
        if verbosity:
            self.stdout.write(_("Loading the demo province (Lai Châu)…"))
        try:
            report = demo_load()
        except DemoRefused as error:
            raise CommandError(str(error)) from error
        if report.units_loaded and verbosity:
            self.stdout.write(_("Administrative units of Vietnam loaded."))
        if report.changed:
            message = _(
                "Created %(orgs)d organisations with %(changes)d status changes and %(members)d union "
                "memberships, %(agencies)d agencies and %(users)d users in %(seconds).1f s."
            ) % {
                "orgs": report.organisations_created,
                "changes": report.status_changes_recorded,
                "members": report.memberships_created,
                "agencies": report.agencies_created,
                "users": report.users_created,
                "seconds": report.seconds,
            }
        else:
            message = _("The demo province was already loaded; nothing to do (%(seconds).1f s).") % {
                "seconds": report.seconds
            }
        if verbosity:
            self.stdout.write(self.style.SUCCESS(message))
            if report.returns_created:
                self.stdout.write(
                    _(
                        "Entered %(returns)d yearly returns for %(first)d–%(last)d through %(steps)d workflow "
                        "steps, %(warned)d of them with warnings, in %(seconds).1f s."
                    )
                    % {
                        "returns": report.returns_created,
                        "first": FIRST_YEAR,
                        "last": LAST_YEAR,
                        "steps": report.return_steps,
                        "warned": report.returns_with_warnings,
                        "seconds": report.returns_seconds,
                    }
                )
            if report.scores_created:
                self.stdout.write(
                    _("Scored %(sheets)d cooperative-years by the official schemes in %(seconds).1f s.")
                    % {"sheets": report.scores_created, "seconds": report.scores_seconds}
                )
            programme = report.programme
            if programme is not None and (programme.reports_created or programme.budget_entries):
                self.stdout.write(
                    _(
                        "Action programme: %(reports)d task reports (%(late)d late), %(contributions)d "
                        "contributions, %(entries)d budget allocations and disbursements."
                    )
                    % {
                        "reports": programme.reports_created,
                        "late": programme.late,
                        "contributions": programme.contributions,
                        "entries": programme.budget_entries,
                    }
                )
            support = report.support
            if support is not None and support.changed:
                self.stdout.write(
                    _("Support: %(records)d support records, %(loans)d loans with %(repayments)d repayments.")
                    % {
                        "records": support.records_created,
                        "loans": support.loans_created,
                        "repayments": support.repayments_created,
                    }
                )
            totals = report.totals
            self.stdout.write(
                _(
                    "Registry of Lai Châu: %(htx)d cooperatives (HTX), %(tht)d cooperative groups (THT), "
                    "%(lhhtx)d unions (LHHTX), %(qtdnd)d people's credit funds; %(ended)d have ended."
                )
                % {
                    "htx": totals.get("htx", 0),
                    "tht": totals.get("tht", 0),
                    "lhhtx": totals.get("lhhtx", 0),
                    "qtdnd": totals.get("qtdnd", 0),
                    "ended": totals.get("ended", 0),
                }
            )

    def print_logins(self) -> None:
        rows = logins()
        if not rows:
            self.stdout.write(_("No demo accounts yet: run `hoptac demo`."))
            return
        header = (
            pgettext("demo logins table", "username"),
            pgettext("demo logins table", "password"),
            pgettext("demo logins table", "role"),
            pgettext("demo logins table", "unit, agency or organisation"),
        )
        widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(3)]
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(
                _("Demo logins (every password is %(password)s):") % {"password": PASSWORD}
            )
        )
        for i, row in enumerate((header, *rows)):
            line = "  ".join(str(cell).ljust(widths[j]) if j < 3 else str(cell) for j, cell in enumerate(row))
            self.stdout.write(line.rstrip())
            if i == 0:
                self.stdout.write("  ".join("-" * w for w in widths) + "  " + "-" * len(header[3]))
