"""`hoptac units search|stats|show`: find administrative units and the keys `--unit` accepts."""

import argparse
import copy
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hoptac.units.cli import (
    add_unit_argument,
    format_table,
    parent_name,
    stats_table,
    unit_from_options,
    unit_record,
    units_table,
    validity_label,
)
from hoptac.units.models import Unit, UnitSuccession
from hoptac.units.services import search_units, unit_stats, unit_successions

TABLE, JSON = "table", "json"


class Command(BaseCommand):
    @property
    def help(self) -> str:  # a property: argparse cannot format a lazy string
        return _("Search administrative units, count them, or show one with its successions.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{search,stats,show}")

        search = actions.add_parser(
            "search",
            help=_("Units whose name has a word beginning with each word of TEXT, accents and case ignored."),
        )
        search.add_argument("text", metavar="TEXT", nargs="+")
        search.add_argument("--level", choices=Unit.Level.values, help=_("Only units of this level."))
        search.add_argument(
            "--era",
            choices=Unit.Era.values,
            help=_("Only units from after (current) or before (legacy) 01/07/2025."),
        )
        search.add_argument(
            "--limit", type=int, default=50, help=_("At most this many units (0: all). Default: 50.")
        )
        self._add_format(search)

        stats = actions.add_parser("stats", help=_("Number of units by era and level, and of successions."))
        self._add_format(stats)

        show = actions.add_parser(
            "show", help=_("One unit: its parents, validity, predecessors and successors.")
        )
        add_unit_argument(show)
        self._add_format(show)

        for sub in (search, stats, show):
            _accept_base_options(parser, sub)

    @staticmethod
    def _add_format(parser):
        parser.add_argument(
            "--format", choices=[TABLE, JSON], default=TABLE, help=_("An aligned table (default) or JSON.")
        )

    def handle(self, *args, **options):
        return getattr(self, f"handle_{options['action']}")(**options)

    def handle_search(self, *, text, level, era, limit, format, **options):
        if limit < 0:
            raise CommandError(_("--limit must be 0 or more."))
        units = search_units(" ".join(text), level=level, era=era, limit=limit or None)
        if format == JSON:
            self._json([unit_record(u) for u in units])
        elif units:
            self.stdout.write(units_table(units))
        else:
            self.stderr.write(_("No unit matches “%(text)s”.") % {"text": " ".join(text)})

    def handle_stats(self, *, format, **options):
        stats = unit_stats()
        if format == JSON:
            self._json(stats)
        else:
            self.stdout.write(stats_table(stats))

    def handle_show(self, *, format, **options):
        unit = unit_from_options(self, options)
        chain = _ancestors(unit)
        successors, predecessors = unit_successions(unit)
        if format == JSON:
            self._json(
                {
                    **unit_record(unit),
                    "division_type": unit.division_type,
                    "parents": [unit_record(u) for u in chain],
                    "successors": [_succession_record(s, s.successor) for s in successors],
                    "predecessors": [_succession_record(s, s.predecessor) for s in predecessors],
                }
            )
            return
        write = self.stdout.write
        write(f"{unit.name}  ({unit.key})")
        details = [
            (_("Code"), unit.code),
            (_("Level"), unit.level),
            (_("Type"), unit.division_type),
            (_("Era"), unit.era),
            (_("Validity"), validity_label(unit)),
            (_("Within"), " › ".join(f"{u.name} ({u.key})" for u in chain) or "—"),
        ]
        width = max(len(label) for label, _value in details)
        for label, value in details:
            write(f"  {label.ljust(width)}  {value}")
        for title, items, other in (
            (_("Predecessors (what it came from)"), predecessors, "predecessor"),
            (_("Successors (what it became)"), successors, "successor"),
        ):
            write("")
            write(title)
            if not items:
                write("  " + _("none"))
                continue
            write(
                format_table(
                    [_("Key"), _("Name"), _("Parent"), _("Part"), _("Effective")],
                    [
                        [
                            getattr(s, other).key,
                            getattr(s, other).name,
                            parent_name(getattr(s, other)),
                            _("part") if s.partial else _("whole"),
                            _effective(s),
                        ]
                        for s in items
                    ],
                )
            )

    def _json(self, data: Any) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))


def _accept_base_options(parser, sub) -> None:
    """Let `--verbosity`, `--traceback`, `--skip-checks` … follow the sub-command too.

    argparse reads a parser's options only before its sub-command; a copy on the sub-parser with a
    suppressed default fills the same destination only when given there.
    """
    for action in parser._actions:
        if action.option_strings and action.dest not in {"help", "version"}:
            clone = copy.copy(action)
            clone.default = argparse.SUPPRESS
            sub._add_action(clone)


def _ancestors(unit: Unit) -> list[Unit]:
    """Nearest first. Two levels at most, so following `parent` costs at most two queries."""
    chain = []
    node = unit.parent
    while node is not None:
        chain.append(node)
        node = node.parent
    return chain


def _effective(succession: UnitSuccession) -> str:
    return date_format(succession.effective_on, "SHORT_DATE_FORMAT")


def _succession_record(succession: UnitSuccession, other: Unit) -> dict[str, Any]:
    return {
        **unit_record(other),
        "partial": succession.partial,
        "rank": succession.rank,
        "effective_on": succession.effective_on.isoformat(),
    }
