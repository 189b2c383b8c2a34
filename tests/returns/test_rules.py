"""Every shipped validation rule, one failing and one passing case each; the rules as data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from hoptac.returns.models import AnnualReturn, ValidationRule
from hoptac.returns.validation import load_rule_fixture, return_validate

HTX23 = {"kind": "htx", "law": "2023"}
CREDIT = {"kind": "qtdnd", "law": "2023", "sector": "tin-dung"}

# code: (organisation, failing figures, passing figures, last year's figures or None)
CASES = {
    "negative-values": (HTX23, {"workers": -1}, {"workers": 0}, None),
    "workers-members-exceed-workers": (
        HTX23, {"workers": 5, "workers_members": 6}, {"workers": 6, "workers_members": 6}, None,
    ),
    "income-worker-without-workers": (
        HTX23, {"income_worker": 40, "workers": 0}, {"income_worker": 40, "workers": 3}, None,
    ),
    "income-member-without-members": (
        HTX23, {"income_member": 30, "members_individual": 0}, {"income_member": 30, "members_individual": 5}, None,
    ),
    "education-sum-mismatch": (
        HTX23,
        {"managers": 5, "managers_university": 1, "managers_college": 1},
        {"managers": 2, "managers_university": 1, "managers_college": 1},
        None,
    ),
    "young-managers-exceed-managers": (
        HTX23, {"managers": 3, "managers_young": 4}, {"managers": 4, "managers_young": 4}, None,
    ),
    "young-degree-exceed-young": (
        HTX23, {"managers_young": 1, "managers_young_degree": 2}, {"managers_young": 2, "managers_young_degree": 2}, None,
    ),
    "young-degree-exceed-degrees": (
        HTX23,
        {"managers_university": 1, "managers_young_degree": 2},
        {"managers_university": 1, "managers_college": 1, "managers_young_degree": 2},
        None,
    ),
    "trained-exceed-managers": (
        HTX23, {"managers": 3, "managers_trained": 4}, {"managers": 3, "managers_trained": 3}, None,
    ),
    "bad-debt-range": (CREDIT, {"bad_debt_ratio": 120}, {"bad_debt_ratio": Decimal("1.5")}, None),
    "htx-2023-min-members": (
        HTX23, {"members_individual": 4}, {"members_individual": 3, "members_household": 2}, None,
    ),
    "htx-2012-min-members": (
        {"kind": "htx", "law": "2012"}, {"members_individual": 6}, {"members_individual": 7}, None,
    ),
    "lhhtx-2023-min-members": (
        {"kind": "lhhtx", "law": "2023"}, {"members_legal_entity": 2}, {"members_legal_entity": 3}, None,
    ),
    "lhhtx-2012-min-members": (
        {"kind": "lhhtx", "law": "2012"}, {"members_legal_entity": 3}, {"members_legal_entity": 4}, None,
    ),
    "tht-min-members": ({"kind": "tht", "law": "civil"}, {"members_individual": 1}, {"members_individual": 2}, None),
    "income-member-change": (HTX23, {"income_member": 70}, {"income_member": 55}, {"income_member": 40}),
    "income-worker-change": (HTX23, {"income_worker": 19}, {"income_worker": 21}, {"income_worker": 40}),
    "profit-without-revenue": (HTX23, {"profit": 10, "revenue": 0}, {"profit": 10, "revenue": 100}, None),
    "profit-exceeds-revenue": (HTX23, {"profit": 200, "revenue": 100}, {"profit": 50, "revenue": 100}, None),
    "revenue-zero-active": (HTX23, {"revenue": 0}, {"revenue": 10}, None),
    "charter-capital-exceeds-assets": (
        HTX23,
        {"charter_capital_contributed": 500, "total_assets": 400},
        {"charter_capital_contributed": 300, "total_assets": 400},
        None,
    ),
    "bad-debt-not-credit": (HTX23, {"bad_debt_ratio": 1}, {}, None),
    "bad-debt-missing": (CREDIT, {}, {"bad_debt_ratio": 1}, None),
}  # fmt: skip


def _org(make_org, spec):
    from hoptac.registry.models import Sector

    fields = {"kind": spec["kind"], "law": spec["law"]}
    if "sector" in spec:
        fields["sector"] = Sector.objects.get(code=spec["sector"])
    return make_org(f"Tổ chức {spec['kind']} {spec['law']}", **fields)


def _findings(org, figures, prev_figures, rule):
    ret = AnnualReturn(organisation=org, year=2024, **figures)
    prev = AnnualReturn(organisation=org, year=2023, **prev_figures) if prev_figures else None
    return return_validate(ret, rules=[rule], prev=prev)


def test_every_shipped_rule_has_a_test_case():
    assert set(CASES) == {row["code"] for row in load_rule_fixture()}


def test_the_migration_loaded_every_shipped_rule(db):
    assert set(ValidationRule.objects.values_list("code", flat=True)) >= set(CASES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_shipped_rule_fails_and_passes(code, make_org):
    org_spec, failing, passing, prev = CASES[code]
    org = _org(make_org, org_spec)
    rule = ValidationRule.objects.get(code=code)
    rule.full_clean()  # its expressions and placeholders are valid
    found = _findings(org, failing, prev, rule)
    assert [f.code for f in found] == [code], found
    assert found[0].field in rule.field_list
    assert "{" not in found[0].message, found[0].message  # every placeholder was filled
    assert _findings(org, passing, prev, rule) == []


def test_a_rule_applies_only_to_its_kinds(make_org):
    tht = _org(make_org, {"kind": "tht", "law": "civil"})
    rule = ValidationRule.objects.get(code="htx-2023-min-members")
    assert _findings(tht, {"members_individual": 1}, None, rule) == []


def test_messages_come_in_the_active_language_with_the_field_named(make_org):
    org = _org(make_org, HTX23)
    rule = ValidationRule.objects.get(code="negative-values")
    with translation.override("vi"):
        (vi,) = _findings(org, {"revenue": Decimal("-1234.5")}, None, rule)
    with translation.override("en"):
        (en,) = _findings(org, {"revenue": Decimal("-1234.5")}, None, rule)
    assert vi.field == en.field == "revenue"
    # The field's label is translated by the .po file (written later); the rule's text is data.
    assert vi.message.endswith(" không được là số âm (đã nhập -1.234,5).")
    assert en.message == "Revenue cannot be negative (entered -1,234.5)."


def test_change_message_shows_the_percentage_and_last_year(make_org):
    org = _org(make_org, HTX23)
    rule = ValidationRule.objects.get(code="income-member-change")
    with translation.override("en"):
        (finding,) = _findings(org, {"income_member": 70}, {"income_member": 40}, rule)
    assert "changed by 75 % on 2023 (40 → 70 million VND)" in finding.message


def test_a_rule_checking_each_field_reports_each_failing_field(make_org):
    org = _org(make_org, HTX23)
    rule = ValidationRule.objects.get(code="negative-values")
    found = _findings(org, {"workers": -1, "managers": -2, "members_individual": 3}, None, rule)
    assert sorted(f.field for f in found) == ["managers", "workers"]


def test_a_province_can_add_a_rule_as_data(make_org):
    org = _org(make_org, HTX23)
    rule = ValidationRule(
        code="few-workers",
        severity="warning",
        check_expression="workers >= 3",
        fields="workers",
        message_vi="Ít lao động: {workers}.",
        message_en="Few workers: {workers}.",
    )
    rule.full_clean()
    rule.save()
    ret = AnnualReturn(organisation=org, year=2024, workers=2)
    assert "few-workers" in [f.code for f in return_validate(ret, prev=None)]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("check_expression", "__import__('os').system('id')"),
        ("condition", "org.__class__"),
        ("check_expression", "workers >"),
        ("message_en", "Bad {workers.__class__}"),
        ("fields", "no_such_field"),
        ("kinds", "htx,bank"),
    ],
)
def test_a_rule_with_an_unsafe_or_wrong_part_is_refused(db, field, value):
    rule = ValidationRule(
        code="bad", severity="error", check_expression="workers >= 0", fields="workers",
        message_vi="x", message_en="x",
    )  # fmt: skip
    setattr(rule, field, value)
    with pytest.raises(ValidationError) as err:
        rule.full_clean()
    assert field in err.value.message_dict


def test_a_rule_that_fails_at_evaluation_is_skipped_not_fatal(make_org):
    org = _org(make_org, HTX23)
    rule = ValidationRule.objects.create(
        code="broken", severity="error", check_expression="org.kind > 3", fields="workers",
        message_vi="x", message_en="x",
    )  # fmt: skip
    assert (
        return_validate(AnnualReturn(organisation=org, year=2024, workers=1), rules=[rule], prev=None) == []
    )


def test_inactive_rules_are_not_applied(make_org):
    org = _org(make_org, HTX23)
    ValidationRule.objects.filter(code="negative-values").update(active=False)
    found = return_validate(AnnualReturn(organisation=org, year=2024, workers=-1), prev=None)
    assert "negative-values" not in [f.code for f in found]


def test_rules_load_updates_by_code_and_leaves_other_rules(db):
    from hoptac.returns.validation import rules_load

    ValidationRule.objects.filter(code="bad-debt-range").update(message_en="changed")
    ValidationRule.objects.create(
        code="province-own", severity="warning", check_expression="workers >= 0", fields="workers",
        message_vi="x", message_en="x",
    )  # fmt: skip
    created, updated = rules_load(ValidationRule)
    assert created == 0 and updated == len(CASES)
    assert ValidationRule.objects.get(code="bad-debt-range").message_en != "changed"
    assert ValidationRule.objects.filter(code="province-own").exists()
