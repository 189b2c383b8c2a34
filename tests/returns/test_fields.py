"""The figures are described once (returns.fields.FIELDS) and the model follows that description."""

from __future__ import annotations

from django.db import models

from hoptac.returns.fields import FIELDS, FIELDS_BY_NAME, Group, Measure, Type
from hoptac.returns.models import AnnualReturn

WORKFLOW = {
    "id", "organisation", "year", "status", "version", "created_at", "created_by", "updated_at", "updated_by",
    "submitted_at", "submitted_by", "approved_at", "approved_by", "returned_at", "returned_by", "returned_reason",
    "reopened_at", "reopened_by", "reopened_reason",
}  # fmt: skip


def test_the_model_has_exactly_the_described_figures_and_the_workflow():
    concrete = {f.name for f in AnnualReturn._meta.concrete_fields}
    assert concrete - WORKFLOW == set(FIELDS_BY_NAME)
    assert len(FIELDS_BY_NAME) == len(FIELDS)


def test_every_figure_has_a_label_a_unit_a_help_and_a_vietnamese_header():
    headers = set()
    for spec in FIELDS:
        field = AnnualReturn._meta.get_field(spec.name)
        assert field.verbose_name == spec.label and str(field.help_text) == str(spec.help)
        assert str(spec.label) and str(spec.help) and spec.header_vi
        assert spec.group in Group.values and spec.type in Type.values and spec.measure in Measure.values
        assert spec.header_vi not in headers
        headers.add(spec.header_vi)
        if spec.is_number:
            assert spec.measure in (
                Measure.PEOPLE,
                Measure.MILLION_VND,
                Measure.MILLION_VND_PER_PERSON,
                Measure.PERCENT,
            )
        assert field.null or isinstance(field, models.CharField | models.TextField)


def test_only_profit_may_be_negative_and_only_the_bad_debt_ratio_is_for_credit_only():
    assert [s.name for s in FIELDS if s.may_be_negative] == ["profit"]
    assert [s.name for s in FIELDS if s.credit_only] == ["bad_debt_ratio"]


def test_the_bad_debt_ratio_applies_to_credit_funds_and_the_credit_sector(make_org):
    from hoptac.registry.models import Sector

    spec = FIELDS_BY_NAME["bad_debt_ratio"]
    assert not spec.applies_to(make_org("HTX A"))
    assert spec.applies_to(make_org("Quỹ TDND B", kind="qtdnd"))
    assert spec.applies_to(make_org("HTX tín dụng C", sector=Sector.objects.get(code="tin-dung")))


def test_the_young_managers_age_limit_is_a_setting(client, people, org, settings):
    from django.urls import reverse

    settings.HOPTAC_YOUNG_MANAGER_MAX_AGE = 30
    client.force_login(people.commune)
    body = client.get(reverse("returns:form", kwargs={"year": 2024, "org_pk": org.pk})).content.decode()
    assert "Managers aged 30 or under on the last day of the data period" in body
    assert "aged 35" not in body
