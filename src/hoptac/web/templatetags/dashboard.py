"""Numbers of the dashboard as the language writes them: `{{ value|figure:indicator.unit }}`."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

WHOLE_UNITS = ("count", "people")


@register.filter
def figure(value, unit: str = "count") -> str:
    """A figure: whole for counts and people (1.234), two decimals otherwise (49,41); "—" for none."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if unit in WHOLE_UNITS and value == value.to_integral_value():
        return number_format(int(value), force_grouping=True)
    return number_format(value.quantize(Decimal("0.01"), ROUND_HALF_UP), decimal_pos=2, force_grouping=True)


@register.filter
def measure(unit: str) -> str:
    """The unit after a figure: "%", "người", "triệu đồng/người/năm"; nothing for a count."""
    from hoptac.indicators.models import Indicator

    if unit == Indicator.Measure.COUNT:
        return ""
    if unit == Indicator.Measure.PERCENT:
        return "%"
    return str(dict(Indicator.Measure.choices).get(unit, unit))


@register.filter
def no_data_text(value) -> str:
    return _("no data") if value is None else ""


@register.filter
def index(sequence, i: int):
    """`{{ links|index:forloop.counter0 }}`: the item at i, None when out of range."""
    try:
        return sequence[i]
    except (IndexError, TypeError, KeyError):
        return None


@register.simple_tag
def unit_page(unit, year=None) -> str:
    """`{% unit_page lag.unit year %}`: the unit's dashboard page (reversed once per page, not per link)."""
    from hoptac.web.queries import unit_url

    return unit_url(unit, year)
