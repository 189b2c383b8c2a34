"""Numbers as the report writes them: the Vietnamese way (1.234 and 49,30) in the active language.

Figures arrive from the snapshot as JSON integers or exact decimal strings; `dec()` turns them back
into Decimals, and the `fmt_*` functions write them. "No data" is a dash, never "None".
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import number_format

DASH = "–"
CENT = Decimal("0.01")
WHOLE_UNITS = ("count", "people")


def dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def whole(value: Any) -> int | None:
    d = dec(value)
    return None if d is None else int(d.to_integral_value(ROUND_HALF_UP))


def fmt_int(value: Any) -> str:
    n = whole(value)
    return DASH if n is None else number_format(n, force_grouping=True)


def fmt_dec(value: Any, places: int = 2) -> str:
    d = dec(value)
    if d is None:
        return DASH
    d = d.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return number_format(d, decimal_pos=places, force_grouping=True)


def fmt(value: Any, unit: str) -> str:
    """A figure in its indicator's unit: counts and people whole, the rest with two decimals."""
    return fmt_int(value) if unit in WHOLE_UNITS else fmt_dec(value)


def share(part: Any, total: Any) -> Decimal | None:
    """part ÷ total in percent, rounded half up to 0.01; None when the total is 0 or unknown."""
    p, t = dec(part), dec(total)
    if p is None or not t:
        return None
    return (p * 100 / t).quantize(CENT, ROUND_HALF_UP)
