"""The `--unit` option every command shares, and the plain-text rendering of units for commands.

    from hoptac.units.cli import add_unit_argument, unit_from_options

    class Command(BaseCommand):
        def add_arguments(self, parser):
            add_unit_argument(parser)

        def handle(self, *args, **options):
            unit = unit_from_options(self, options)

Resolution itself (which unit `district:110` or "Than Uyên" means) is `services.resolve_unit`;
this module prints what went wrong on stderr and exits with status 2, as argparse does for a
bad argument, so a mistyped unit never ends in a traceback.
"""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.base import BaseCommand
from django.db.models import QuerySet
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from .models import Unit
from .services import UnitLookupError, resolve_unit

USAGE_ERROR = 2
CANDIDATES_SHOWN = 20


def add_unit_argument(
    parser: argparse.ArgumentParser,
    *,
    required: bool = True,
    help: str | None = None,
) -> None:
    """Add `--unit UNIT` to a command's (or a sub-command's) parser."""
    parser.add_argument(
        "--unit",
        required=required,
        metavar="UNIT",
        help=help
        or _(
            "An administrative unit: a key such as district:110, commune:03595, legacy-commune:03595 or "
            "province:12, a province code alone (12), or an unambiguous name (“Huyện Than Uyên”). "
            "`hoptac units search NAME` lists the keys."
        ),
    )


def unit_from_options(
    command: BaseCommand, options: dict[str, Any], *, queryset: QuerySet[Unit] | None = None
) -> Unit | None:
    """The unit `--unit` names, or None when the option is optional and was not given.

    On no match or an ambiguous name, print the reason (and the candidates, with the keys that
    resolve them) on the command's stderr and raise SystemExit(2).
    """
    text = options.get("unit")
    if text is None:
        return None
    try:
        return resolve_unit(text, queryset=queryset)
    except UnitLookupError as exc:
        command.stderr.write(str(exc))
        if exc.candidates:
            command.stderr.write(candidates_table(exc.candidates))
        raise SystemExit(USAGE_ERROR) from None


def candidates_table(units: Sequence[Unit]) -> str:
    shown = units[:CANDIDATES_SHOWN]
    text = format_table(
        [_("Key"), _("Level"), _("Name"), _("Parent"), _("Era")],
        [[u.key, u.level, u.name, parent_name(u), u.era] for u in shown],
    )
    if len(units) > len(shown):
        text += "\n" + _("… and %(count)d more: add words to the name, or give a key.") % {
            "count": len(units) - len(shown)
        }
    return text


def parent_name(unit: Unit) -> str:
    return unit.parent.name if unit.parent_id else ""


def validity_label(unit: Unit) -> str:
    """`01/07/2025 – 31/12/2030`, `from 01/07/2025`, `until 30/06/2025`, in the active language."""
    start = date_format(unit.valid_from, "SHORT_DATE_FORMAT") if unit.valid_from else None
    end = date_format(unit.valid_to, "SHORT_DATE_FORMAT") if unit.valid_to else None
    if start and end:
        return _("%(start)s – %(end)s") % {"start": start, "end": end}
    if start:
        return _("from %(start)s") % {"start": start}
    if end:
        return _("until %(end)s") % {"end": end}
    return _("always")


def unit_record(unit: Unit) -> dict[str, Any]:
    """A unit as the JSON outputs show it (plain strings, ISO dates)."""
    return {
        "key": unit.key,
        "code": unit.code,
        "level": str(unit.level),
        "name": unit.name,
        "parent": parent_name(unit) or None,
        "parent_key": unit.parent.key if unit.parent_id else None,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "validity": validity_label(unit),
        "era": str(unit.era),
    }


def units_table(units: Iterable[Unit]) -> str:
    return format_table(
        [_("Key"), _("Code"), _("Level"), _("Name"), _("Parent"), _("Validity"), _("Era")],
        [[u.key, u.code, u.level, u.name, parent_name(u), validity_label(u), u.era] for u in units],
    )


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Iterable[int] = ()) -> str:
    """Columns aligned on the characters' display width (Vietnamese may arrive decomposed)."""
    right = set(right)
    cells = [[_nfc(h) for h in headers], *[[_nfc(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row)
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _nfc(value: Any) -> str:
    return unicodedata.normalize("NFC", "" if value is None else str(value))


def stats_table(stats: dict[str, Any]) -> str:
    """`unit_stats()` as an aligned table (numbers grouped as the active language writes them)."""
    rows = [
        [era, level, number_format(count, force_grouping=True)]
        for era in Unit.Era.values
        for level, count in stats.get(era, {}).items()
    ]
    table = format_table([_("Era"), _("Level"), _("Units")], rows, right=[2])
    return (
        table
        + "\n"
        + _("Successions: %(count)s") % {"count": number_format(stats["successions"], force_grouping=True)}
    )
