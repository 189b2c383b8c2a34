"""Indicator definitions are data: loaded by a migration, checked by Indicator.clean(), documented."""

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from hoptac.indicators.models import Indicator
from hoptac.indicators.services import indicator_rows, indicator_save, indicators_load

DOCS = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


def test_the_migration_loaded_every_definition_of_the_fixture(db):
    codes = {row["code"] for row in indicator_rows()}
    assert set(Indicator.objects.values_list("code", flat=True)) == codes
    assert len(codes) >= 60


def test_every_shipped_definition_passes_its_checks(db):
    for indicator in Indicator.objects.select_related("base"):
        indicator.full_clean()


def test_sources_without_data_in_the_system_are_defined_with_their_source(db):
    pending = dict(
        Indicator.objects.exclude(source__in=["organisations", "returns", "communes"]).values_list(
            "code", "source"
        )
    )
    assert pending["ocop-htx-4-star"] == "products"
    assert pending["hnd-branches-converted-share"] == "support"
    assert pending["hnd-staff-trained-share"] == "support"
    assert pending["htx-effective-share-official"] == "scores"


def test_loading_again_changes_nothing_and_restores_an_edited_definition(db):
    assert indicators_load().created == 0
    Indicator.objects.filter(code="htx-active").update(name_vi="sửa tay", filters={"kinds": ["tht"]})
    report = indicators_load()
    assert (report.created, report.updated) == (0, 1)
    restored = Indicator.objects.get(code="htx-active")
    assert restored.filters == {"kinds": ["htx", "qtdnd"], "statuses": ["active"]}
    out = io.StringIO()
    call_command("loadindicators", stdout=out)
    assert "0" in out.getvalue()


def _definition(**fields) -> Indicator:
    values = {
        "code": "test",
        "name_vi": "Thử",
        "name_en": "Test",
        "unit": "count",
        "source": "organisations",
        "aggregation": "count",
        "period": "stock",
        "filters": {"kinds": ["htx"]},
    }
    values.update(fields)
    return Indicator(**values)


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"filters": {"kind": ["htx"]}}, "filters", "unknown key"),
        ({"filters": {"kinds": ["hop-tac"]}}, "filters", "hop-tac"),
        ({"filters": {"sectors": ["nong-ngiep"]}}, "filters", "nong-ngiep"),
        ({"filters": {"statuses": ["active"]}, "period": "founded"}, "filters", "stock"),
        ({"filters": {"returns": {"workers": {"gt": 1}}}}, "filters", "unknown key"),
        ({"filters": {"union_member": "yes"}}, "filters", "true or false"),
        ({"aggregation": "share", "unit": "percent"}, "subset", "subset"),
        (
            {"aggregation": "sum", "source": "returns", "figures": {"value": ["revenue", "notes"]}},
            "figures",
            "sum",
        ),
        (
            {"aggregation": "sum", "source": "organisations", "figures": {"value": ["workers"]}},
            "aggregation",
            "yearly returns",
        ),
        ({"source": "returns", "filters": {"returns": {"high_technology": ["yes"]}}}, "filters", "numbers"),
        ({"source": "returns", "filters": {"returns": {"self_classification": ["good"]}}}, "filters", "good"),
        ({"source": "returns", "filters": {"returns": {"notes": {"gt": 3}}}}, "filters", "not a number"),
        ({"source": "returns", "period": "founded"}, "period", "stock"),
        ({"aggregation": "growth_previous", "unit": "percent"}, "base", "whose growth"),
        (
            {
                "aggregation": "ratio",
                "source": "returns",
                "unit": "count",
                "figures": {"numerator": ["managers_trained"], "denominator": ["managers"]},
            },
            "unit",
            "%",
        ),
    ],
)
def test_clean_refuses_a_malformed_definition_and_says_where(db, fields, field, words):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        _definition(**fields).full_clean()
    messages = " ".join(err.value.message_dict.get(field, []))
    assert words in messages, err.value.message_dict


def test_a_growth_takes_its_population_from_its_base(db):
    base = Indicator.objects.get(code="htx-members")
    growth = _definition(
        aggregation="growth_previous", unit="percent", base=base, filters={}, source="organisations"
    )
    growth.full_clean()
    assert growth.source == "returns"


def test_only_a_system_administrator_saves_a_definition(db, people):
    from django.core.exceptions import PermissionDenied

    indicator = Indicator.objects.get(code="htx-active")
    indicator.name_en = "Cooperatives operating on 31 December"
    with pytest.raises(PermissionDenied):
        indicator_save(indicator=indicator, actor=people.province)
    indicator_save(indicator=indicator, actor=people.admin)
    assert Indicator.objects.get(code="htx-active").name_en == "Cooperatives operating on 31 December"
    assert Indicator.history.filter(code="htx-active").first().history_user == people.admin


def test_the_documentation_lists_every_indicator_with_its_names():
    text = DOCS.read_text(encoding="utf-8")
    for row in json.loads(
        (Path(__file__).resolve().parents[2] / "src/hoptac/indicators/fixtures/indicators.json").read_text()
    ):
        assert f"`{row['code']}`" in text, row["code"]
        assert row["name_vi"] in text, row["code"]
