"""`hoptac import registry FILE`, `hoptac import returns FILE --year N --user U`, `hoptac import template …`.

Prints the mapping it used (each header and its field, and the headers it left out), then the counts.
On errors, prints every one as `row N, column C: message` and exits with status 1, having written
nothing. A file that cannot be imported at all (missing, empty, not a spreadsheet, too big) gives one
line and status 1. Never a traceback (unless --traceback is given).

Yearly returns are written in a user's name (--user, required): through the returns services, as
drafts, only for the organisations that user may enter; warnings of the validation rules are printed
as `warning: row N, column C: message` and do not stop the import.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from hoptac.accounts import access
from hoptac.accounts.models import Role
from hoptac.imports.columns import REGISTRY_FIELDS, FieldSet, MappingError, parse_map_options
from hoptac.imports.reader import ImportFileError, read_file
from hoptac.imports.registry import import_registry
from hoptac.imports.returns import RETURN_FIELDS, import_returns, year_error
from hoptac.imports.sheet import ImportResult, mapping_lines
from hoptac.returns.access import may_enter_returns
from hoptac.units.services import UnitLookupError, resolve_unit


def _map_option(parser, fieldset: FieldSet) -> None:
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="HEADER=FIELD",
        help='Map a column (by header or letter) to a field, or to "-" to leave it out. Repeatable. Fields: '
        + ", ".join(fieldset.keys)
        + ".",
    )


class Command(BaseCommand):
    help = "Import a spreadsheet into the registry or the yearly returns, or write an import template."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True, metavar="{registry,returns,template}")
        registry = sub.add_parser("registry", help="Import organisations from a spreadsheet or CSV file.")
        registry.add_argument("file", help="The .xlsx, .xls, .ods or .csv file.")
        registry.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        _map_option(registry, REGISTRY_FIELDS)
        registry.add_argument(
            "--unit", help="The area the file is about (e.g. 'Huyện Than Uyên' or legacy-district:110)."
        )
        registry.add_argument(
            "--user", help="Import as this user, within his area (default: with administrator rights)."
        )
        returns = sub.add_parser(
            "returns", help="Import a year's returns, one row per organisation, as drafts, in a user's name."
        )
        returns.add_argument("file", help="The .xlsx, .xls, .ods or .csv file.")
        returns.add_argument("--year", type=int, required=True, help="The year of the returns.")
        returns.add_argument("--dry-run", action="store_true", help="Check and report; write nothing.")
        _map_option(returns, RETURN_FIELDS)
        returns.add_argument("--unit", help="The area the file is about, when its rows name only communes.")
        returns.add_argument(
            "--user", required=True, help="Import as this user: his area, his name in the history."
        )
        template = sub.add_parser("template", help="Write an import template.")
        template.add_argument("kind", choices=["registry", "returns"])
        template.add_argument("--out", required=True, help="Where to write the .xlsx file.")
        template.add_argument("--year", type=int, help="returns: the year (required).")
        template.add_argument(
            "--unit", help="returns: prefill with the organisations under this unit (e.g. 'Xã Than Uyên')."
        )
        template.add_argument(
            "--user", help="returns: prefill with this user's organisations (default: every organisation)."
        )

    def handle(self, *args, **options):
        try:
            if options["what"] == "registry":
                return self.registry(options)
            if options["what"] == "returns":
                return self.returns(options)
            return self.template(options)
        except CommandError:
            raise
        except (ImportFileError, MappingError, UnitLookupError) as err:
            raise CommandError(str(err)) from None
        except Exception as err:
            if options.get("traceback"):
                raise
            raise CommandError(
                _("The import stopped on an unexpected error, and wrote nothing: %(error)s") % {"error": err}
            ) from None

    def template(self, options):
        from hoptac.imports.template import registry_template, returns_template

        out = Path(options["out"])
        if options["kind"] == "returns":
            year = options.get("year")
            if year is None:
                raise CommandError(_("Give the year of the returns: --year."))
            self._check_year(year)
            user = self._user(options.get("user"), returns=True) or _everything()
            content = returns_template(user, year=year, unit=self._area(options.get("unit"), user))
        else:
            content = registry_template()
        try:
            out.write_bytes(content)
        except OSError as err:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": out, "error": err.strerror}
            ) from None
        self.stdout.write(_("Template written to %(path)s.") % {"path": out})

    def registry(self, options):
        # The file first: a bad file is reported before anything touches the database.
        workbook = read_file(options["file"])
        mapping = parse_map_options(options["map"])
        user = self._user(options.get("user"))
        area = self._area(options.get("unit"), user)
        result = import_registry(
            workbook,
            actor=user,
            mapping=mapping or None,
            area=area,
            dry_run=options["dry_run"],
            source=Path(options["file"]).name,
        )
        self._report(result, REGISTRY_FIELDS, options)

    def returns(self, options):
        self._check_year(options["year"])
        workbook = read_file(options["file"])
        mapping = parse_map_options(options["map"])
        user = self._user(options["user"], returns=True)
        area = self._area(options.get("unit"), user)
        result = import_returns(
            workbook,
            year=options["year"],
            actor=user,
            mapping=mapping or None,
            area=area,
            dry_run=options["dry_run"],
            source=Path(options["file"]).name,
        )
        self._report(result, RETURN_FIELDS, options)
        if not options["dry_run"] and (result.created or result.updated):
            self.stdout.write(
                _("The imported returns are drafts: submit them from the reporting round when ready.")
            )

    def _report(self, result: ImportResult, fieldset: FieldSet, options) -> None:
        self.stdout.write(
            _("Columns (header row %(rows)s):")
            % {"rows": ", ".join(map(str, result.layout.header_row_numbers))}
        )
        for letter, header, label in mapping_lines(result.layout, fieldset):
            target = label or _("(not imported)")
            self.stdout.write(f"  {letter}  {header or '—'} → {target}")
        warning = _("warning")
        for issue in result.warnings:
            self.stdout.write(f"{warning}: {issue.line()}")
        if result.errors:
            for issue in result.errors:
                self.stderr.write(issue.line())
            raise CommandError(
                _("%(count)d errors in %(rows)d rows: nothing was written.")
                % {"count": len(result.errors), "rows": result.rows},
                returncode=1,
            )
        if options["verbosity"] >= 2:
            for action in result.actions:
                changes = f" ({', '.join(action.changes)})" if action.changes else ""
                self.stdout.write(f"  row {action.row}: {action.action} {action.name}{changes}")
        counts = (
            _("Rows: %(rows)d; created: %(created)d; updated: %(updated)d; unchanged: %(unchanged)d.")
            % result.counts()
        )
        self.stdout.write(counts)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))

    def _check_year(self, year: int) -> None:
        message = year_error(year)
        if message:
            raise CommandError(message)

    def _user(self, username, *, returns: bool = False):
        if not username:
            return None
        User = get_user_model()
        try:
            user = User.objects.select_related("unit").get(username=username)
        except User.DoesNotExist:
            raise CommandError(_("No user is called %(name)s.") % {"name": username}) from None
        if returns and not may_enter_returns(user):
            raise CommandError(_("%(name)s may not enter yearly returns.") % {"name": username})
        if not returns and not access.can_write_registry(user):
            raise CommandError(_("%(name)s may not change the registry.") % {"name": username})
        return user

    def _area(self, text, user):
        if not text:
            return None
        queryset = access.visible_units(user) if user is not None else None
        return resolve_unit(text, queryset=queryset)


def _everything():
    """An unsaved administrator, for reads with administrator rights (the template without --user)."""
    return get_user_model()(username="hoptac", role=Role.ADMIN, is_active=True)
