"""Numbers in pages: years and ids exactly as they are, figures grouped the language's way."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_year_and_an_id_render_without_grouping_and_a_figure_with_it(language):
    template = Template('{% load dashboard %}{{ year }} <input value="{{ pk }}"> {{ total|figure }}')
    with translation.override(language):
        out = template.render(Context({"year": 2024, "pk": 18180, "total": 1234567}))
    grouped = "1.234.567" if language == "vi" else "1,234,567"
    assert out == f'2024 <input value="18180"> {grouped}'


def test_the_returns_round_of_an_organisation_with_a_large_id_links_and_selects_it_by_that_id(
    client, people, make_org
):
    # Ids pass 1,000 in any real registry: the same cooperative again, stored under a large id.
    big = make_org("HTX Số Lớn")
    big.pk, big.name, big.name_folded = 23456, "HTX Số Lớn Hai", "htx so lon hai"
    big.save(force_insert=True)
    client.force_login(people.commune)
    body = client.get("/returns/2024/").content.decode()  # in Vietnamese, the default language
    assert 'data-org="23456"' in body
    assert "/returns/2024/org/23456/" in body
    assert not re.search(r"2[.,]024|23[.,]456", body)


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("vi", "1.234,5", "1234.5"),
        ("vi", "1.234.567", "1234567"),
        ("vi", "1234,5", "1234.5"),
        ("vi", "2.5", "2.5"),  # one dot, not three digits after it: a decimal point
        ("vi", " 12 345,25 ", "12345.25"),
        ("en", "1,234.5", "1234.5"),
        ("en", "1234.5", "1234.5"),
    ],
)
def test_typed_numbers_are_read_with_or_without_the_languages_grouping(language, typed, expected):
    from decimal import Decimal

    from hoptac.core.fields import GroupedDecimalField

    field = GroupedDecimalField(localize=True, max_digits=14, decimal_places=2)
    with translation.override(language):
        assert field.clean(typed) == Decimal(expected)


def test_a_grouped_whole_number_is_read_and_a_word_is_refused():
    from django.core.exceptions import ValidationError

    from hoptac.core.fields import GroupedIntegerField

    field = GroupedIntegerField(localize=True)
    with translation.override("vi"):
        assert field.clean("12.500") == 12500
        with pytest.raises(ValidationError):
            field.clean("mười")


def test_a_stored_figure_is_shown_grouped_in_its_input():
    from decimal import Decimal

    from django import forms

    from hoptac.core.fields import GroupedDecimalField

    class F(forms.Form):
        capital = GroupedDecimalField(localize=True, max_digits=14, decimal_places=2)

    with translation.override("vi"):
        assert 'value="2.500,5"' in str(F(initial={"capital": Decimal("2500.5")})["capital"])
    with translation.override("en"):
        assert 'value="2,500.5"' in str(F(initial={"capital": Decimal("2500.5")})["capital"])


def test_the_registry_lists_count_is_grouped_the_languages_way(rf):
    from django.template.loader import render_to_string

    context = {"counts": {"total": 129300, "by_kind": [("htx", "HTX", 35000)], "by_status": []}}
    with translation.override("vi"):
        html = render_to_string("registry/_organisation_rows.html", context, request=rf.get("/registry/"))
    assert 'data-testid="org-count">129.300</strong> tổ chức' in html
    assert "<strong>35.000</strong>" in html
    with translation.override("en"):
        html = render_to_string("registry/_organisation_rows.html", context, request=rf.get("/registry/"))
    assert 'data-testid="org-count">129,300</strong> organisations' in html
