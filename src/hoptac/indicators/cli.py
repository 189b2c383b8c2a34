"""What the indicator commands share: the `--year` option, numbers for JSON and for tables."""

from __future__ import annotations

import argparse
import json
import re
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

TABLE, JSON = "table", "json"
_RANGE = re.compile(r"^\s*(\d{4})\s*[-–]\s*(\d{4})\s*$")


def years_argument(text: str) -> list[int]:
    """`2023` → [2023]; `2020-2025` → [2020, …, 2025]."""
    match = _RANGE.match(text)
    if match:
        first, last = int(match[1]), int(match[2])
        if first > last:
            raise argparse.ArgumentTypeError(_("The range %(text)s runs backwards.") % {"text": text})
        return list(range(first, last + 1))
    if text.strip().isdigit() and len(text.strip()) == 4:
        return [int(text)]
    raise argparse.ArgumentTypeError(
        _("“%(text)s” is not a year (2023) or a range of years (2020-2025).") % {"text": text}
    )


def add_format_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=[TABLE, JSON], default=TABLE, help=_("An aligned table (default) or JSON.")
    )


def json_number(value: Decimal | int | None) -> int | float | None:
    """A whole Decimal as an int, any other as a float with its decimals (49.30 → 49.3)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def table_number(value: Decimal | int | None, *, decimals: int | None = None) -> str:
    """A number as the active language writes it (1.234,56 in Vietnamese); "—" for none.

    With `decimals`, always that many decimals (percentages: 20,00); without, whole numbers stay whole.
    """
    if value is None:
        return "—"
    if decimals is None and (isinstance(value, int) or value == value.to_integral_value()):
        return number_format(int(value), force_grouping=True)
    return number_format(value, decimal_pos=2 if decimals is None else decimals, force_grouping=True)


WHOLE_UNITS = ("count", "people")


def decimals_for(unit: str) -> int | None:
    """Counts of organisations and people are whole; percentages and money get two decimals."""
    return None if unit in WHOLE_UNITS else 2


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
