"""The scoring services: each role, each transition allowed and refused, the lost update, what a sheet rests on."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from hoptac.scoring import services
from hoptac.scoring.models import ScoreSheet

from .conftest import TT01, TT09, YEAR, manual_entries

Status = ScoreSheet.Status


def fresh(sheet):
    return ScoreSheet.objects.get(pk=sheet.pk)


def scored(org, actor, *, fill="max", points=None, fined=None, fine_note=None):
    """A draft with every criterion scored (computed from the return, the others entered)."""
    sheet, _ = services.score_compute(organisation=org, year=YEAR, actor=actor)
    extra = {} if fined is None else {"fined": fined, "fine_note": fine_note or ""}
    return services.score_save(
        sheet=sheet, actor=actor, entries=manual_entries(sheet, points, fill=fill), expected_version=sheet.version,
        **extra,
    )  # fmt: skip


# Roles ----------------------------------------------------------------------------------------------


def test_representative_scores_and_submits_his_own_cooperative(agri_org, rep, approve, complete_schemes):
    approve(agri_org)
    sheet, created = services.score_compute(organisation=agri_org, year=YEAR, actor=rep)
    assert created and sheet.status == Status.DRAFT and sheet.scheme == complete_schemes[TT09]
    lines = {line.criterion.number: line for line in sheet.lines.all()}
    assert (lines["1.1"].points, lines["1.2"].points, lines["1.3"].points) == (4, 6, 7)
    assert all(lines[n].computed for n in ("1.1", "1.2", "1.3"))
    sheet = services.score_save(
        sheet=sheet, actor=rep, entries=manual_entries(sheet), expected_version=sheet.version
    )
    # 1.1–1.3 give 4 + 6 + 7 of their 28 points; every other criterion its maximum: 100 - 28 + 17.
    assert sheet.complete and sheet.total == 89 and sheet.klass == "tot"
    sheet = services.score_submit(sheet=sheet, actor=rep)
    assert fresh(sheet).status == Status.SUBMITTED and fresh(sheet).submitted_by == rep


def test_representative_cannot_confirm_send_back_or_reopen(agri_org, rep, approve, complete_schemes, people):
    approve(agri_org)
    sheet = services.score_submit(sheet=scored(agri_org, rep), actor=rep)
    with pytest.raises(PermissionDenied):
        services.score_confirm(sheet=sheet, actor=rep)
    with pytest.raises(PermissionDenied):
        services.score_return(sheet=sheet, actor=rep, reason="x")
    sheet = services.score_confirm(sheet=sheet, actor=people.commune)
    with pytest.raises(PermissionDenied):
        services.score_reopen(sheet=sheet, actor=rep, reason="x")
    assert fresh(sheet).status == Status.CONFIRMED


def test_representative_cannot_score_another_cooperative(other_org, rep, approve, complete_schemes):
    approve(other_org)
    with pytest.raises(PermissionDenied):
        services.score_compute(organisation=other_org, year=YEAR, actor=rep)
    assert not ScoreSheet.objects.filter(organisation=other_org).exists()


def test_commune_officer_scores_submits_and_confirms_under_his_commune(
    agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    officer = people.commune
    sheet = services.score_submit(sheet=scored(agri_org, officer), actor=officer)
    sheet = services.score_confirm(sheet=sheet, actor=officer)
    assert fresh(sheet).status == Status.CONFIRMED and fresh(sheet).confirmed_by == officer


def test_commune_officer_cannot_score_or_confirm_another_communes_cooperative(
    other_org, approve, complete_schemes, people
):
    approve(other_org)
    with pytest.raises(PermissionDenied):
        services.score_compute(organisation=other_org, year=YEAR, actor=people.commune)
    sheet = services.score_submit(sheet=scored(other_org, people.other_commune), actor=people.other_commune)
    with pytest.raises(PermissionDenied):
        services.score_confirm(sheet=sheet, actor=people.commune)
    assert fresh(sheet).status == Status.SUBMITTED


def test_province_officer_scores_anything_in_his_province_and_nothing_elsewhere(
    agri_org, other_org, approve, complete_schemes, people, make_org, units
):
    for org in (agri_org, other_org):
        approve(org)
        sheet = services.score_submit(sheet=scored(org, people.province), actor=people.province)
        assert services.score_confirm(sheet=sheet, actor=people.province).status == Status.CONFIRMED
    with pytest.raises(PermissionDenied):
        services.score_compute(organisation=agri_org, year=YEAR - 1, actor=people.other_province)


@pytest.mark.parametrize("who", ["district_viewer", "agency_officer"])
def test_readers_cannot_score(agri_org, approve, complete_schemes, people, who):
    approve(agri_org)
    with pytest.raises(PermissionDenied):
        services.score_compute(organisation=agri_org, year=YEAR, actor=getattr(people, who))


# Transitions -----------------------------------------------------------------------------------------------


def test_sent_back_sheet_is_corrected_and_submitted_again(agri_org, rep, approve, complete_schemes, people):
    approve(agri_org)
    sheet = services.score_submit(sheet=scored(agri_org, rep), actor=rep)
    with pytest.raises(ValidationError) as err:
        services.score_return(sheet=sheet, actor=people.commune, reason="  ")
    assert "reason" in err.value.message_dict
    sheet = services.score_return(sheet=sheet, actor=people.commune, reason="Thiếu biên bản khen thưởng")
    assert (
        fresh(sheet).status == Status.RETURNED
        and fresh(sheet).returned_reason == "Thiếu biên bản khen thưởng"
    )
    sheet = services.score_save(
        sheet=sheet,
        actor=rep,
        entries={"5": {"points": 2, "evidence": "Giấy khen"}},
        expected_version=sheet.version,
    )
    assert services.score_submit(sheet=sheet, actor=rep).status == Status.SUBMITTED


def test_confirmed_sheet_is_locked_until_reopened_with_a_reason(agri_org, approve, complete_schemes, people):
    approve(agri_org)
    officer = people.commune
    sheet = services.score_confirm(
        sheet=services.score_submit(sheet=scored(agri_org, officer), actor=officer), actor=officer
    )
    with pytest.raises(services.TransitionError):
        services.score_save(sheet=sheet, actor=officer, entries={}, expected_version=sheet.version)
    with pytest.raises(services.TransitionError):
        services.score_compute(organisation=agri_org, year=YEAR, actor=officer)
    with pytest.raises(services.TransitionError):
        services.score_submit(sheet=sheet, actor=officer)
    with pytest.raises(ValidationError):
        services.score_reopen(sheet=sheet, actor=officer, reason="")
    sheet = services.score_reopen(sheet=sheet, actor=officer, reason="Sai điểm tiêu chí 5")
    assert fresh(sheet).status == Status.DRAFT and fresh(sheet).confirmed_by is None
    assert [h.history_change_reason for h in fresh(sheet).history.order_by("history_id")] == [
        "create", "save", "submit", "confirm", "reopen",
    ]  # fmt: skip


def test_only_a_submitted_sheet_is_confirmed_or_sent_back(agri_org, approve, complete_schemes, people):
    approve(agri_org)
    sheet = scored(agri_org, people.commune)
    with pytest.raises(services.TransitionError):
        services.score_confirm(sheet=sheet, actor=people.commune)
    with pytest.raises(services.TransitionError):
        services.score_return(sheet=sheet, actor=people.commune, reason="x")
    with pytest.raises(services.TransitionError):
        services.score_reopen(sheet=sheet, actor=people.commune, reason="x")


def test_a_save_from_an_older_version_is_refused_and_writes_nothing(
    agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    sheet = scored(agri_org, people.commune)
    old = sheet.version
    services.score_save(
        sheet=sheet,
        actor=people.province,
        entries={"5": {"points": 1, "evidence": "x"}},
        expected_version=old,
    )
    with pytest.raises(services.StaleSheetError, match="after you opened it"):
        services.score_save(
            sheet=sheet,
            actor=people.commune,
            entries={"5": {"points": 3, "evidence": "y"}},
            expected_version=old,
        )
    assert fresh(sheet).lines.get(criterion__number="5").points == 1


# What may be entered ---------------------------------------------------------------------------------------


def test_save_refuses_points_above_the_maximum_and_names_the_criterion(
    agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    with pytest.raises(ValidationError) as err:
        services.score_save(
            sheet=sheet, actor=people.commune, expected_version=sheet.version,
            entries={"1.4": {"points": 6}, "5": {"points": "nhiều"}, "1.2": {"points": 10}},
        )  # fmt: skip
    messages = err.value.message_dict
    assert "between 0 and 5" in messages["1.4"][0]
    assert "not a number" in messages["5"][0]
    assert "computed from the approved return" in messages["1.2"][0]
    assert fresh(sheet).version == sheet.version


def test_computed_criteria_read_only_the_approved_return(agri_org, approve, complete_schemes, people):
    approve(agri_org, status="submitted")
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    assert sheet.annual_return is None
    assert not sheet.lines.filter(computed=True).exists()
    # 1b of TT 01 needs last year's approved return too; 1.1–1.3 become enterable without a return.
    sheet = services.score_save(
        sheet=sheet, actor=people.commune, expected_version=sheet.version,
        entries={"1.2": {"points": 6, "evidence": "Báo cáo tài chính 2024"}},
    )  # fmt: skip
    line = sheet.lines.get(criterion__number="1.2")
    assert line.points == 6 and not line.computed


def test_submit_names_every_criterion_not_scored_or_without_evidence(
    agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    sheet = services.score_save(
        sheet=sheet,
        actor=people.commune,
        expected_version=sheet.version,
        entries={"1.4": {"points": 5, "evidence": ""}},
    )
    with pytest.raises(services.SheetIncompleteError) as err:
        services.score_submit(sheet=sheet, actor=people.commune)
    messages = err.value.message_dict
    assert "give the evidence" in messages["1.4"][0]
    assert set(messages) >= {"1.5", "2.1", "2.2", "3", "4", "5", "6"}
    assert fresh(sheet).status == Status.DRAFT


def test_no_sheet_can_be_submitted_under_a_scheme_with_blank_maxima(agri_org, approve, people):
    """The shipped TT 09 leaves criteria 3–6 blank: an administrator must enter them first."""
    approve(agri_org)
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    assert sheet.scheme.version == 1 and not sheet.complete and sheet.klass == ""
    with pytest.raises(ValidationError) as err:
        services.score_save(
            sheet=sheet, actor=people.commune, entries={"3": {"points": 5}}, expected_version=sheet.version
        )
    assert "no maximum points yet" in err.value.message_dict["3"][0]
    with pytest.raises(services.SheetIncompleteError) as err:
        services.score_submit(sheet=sheet, actor=people.commune)
    assert "without maximum points" in " ".join(err.value.message_dict["__all__"])


def test_a_fine_in_the_year_forces_weak_under_the_agricultural_scheme(
    agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    sheet = scored(agri_org, people.commune)
    assert sheet.klass == "tot" and sheet.total >= 80
    sheet = services.score_save(
        sheet=sheet, actor=people.commune, entries={}, expected_version=sheet.version, fined=True
    )
    assert sheet.klass == "yeu" and sheet.forced and sheet.total >= 80
    with pytest.raises(services.SheetIncompleteError) as err:
        services.score_submit(sheet=sheet, actor=people.commune)
    assert "fine_note" in err.value.message_dict
    sheet = services.score_save(
        sheet=sheet, actor=people.commune, entries={}, expected_version=sheet.version,
        fine_note="QĐ 12/QĐ-XPHC ngày 03/05/2024",
    )  # fmt: skip
    assert services.score_submit(sheet=sheet, actor=people.commune).klass == "yeu"


def test_a_fine_forces_nothing_under_the_general_scheme(trade_org, approve, complete_schemes, people):
    approve(trade_org)
    approve(trade_org, year=YEAR - 1)
    sheet = scored(trade_org, people.commune, fined=True, fine_note="QĐ xử phạt")
    assert sheet.scheme == complete_schemes[TT01] and sheet.klass == "tot" and not sheet.forced


def test_entered_points_survive_a_recompute_and_the_new_return_figures_are_read(
    agri_org, approve, complete_schemes, people
):
    ret = approve(agri_org)
    sheet = scored(agri_org, people.commune, points={"5": Decimal(3)})
    from hoptac.returns import services as returns

    ret = returns.return_reopen(ret=ret, actor=people.admin, reason="Doanh thu kiểm toán")
    ret, _ = returns.return_save(
        ret=ret, actor=people.admin, data={"revenue": 5200}, expected_version=ret.version
    )
    returns.return_approve(ret=returns.return_submit(ret=ret, actor=people.admin), actor=people.admin)
    sheet, created = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    lines = {line.criterion.number: line for line in sheet.lines.all()}
    assert not created and lines["1.2"].points == 8 and lines["5"].points == 3


def test_an_organisation_no_scheme_rates_is_refused(make_org, approve, people):
    group = make_org("Tổ hợp tác rau Mường Cang", kind="tht")
    approve(group)
    with pytest.raises(services.NoSchemeError):
        services.score_compute(organisation=group, year=YEAR, actor=people.commune)
