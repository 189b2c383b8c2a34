"""`hoptac score --unit U --year Y [--dry-run] [--user NAME] [--format json|table]`: bulk classification.

Scores, as drafts, every cooperative under the unit whose criteria can all be filled from its approved
return (and what was entered on an existing draft), and lists the others with what they need.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from hoptac.accounts.access import visible_units
from hoptac.indicators.cli import JSON, add_format_argument, dumps, json_number
from hoptac.scoring.services import Outcome, scores_compute_bulk
from hoptac.units.cli import add_unit_argument, format_table, unit_from_options

LABELS = {
    Outcome.SCORED: "scored",
    Outcome.NEEDS_INPUT: "needs input",
    Outcome.NO_RETURN: "no approved return",
    Outcome.NOT_RATED: "not rated",
    Outcome.NO_SCHEME: "no scheme",
    Outcome.LOCKED: "already submitted or confirmed",
}


class Command(BaseCommand):
    @property
    def help(self) -> str:
        return _(
            "Score every cooperative of a unit for a year from the approved yearly returns, as drafts; list "
            "those that need criteria entered by a person, are not rated, or have no approved return."
        )

    def add_arguments(self, parser):
        add_unit_argument(parser)
        parser.add_argument("--year", type=int, required=True, help=_("The year classified."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Report what would be scored; write nothing.")
        )
        parser.add_argument(
            "--user", help=_("Score as this user, within his area (default: the first system administrator).")
        )
        add_format_argument(parser)

    def handle(self, *args, year, dry_run=False, user=None, format, **options):
        actor = self._actor(user)
        unit = unit_from_options(self, options, queryset=visible_units(actor))
        try:
            report = scores_compute_bulk(unit=unit, year=year, actor=actor, dry_run=dry_run)
        except PermissionDenied as err:
            raise CommandError(str(err)) from None
        rows = [
            {
                "organisation": o.organisation.name,
                "code": o.organisation.code,
                "outcome": o.kind,
                "total": json_number(o.total),
                "class": o.klass or None,
                "detail": o.detail,
                "missing": list(o.missing),
            }
            for o in report.outcomes
        ]
        if format == JSON:
            self.stdout.write(dumps({"year": year, "unit": unit.key, "dry_run": dry_run, "counts": report.counts(),
                                     "organisations": rows}))  # fmt: skip
            return
        table = [
            [
                r["organisation"],
                LABELS[r["outcome"]],
                "" if r["total"] is None else r["total"],
                r["class"] or "",
                r["detail"],
            ]
            for r in rows
        ]
        self.stdout.write(
            format_table([_("Organisation"), _("Outcome"), _("Points"), _("Class"), _("Detail")], table)
        )
        counts = report.counts()
        summary = ", ".join(f"{LABELS[k]}: {counts[k]}" for k in LABELS if k in counts)
        prefix = _("Dry run, nothing written. ") if dry_run else ""
        self.stdout.write(prefix + (summary or _("No cooperative.")))

    def _actor(self, username):
        User = get_user_model()
        if username:
            try:
                return User.objects.select_related("unit").get(username=username)
            except User.DoesNotExist:
                raise CommandError(_("No user is called %(name)s.") % {"name": username}) from None
        actor = (
            User.objects.filter(Q(is_superuser=True) | Q(role="admin"), is_active=True).order_by("pk").first()
        )
        if actor is None:
            raise CommandError(_("No system administrator exists: give --user."))
        return actor
