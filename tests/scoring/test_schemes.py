"""Schemes as data: versions, loading the shipped file, choosing the scheme by sector and by province."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hoptac.registry.models import Sector
from hoptac.scoring import services
from hoptac.scoring.models import Scheme, SchemeChoice
from hoptac.scoring.schemes import (
    load_fixture,
    scheme_activate,
    scheme_choose,
    scheme_edit,
    scheme_for,
    scheme_new_version,
    schemes_load,
)

from .conftest import FILL, TT01, TT09, YEAR, manual_entries


def test_editing_a_scheme_makes_a_new_version_and_leaves_earlier_results_unchanged(
    agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    v2 = complete_schemes[TT09]
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    sheet = services.score_save(
        sheet=sheet, actor=people.commune, entries=manual_entries(sheet), expected_version=sheet.version
    )
    sheet = services.score_confirm(
        sheet=services.score_submit(sheet=sheet, actor=people.commune), actor=people.commune
    )
    before = (
        sheet.scheme_id,
        sheet.total,
        sheet.klass,
        sorted(sheet.lines.values_list("criterion_id", "points")),
    )
    assert before[1] == 89 and before[2] == "tot"

    # The province halves the points of revenue: 1.2 now gives at most 5 (and the total 95).
    v3 = scheme_edit(
        scheme=v2, actor=people.admin, note="Doanh thu 5 điểm",
        criteria={"1.2": {"max_points": 5, "bands": [{"min": None, "max": 5000, "points": 3}, {"min": 5000, "max": None, "points": 5}]},
                  "1": {"max_points": 33}},
        total_points=Decimal(95),
    )  # fmt: skip
    v2.refresh_from_db()
    assert (v3.version, v3.parent, v3.active, v2.active) == (3, v2, True, False)
    assert v2.criteria.get(number="1.2").max_points == 10 and v3.criteria.get(number="1.2").max_points == 5
    sheet.refresh_from_db()
    assert (
        sheet.scheme_id,
        sheet.total,
        sheet.klass,
        sorted(sheet.lines.values_list("criterion_id", "points")),
    ) == before

    # A new sheet is scored with the new version.
    approve(agri_org, year=YEAR - 1)
    new, _ = services.score_compute(organisation=agri_org, year=YEAR - 1, actor=people.commune)
    assert new.scheme == v3 and new.lines.get(criterion__number="1.2").points == 3


def test_a_version_that_scored_sheets_cannot_change_in_place(agri_org, approve, complete_schemes, people):
    approve(agri_org)
    services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    criterion = complete_schemes[TT09].criteria.get(number="1.4")
    criterion.max_points = 4
    with pytest.raises(ValidationError, match="cannot change: make a new version"):
        criterion.full_clean()


def test_only_an_administrator_edits_schemes(people):
    scheme = Scheme.objects.get(code=TT09, active=True)
    for who in (people.province, people.commune):
        with pytest.raises(PermissionDenied):
            scheme_edit(scheme=scheme, actor=who, criteria={"3": {"max_points": 15}})
        with pytest.raises(PermissionDenied):
            scheme_new_version(scheme=scheme, actor=who)
    assert Scheme.objects.filter(code=TT09).count() == 1


def test_a_bad_edit_names_the_criterion_and_writes_nothing(people):
    scheme = Scheme.objects.get(code=TT09, active=True)
    with pytest.raises(ValidationError) as err:
        scheme_edit(
            scheme=scheme,
            actor=people.admin,
            criteria={"1.2": {"expression": "doanh_thu"}, "2.9": {"parent": "9"}},
        )
    assert "1.2 (expression)" in err.value.message_dict and "2.9" in err.value.message_dict
    assert Scheme.objects.filter(code=TT09).count() == 1 and Scheme.objects.get(code=TT09).active


def test_an_inactive_copy_is_edited_then_put_in_force(people):
    scheme = Scheme.objects.get(code=TT01, active=True)
    draft = scheme_new_version(scheme=scheme, actor=people.admin, note="Bản của tỉnh")
    assert (draft.version, draft.active, draft.criteria.count()) == (2, False, scheme.criteria.count())
    criterion = draft.criteria.get(number="10")
    criterion.max_points = 8
    criterion.full_clean()  # unused: editable in place
    criterion.save()
    scheme_activate(scheme=draft, actor=people.admin)
    scheme.refresh_from_db()
    assert not scheme.active and Scheme.objects.get(code=TT01, active=True) == draft


def confirm_criterion_3(data):
    """The shipped file as it would be once TT 09's criterion 3 is confirmed at 15 points."""
    tt09 = next(s for s in data["schemes"] if s["code"] == TT09)
    next(c for c in tt09["criteria"] if c["number"] == "3")["max_points"] = 15


def test_loading_the_shipped_schemes_again_changes_nothing(db):
    report = schemes_load()
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_a_changed_shipped_file_updates_an_unused_version_in_place(db):
    data = copy.deepcopy(load_fixture())
    confirm_criterion_3(data)
    report = schemes_load(data=data)
    assert (report.created, report.updated) == (0, 1)
    scheme = Scheme.objects.get(code=TT09)
    assert scheme.version == 1 and scheme.criteria.get(number="3").max_points == 15


def test_a_changed_shipped_file_becomes_a_new_version_when_the_old_one_scored_sheets(
    agri_org, approve, people
):
    approve(agri_org)
    services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    data = copy.deepcopy(load_fixture())
    confirm_criterion_3(data)
    report = schemes_load(data=data)
    assert (report.created, report.updated) == (1, 0)
    v1, v2 = Scheme.objects.filter(code=TT09).order_by("version")
    assert (v1.active, v2.active, v2.parent, v2.version) == (False, True, v1, 2)
    assert v1.criteria.get(number="3").max_points is None


def test_a_changed_shipped_file_does_not_replace_a_provinces_own_version(agri_org, approve, people):
    approve(agri_org)
    services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    own = scheme_edit(
        scheme=Scheme.objects.get(code=TT09, active=True), actor=people.admin, criteria=FILL[TT09]
    )
    data = copy.deepcopy(load_fixture())
    confirm_criterion_3(data)
    schemes_load(data=data)
    assert Scheme.objects.get(code=TT09, active=True) == own
    assert Scheme.objects.filter(code=TT09).count() == 3


# Choosing a scheme ------------------------------------------------------------------------------------------


def test_the_scheme_is_chosen_by_kind_and_sector(make_org, agri_org, trade_org):
    assert scheme_for(agri_org).code == TT09
    assert scheme_for(trade_org).code == TT01
    assert scheme_for(make_org("LH HTX Nông sản Lai Châu", kind="lhhtx", code="6201000009")).code == TT01
    assert scheme_for(make_org("Tổ hợp tác rau", kind="tht")) is None
    assert scheme_for(make_org("Quỹ tín dụng nhân dân Than Uyên", kind="qtdnd", code="6201000010")) is None


def test_a_province_may_rate_its_agricultural_cooperatives_with_the_general_scheme(
    agri_org, other_org, people, units
):
    scheme_choose(
        unit=units.lai_chau,
        sector=Sector.objects.get(code="nong-nghiep"),
        scheme_code=TT01,
        actor=people.admin,
    )
    assert scheme_for(agri_org).code == TT01 and scheme_for(other_org).code == TT01
    with pytest.raises(PermissionDenied):
        scheme_choose(unit=units.lai_chau, sector=None, scheme_code=TT09, actor=people.province)
    with pytest.raises(ValidationError):
        scheme_choose(unit=units.xa_than_uyen, sector=None, scheme_code=TT01, actor=people.admin)
    assert SchemeChoice.objects.count() == 1


def test_a_provinces_choice_does_not_reach_another_province(make_org, people, units):
    scheme_choose(unit=units.dien_bien, sector=None, scheme_code=TT01, actor=people.admin)
    org = make_org("HTX Chè Mường Kim")
    assert scheme_for(org).code == TT09


def test_inside_schemes_unchanged_a_scheme_version_is_read_once_and_outside_at_every_call(
    db, django_assert_num_queries
):
    from hoptac.scoring.models import Scheme
    from hoptac.scoring.rules import load_scheme, schemes_unchanged

    scheme = Scheme.objects.get(code=TT09, active=True)
    with django_assert_num_queries(6):  # criteria, thresholds and rules, at each call
        load_scheme(scheme)
        load_scheme(scheme)
    with schemes_unchanged(), django_assert_num_queries(3):
        first, again = load_scheme(scheme), load_scheme(scheme)
        assert again is first and [c.number for c in first.criteria][:2] == ["1", "1.1"]
    with django_assert_num_queries(3):  # the block is over: read afresh
        load_scheme(scheme)
