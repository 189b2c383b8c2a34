"""The workflow services: each role, each transition allowed and refused, the lost update, bulk approval."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hoptac.returns import access, services
from hoptac.returns.models import AnnualReturn

from .conftest import GOOD, YEAR

Status = AnnualReturn.Status


def fresh(ret):
    return AnnualReturn.objects.get(pk=ret.pk)


# Roles ------------------------------------------------------------------------------------------


def test_representative_enters_and_submits_his_own_return(org, rep):
    ret, created = services.return_create_or_get(organisation=org, year=YEAR, actor=rep)
    assert created and ret.status == Status.DRAFT and ret.version == 0
    ret, warnings = services.return_save(ret=ret, actor=rep, data=GOOD, expected_version=0)
    assert warnings == [] and ret.version == 1 and ret.workers == 6
    ret = services.return_submit(ret=ret, actor=rep)
    assert fresh(ret).status == Status.SUBMITTED and fresh(ret).submitted_by == rep


def test_representative_cannot_approve_send_back_or_reopen(org, rep, make_return):
    submitted = make_return(org, "submitted")
    with pytest.raises(PermissionDenied):
        services.return_approve(ret=submitted, actor=rep)
    with pytest.raises(PermissionDenied):
        services.return_send_back(ret=submitted, actor=rep, reason="x")
    approved = make_return(org, "approved", year=YEAR - 1)
    with pytest.raises(PermissionDenied):
        services.return_reopen(ret=approved, actor=rep, reason="x")
    assert fresh(submitted).status == Status.SUBMITTED and fresh(approved).status == Status.APPROVED


def test_representative_cannot_enter_another_organisations_return(other_org, rep):
    with pytest.raises(PermissionDenied):
        services.return_create_or_get(organisation=other_org, year=YEAR, actor=rep)
    assert not AnnualReturn.objects.filter(organisation=other_org).exists()


def test_commune_officer_enters_submits_and_approves_under_his_commune(org, people):
    officer = people.commune
    ret, _ = services.return_create_or_get(organisation=org, year=YEAR, actor=officer)
    ret, _ = services.return_save(ret=ret, actor=officer, data=GOOD, expected_version=ret.version)
    ret = services.return_submit(ret=ret, actor=officer)
    ret = services.return_approve(ret=ret, actor=officer)
    assert fresh(ret).status == Status.APPROVED and fresh(ret).approved_by == officer


def test_commune_officer_cannot_touch_another_communes_return(other_org, people, make_return):
    ret = make_return(other_org, "submitted")
    with pytest.raises(PermissionDenied):
        services.return_approve(ret=ret, actor=people.commune)
    with pytest.raises(PermissionDenied):
        services.return_save(ret=ret, actor=people.commune, data={"workers": 1}, expected_version=ret.version)
    assert fresh(ret).status == Status.SUBMITTED and fresh(ret).version == ret.version


def test_province_officer_approves_anything_in_the_province_but_not_elsewhere(
    org, other_org, people, make_return
):
    a, b = make_return(org, "submitted"), make_return(other_org, "submitted")
    services.return_approve(ret=a, actor=people.province)
    services.return_approve(ret=b, actor=people.province)
    c = make_return(org, "submitted", year=YEAR - 1)
    with pytest.raises(PermissionDenied):
        services.return_approve(ret=c, actor=people.other_province)
    assert [fresh(r).status for r in (a, b, c)] == [Status.APPROVED, Status.APPROVED, Status.SUBMITTED]


@pytest.mark.parametrize("who", ["district_viewer", "agency_officer"])
def test_viewers_and_agency_officers_read_but_never_write(who, org, people, make_return):
    user = getattr(people, who)
    ret = make_return(org, "submitted")
    assert access.visible_returns(user).filter(pk=ret.pk).exists()
    with pytest.raises(PermissionDenied):
        services.return_create_or_get(organisation=org, year=YEAR - 1, actor=user)
    with pytest.raises(PermissionDenied):
        services.return_approve(ret=ret, actor=user)
    with pytest.raises(PermissionDenied):
        services.return_send_back(ret=ret, actor=user, reason="x")
    assert fresh(ret).status == Status.SUBMITTED


def test_visible_returns_follow_the_organisation_scope(org, other_org, people, rep, make_return):
    mine, theirs = make_return(org), make_return(other_org)
    assert set(access.visible_returns(people.commune)) == {mine}
    assert set(access.visible_returns(rep)) == {mine}
    assert set(access.visible_returns(people.province)) == {mine, theirs}
    assert set(access.visible_returns(people.other_province)) == set()


def test_get_return_for_user_is_404_out_of_scope_and_for_readers_who_write(
    org, other_org, people, make_return
):
    from django.http import Http404

    mine, theirs = make_return(org), make_return(other_org)
    assert access.get_return_for_user(people.commune, mine.pk, write=True) == mine
    with pytest.raises(Http404):
        access.get_return_for_user(people.commune, theirs.pk)
    assert access.get_return_for_user(people.district_viewer, mine.pk) == mine
    with pytest.raises(Http404):
        access.get_return_for_user(people.district_viewer, mine.pk, write=True)


def test_can_approve_by_role_and_scope(org, other_org, people, rep, make_return):
    mine, theirs = make_return(org), make_return(other_org)
    assert access.can_approve(people.commune, mine) and not access.can_approve(people.commune, theirs)
    assert access.can_approve(people.province, theirs)
    assert not access.can_approve(rep, mine)
    assert not access.can_approve(people.district_viewer, mine)


# Transitions ------------------------------------------------------------------------------------


def test_full_cycle_submit_send_back_correct_resubmit_approve(org, rep, people):
    ret, _ = services.return_create_or_get(organisation=org, year=YEAR, actor=rep)
    ret, _ = services.return_save(ret=ret, actor=rep, data=GOOD, expected_version=ret.version)
    ret = services.return_submit(ret=ret, actor=rep)
    ret = services.return_send_back(ret=ret, actor=people.commune, reason="  Thiếu thu nhập thành viên  ")
    assert ret.status == Status.RETURNED and ret.returned_reason == "Thiếu thu nhập thành viên"
    ret, _ = services.return_save(
        ret=ret, actor=rep, data={"income_member": 35}, expected_version=ret.version
    )
    assert ret.status == Status.RETURNED  # still sent back until submitted again
    ret = services.return_submit(ret=ret, actor=rep)
    ret = services.return_approve(ret=ret, actor=people.commune)
    ret = fresh(ret)
    assert ret.status == Status.APPROVED and ret.income_member == 35 and ret.version == 6
    reasons = list(
        ret.history.order_by("history_id").values_list("history_change_reason", "history_user__username")
    )
    assert reasons == [
        ("create", "giamdoc"),
        ("save", "giamdoc"),
        ("submit", "giamdoc"),
        ("send_back", "thanuyen"),
        ("save", "giamdoc"),
        ("submit", "giamdoc"),
        ("approve", "thanuyen"),
    ]


def test_submitting_twice_is_refused(org, make_return, people):
    ret = make_return(org, "submitted")
    with pytest.raises(services.TransitionError, match="already been submitted"):
        services.return_submit(ret=ret, actor=people.commune)


def test_submitting_an_approved_return_is_refused(org, make_return, people):
    ret = make_return(org, "approved")
    with pytest.raises(services.TransitionError, match="approved"):
        services.return_submit(ret=ret, actor=people.commune)


@pytest.mark.parametrize("state", ["draft", "returned", "approved"])
def test_only_a_submitted_return_can_be_approved(state, org, make_return, people):
    ret = make_return(org, state)
    with pytest.raises(services.TransitionError):
        services.return_approve(ret=ret, actor=people.province)
    assert fresh(ret).status == state


@pytest.mark.parametrize("state", ["draft", "returned", "approved"])
def test_only_a_submitted_return_can_be_sent_back(state, org, make_return, people):
    ret = make_return(org, state)
    with pytest.raises(services.TransitionError, match="Only a submitted return"):
        services.return_send_back(ret=ret, actor=people.province, reason="x")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_sending_back_needs_a_reason(reason, org, make_return, people):
    ret = make_return(org, "submitted")
    with pytest.raises(ValidationError) as err:
        services.return_send_back(ret=ret, actor=people.commune, reason=reason)
    assert "reason" in err.value.message_dict
    assert fresh(ret).status == Status.SUBMITTED


@pytest.mark.parametrize("state", ["draft", "submitted", "returned"])
def test_only_an_approved_return_can_be_reopened(state, org, make_return, people):
    ret = make_return(org, state)
    with pytest.raises(services.TransitionError, match="Only an approved return"):
        services.return_reopen(ret=ret, actor=people.province, reason="Sai doanh thu")


def test_reopening_needs_a_reason_and_makes_a_draft_again(org, make_return, people):
    ret = make_return(org, "approved")
    with pytest.raises(ValidationError) as err:
        services.return_reopen(ret=ret, actor=people.province, reason="")
    assert "reason" in err.value.message_dict and fresh(ret).status == Status.APPROVED
    ret = services.return_reopen(ret=ret, actor=people.province, reason="Sai doanh thu")
    ret = fresh(ret)
    assert (
        ret.status == Status.DRAFT
        and ret.reopened_reason == "Sai doanh thu"
        and ret.reopened_by == people.province
    )
    assert ret.approved_at is None and ret.is_editable


@pytest.mark.parametrize(
    ("state", "message"), [("submitted", "has been submitted"), ("approved", "approved and locked")]
)
def test_figures_cannot_change_once_submitted_or_approved(state, message, org, make_return, people):
    ret = make_return(org, state)
    with pytest.raises(services.TransitionError, match=message):
        services.return_save(ret=ret, actor=people.admin, data={"workers": 7}, expected_version=ret.version)
    assert fresh(ret).workers == GOOD["workers"]


def test_blocking_errors_refuse_the_save_with_every_finding_and_write_nothing(org, make_return, people):
    ret = make_return(org)
    bad = {"workers": 3, "workers_members": 5, "managers": -1, "members_individual": 2}
    with pytest.raises(services.ReturnInvalidError) as err:
        services.return_save(ret=ret, actor=people.commune, data=bad, expected_version=ret.version)
    codes = {f.code for f in err.value.findings}
    assert {"workers-members-exceed-workers", "negative-values", "htx-2023-min-members"} <= codes
    assert set(err.value.message_dict) >= {"workers_members", "managers"}
    after = fresh(ret)
    assert (after.workers, after.version) == (GOOD["workers"], ret.version)
    assert after.history.count() == ret.history.count()


def test_warnings_do_not_block_and_are_returned(org, make_return, people):
    ret = make_return(org)
    ret, warnings = services.return_save(
        ret=ret,
        actor=people.commune,
        data={"members_individual": 3, "members_household": 0},
        expected_version=ret.version,
    )
    assert [w.code for w in warnings] == ["htx-2023-min-members"]
    assert fresh(ret).members_individual == 3


def test_submitting_checks_the_blocking_rules_again(org, make_return, people):
    from hoptac.returns.models import ValidationRule

    ret = make_return(org)
    # A rule added after the figures were saved catches them at submission.
    ValidationRule.objects.create(
        code="revenue-cap", severity="error", check_expression="revenue < 1000", fields="revenue",
        message_vi="x", message_en="Revenue too high.",
    )  # fmt: skip
    with pytest.raises(services.ReturnInvalidError):
        services.return_submit(ret=ret, actor=people.commune)
    assert fresh(ret).status == Status.DRAFT


# Lost update ------------------------------------------------------------------------------------


def test_second_save_from_the_same_version_is_refused_and_writes_nothing(org, people, make_return):
    ret = make_return(org, actor=people.commune)
    for n in (7, 8):
        ret, _ = services.return_save(
            ret=ret, actor=people.commune, data={"workers": n}, expected_version=ret.version
        )
    assert ret.version == 3
    first_copy, second_copy = fresh(ret), fresh(ret)  # two people load version 3

    services.return_save(
        ret=first_copy, actor=people.commune, data={"workers": 10, "revenue": 1500}, expected_version=3
    )
    history_before = ret.history.count()
    with pytest.raises(services.StaleReturnError) as err:
        services.return_save(
            ret=second_copy, actor=people.province, data={"workers": 99, "profit": 5}, expected_version=3
        )
    after = fresh(ret)
    message = err.value.messages[0]
    saved_at = timezone.localtime(after.updated_at).strftime("%H:%M")
    assert f"thanuyen changed this return at {saved_at}" in message and "reload the page" in message

    assert (after.version, after.workers, after.revenue, after.profit) == (
        4,
        10,
        Decimal("1500.0"),
        Decimal("80.0"),
    )
    assert after.updated_by == people.commune
    assert after.history.count() == history_before


def test_a_transition_from_an_outdated_page_is_refused(org, people, make_return):
    ret = make_return(org, "submitted")
    seen = ret.version
    services.return_send_back(ret=ret, actor=people.commune, reason="Thiếu số liệu")
    with pytest.raises(services.StaleReturnError):
        services.return_approve(ret=ret, actor=people.province, expected_version=seen)
    assert fresh(ret).status == Status.RETURNED


# Bulk approval ----------------------------------------------------------------------------------


def test_bulk_approval_approves_only_what_the_user_may_and_reports_the_rest(
    org, other_org, people, make_org, make_return
):
    third = make_org("HTX Rau Than Uyên")
    mine = make_return(org, "submitted")
    draft = make_return(third)
    theirs = make_return(other_org, "submitted")
    approved, refused = services.returns_approve_bulk(
        ids=[mine.pk, draft.pk, theirs.pk, 999999, "abc"], actor=people.commune
    )
    assert [r.pk for r in approved] == [mine.pk]
    reasons = {r.pk: r for r in refused}
    assert set(reasons) == {draft.pk, theirs.pk, 999999, "abc"}
    assert (
        reasons[draft.pk].organisation == "HTX Rau Than Uyên"
        and "Only a submitted return" in reasons[draft.pk].reason
    )
    assert reasons[theirs.pk].organisation == ""  # out of scope reads as missing
    assert [fresh(r).status for r in (mine, draft, theirs)] == [
        Status.APPROVED,
        Status.DRAFT,
        Status.SUBMITTED,
    ]


def test_bulk_approval_by_a_representative_approves_nothing(org, rep, make_return):
    ret = make_return(org, "submitted")
    approved, refused = services.returns_approve_bulk(ids=[ret.pk], actor=rep)
    assert approved == [] and len(refused) == 1 and "may not approve" in refused[0].reason
    assert fresh(ret).status == Status.SUBMITTED


# Creation and values ----------------------------------------------------------------------------


def test_create_or_get_returns_the_existing_return(org, people, make_return):
    ret = make_return(org)
    again, created = services.return_create_or_get(organisation=org, year=YEAR, actor=people.commune)
    assert again == ret and not created and AnnualReturn.objects.filter(organisation=org).count() == 1


def test_create_refuses_a_future_year_and_a_year_before_founding(org, people):
    with pytest.raises(ValidationError) as err:
        services.return_create_or_get(
            organisation=org, year=timezone.localdate().year + 1, actor=people.commune
        )
    assert "year" in err.value.message_dict
    with pytest.raises(ValidationError, match="founded on 01/03/2018"):
        services.return_create_or_get(organisation=org, year=2017, actor=people.commune)


def test_values_are_parsed_and_bad_ones_name_their_field(org, people, make_return):
    ret = make_return(org)
    ret, _ = services.return_save(
        ret=ret, actor=people.commune, data={"workers": "7", "revenue": "1250.5", "high_technology": "true"},
        expected_version=ret.version,
    )  # fmt: skip
    assert (ret.workers, ret.revenue, ret.high_technology) == (7, Decimal("1250.5"), True)
    with pytest.raises(ValidationError) as err:
        services.return_save(
            ret=ret, actor=people.commune, data={"workers": "bảy", "managers": Decimal("2.5"), "nonsense": 1},
            expected_version=ret.version,
        )  # fmt: skip
    errors = err.value.message_dict
    assert "workers" in errors and "managers" in errors and "Unknown field “nonsense”." in errors["__all__"]
    assert fresh(ret).workers == 7


def test_blank_values_clear_a_figure(org, people, make_return):
    ret = make_return(org)
    ret, _ = services.return_save(
        ret=ret, actor=people.commune, data={"profit": "", "notes": None}, expected_version=ret.version
    )
    assert fresh(ret).profit is None and fresh(ret).notes == ""


def test_data_period_of_thong_tu_09_2024():
    from hoptac.returns.fields import data_period

    assert data_period(2024) == (datetime.date(2023, 12, 15), datetime.date(2024, 12, 14))
