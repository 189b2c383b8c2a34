"""Form fields for numbers typed the language's way, grouped or not: "1.234,5" or "1234,5" in
Vietnamese, "1,234.5" or "1234.5" in English.

The project renders numbers without grouping by default (settings.USE_THOUSAND_SEPARATOR is False,
so that years and ids appear as 2024 and 1818, never 2.024); Django then no longer removes thousand
separators from what people type. These fields do, with Django's own rule: in a language whose
thousand separator is ".", a single dot not followed by exactly three digits is read as the decimal
point ("2.5" is 2,5, "2.500" is 2500).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import get_format, number_format


def strip_grouping(value: Any) -> Any:
    """The typed text without the active language's thousand separators (and spaces)."""
    if not isinstance(value, str):
        return value
    value = value.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    thousand, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
    if not thousand or thousand == decimal:
        return value
    whole, point, decimals = value.partition(decimal)
    if thousand == "." and whole.count(".") == 1 and len(whole.split(".")[-1]) != 3:
        return value  # "2.5": a decimal point typed the English way, which Django then accepts
    for separator in {thousand, unicodedata.normalize("NFKD", thousand)}:
        whole = whole.replace(separator, "")
    return whole + point + decimals


class _Grouped:
    """Shown grouped (a stored 2500.5 appears as 2.500,5), read grouped or not."""

    localize: bool

    def prepare_value(self, value):
        if self.localize and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return number_format(value, force_grouping=True)
        return value

    def to_python(self, value):
        return super().to_python(strip_grouping(value) if self.localize else value)


class GroupedIntegerField(_Grouped, forms.IntegerField):
    pass


class GroupedDecimalField(_Grouped, forms.DecimalField):
    pass
