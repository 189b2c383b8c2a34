"""Writes of support records, loans, repayments and the Farmers' Union's counts: rules, scope, history."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from hoptac.support import services
from hoptac.support.loans import position
from hoptac.support.models import Loan, Repayment, SupportRecord, UnionActivity

D = Decimal


@pytest.fixture
def org(make_org):
    return make_org("HTX Chè Than Uyên")


def messages_of(err: ValidationError) -> dict[str, list[str]]:
    return {k: [str(m) for m in ValidationError(v).messages] for k, v in err.error_dict.items()}


# -- support records --------------------------------------------------------------------------------------


def test_a_commune_officer_records_money_support_and_the_history_names_him(org, people, topics):
    record = services.support_record_create(
        actor=people.commune,
        organisation=org,
        topic=topics["trade-promotion"],
        given_on=datetime.date(2024, 9, 5),
        form="money",
        amount=D("25.5"),
        programme="Hội chợ nông sản Lai Châu 2024",
    )
    assert record.value == D("25.5") and record.recorded_by == people.commune
    assert record.history.get().history_user == people.commune


def test_support_in_kind_needs_a_description_and_takes_an_estimated_value_not_an_amount(org, people, topics):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        services.support_record_create(
            actor=people.admin,
            organisation=org,
            topic=topics["technology"],
            given_on=datetime.date(2024, 1, 2),
            form="in_kind",
            amount=D("5"),
        )
    msgs = messages_of(err.value)
    assert "in_kind_description" in msgs and "amount" in msgs
    assert "estimated value" in msgs["amount"][0]
    record = services.support_record_create(
        actor=people.admin,
        organisation=org,
        topic=topics["technology"],
        given_on=datetime.date(2024, 1, 2),
        form="in_kind",
        in_kind_description="01 máy sấy chè",
        estimated_value=D("80"),
    )
    assert record.value == D("80")


def test_money_support_needs_a_positive_amount(org, people, topics):
    with pytest.raises(ValidationError) as err:
        services.support_record_create(
            actor=people.admin,
            organisation=org,
            topic=topics["training"],
            given_on=datetime.date(2024, 1, 2),
            form="money",
            amount=D("0"),
        )
    assert "amount" in err.value.error_dict
    assert not SupportRecord.objects.exists()


def test_support_cannot_be_dated_in_the_future_or_after_the_organisation_ended(org, people, topics):
    from hoptac.registry.services import organisation_change_status

    future = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        services.support_record_create(
            actor=people.admin,
            organisation=org,
            topic=topics["training"],
            given_on=future,
            form="money",
            amount=D(1),
        )
    assert "given_on" in err.value.error_dict
    organisation_change_status(
        org=org,
        actor=people.admin,
        status="dissolved",
        effective_on=datetime.date(2024, 6, 30),
        decision_number="5/QĐ",
    )
    org.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError) as err:
        services.support_record_create(
            actor=people.admin,
            organisation=org,
            topic=topics["training"],
            given_on=datetime.date(2024, 7, 1),
            form="money",
            amount=D(1),
        )
    assert "ended on 30/06/2024" in messages_of(err.value)["given_on"][0]


def test_a_farmers_union_topic_is_not_support_to_an_organisation(org, people, topics):
    with pytest.raises(ValidationError) as err:
        services.support_record_create(
            actor=people.admin,
            organisation=org,
            topic=topics["union-staff"],
            given_on=datetime.date(2024, 1, 2),
            form="money",
            amount=D(1),
        )
    assert "topic" in err.value.error_dict


def test_an_agency_merged_away_cannot_give_support_after_its_end(org, people, topics, units):
    from hoptac.programme.models import Agency

    new = people.agency
    old = Agency.objects.create(
        code="so-khdt",
        name="Sở Kế hoạch và Đầu tư",
        unit=units.lai_chau,
        valid_to=datetime.date(2025, 2, 28),
        successor=new,
    )
    with translation.override("en"), pytest.raises(ValidationError) as err:
        services.support_record_create(
            actor=people.admin,
            organisation=org,
            topic=topics["founding"],
            given_on=datetime.date(2025, 5, 1),
            form="money",
            amount=D(1),
            agency=old,
        )
    assert new.name in messages_of(err.value)["agency"][0]


@pytest.mark.parametrize("who", ["other_commune", "district_viewer", "agency_officer"])
def test_users_who_may_not_write_there_cannot_record_support(org, people, topics, who):
    with pytest.raises(PermissionDenied):
        services.support_record_create(
            actor=getattr(people, who),
            organisation=org,
            topic=topics["training"],
            given_on=datetime.date(2024, 1, 2),
            form="money",
            amount=D(1),
        )
    assert not SupportRecord.objects.exists()


def test_a_deleted_record_stays_in_the_history(org, people, record):
    r = record(org)
    pk = r.pk
    services.support_record_update(record=r, actor=people.commune, amount=D("12"))
    services.support_record_delete(record=r, actor=people.commune)
    assert not SupportRecord.objects.exists()
    kinds = list(
        SupportRecord.history.filter(id=pk).order_by("history_date").values_list("history_type", flat=True)
    )
    assert kinds == ["+", "~", "-"]


# -- loans ------------------------------------------------------------------------------------------------


def test_loan_create_checks_its_terms_naming_each_field(org, people):
    with pytest.raises(ValidationError) as err:
        services.loan_create(
            actor=people.admin,
            organisation=org,
            amount=D("-1"),
            disbursed_on=datetime.date(2024, 1, 1),
            term_months=0,
            interest_rate=D("120"),
            purpose="",
        )
    assert {"amount", "term_months", "interest_rate", "purpose"} <= set(err.value.error_dict)
    assert not Loan.objects.exists()


def test_repaying_more_than_outstanding_is_refused_naming_the_principal_and_nothing_is_written(
    org, loan, repay
):
    lo = loan(org, D("100"), datetime.date(2024, 1, 10))
    repay(lo, datetime.date(2024, 4, 10), D("70"))
    history_before = Repayment.history.count()
    with translation.override("en"), pytest.raises(ValidationError) as err:
        repay(lo, datetime.date(2024, 7, 10), D("30.5"), D("1"))
    message = messages_of(err.value)["principal"][0]
    assert "30.5" in message and "30 million VND" in message and "outstanding" in message
    assert Repayment.objects.filter(loan=lo).count() == 1
    assert Repayment.history.count() == history_before
    lo.refresh_from_db()
    assert lo.closed_on is None


def test_overpayment_message_is_vietnamese_by_default(org, loan, repay):
    lo = loan(org, D("100"), datetime.date(2024, 1, 10))
    with translation.override("vi"), pytest.raises(ValidationError) as err:
        repay(lo, datetime.date(2024, 4, 10), D("100.5"))
    assert "100,5" in messages_of(err.value)["principal"][0]


def test_a_repayment_cannot_come_before_the_disbursement_nor_in_the_future_nor_be_empty(org, loan, repay):
    lo = loan(org, D("100"), datetime.date(2024, 1, 10))
    for day, principal, field in (
        (datetime.date(2024, 1, 9), D(1), "paid_on"),
        (timezone.localdate() + datetime.timedelta(days=1), D(1), "paid_on"),
        (datetime.date(2024, 2, 1), D(0), "principal"),
        (datetime.date(2024, 2, 1), D(-1), "principal"),
    ):
        with pytest.raises(ValidationError) as err:
            repay(lo, day, principal)
        assert field in err.value.error_dict
    assert not Repayment.objects.exists()


def test_the_repayment_that_clears_the_principal_closes_the_loan_and_cancelling_it_reopens_it(
    org, people, loan, repay
):
    lo = loan(org, D("60"), datetime.date(2024, 1, 10))
    repay(lo, datetime.date(2024, 4, 10), D("30"))
    last = repay(lo, datetime.date(2024, 6, 1), D("30"), D("1.2"))
    lo.refresh_from_db()
    assert lo.closed_on == datetime.date(2024, 6, 1)
    assert position(lo, lo.repayments.all(), datetime.date(2024, 12, 31)).status == "repaid"
    services.repayment_cancel(repayment=last, actor=people.commune)
    lo.refresh_from_db()
    assert lo.closed_on is None


def test_status_moves_from_current_to_overdue_with_time_and_back_when_paid(org, loan, repay):
    lo = loan(org, D("120"), datetime.date(2023, 1, 15), term_months=12)
    assert position(lo, [], datetime.date(2023, 4, 15)).status == Loan.Status.CURRENT
    assert position(lo, [], datetime.date(2023, 4, 16)).status == Loan.Status.OVERDUE
    repay(lo, datetime.date(2023, 5, 2), D("30"))
    assert position(lo, lo.repayments.all(), datetime.date(2023, 5, 2)).status == Loan.Status.CURRENT
    assert position(lo, lo.repayments.all(), datetime.date(2023, 7, 16)).overdue == D(30)


def test_a_write_off_closes_the_loan_and_no_repayment_follows(org, people, loan, repay):
    lo = loan(org, D("80"), datetime.date(2023, 1, 15))
    repay(lo, datetime.date(2023, 4, 15), D("10"))
    with pytest.raises(ValidationError) as err:
        services.loan_write_off(
            loan=lo, actor=people.admin, written_off_on=datetime.date(2023, 4, 1), reason="x"
        )
    assert "written_off_on" in err.value.error_dict  # before the last repayment
    lo = services.loan_write_off(
        loan=lo,
        actor=people.province,
        written_off_on=datetime.date(2024, 9, 1),
        reason="HTX giải thể, QĐ 12/QĐ-UBND",
    )
    assert lo.closed_on == datetime.date(2024, 9, 1)
    pos = position(lo, lo.repayments.all(), datetime.date(2024, 12, 31))
    assert (pos.status, pos.written_off) == (Loan.Status.WRITTEN_OFF, D(70))
    with pytest.raises(ValidationError) as err:
        repay(lo, datetime.date(2024, 10, 1), D("5"))
    assert "paid_on" in err.value.error_dict
    with pytest.raises(ValidationError):
        services.loan_update(loan=lo, actor=people.admin, purpose="khác")


def test_a_repaid_loan_cannot_be_written_off(org, people, loan, repay):
    lo = loan(org, D("10"), datetime.date(2024, 1, 15))
    repay(lo, datetime.date(2024, 2, 1), D("10"))
    with pytest.raises(ValidationError):
        services.loan_write_off(
            loan=lo, actor=people.admin, written_off_on=datetime.date(2024, 3, 1), reason="x"
        )


def test_the_amount_of_a_loan_cannot_be_corrected_below_what_was_repaid(org, people, loan, repay):
    lo = loan(org, D("100"), datetime.date(2024, 1, 15))
    repay(lo, datetime.date(2024, 4, 15), D("40"))
    with pytest.raises(ValidationError) as err:
        services.loan_update(loan=lo, actor=people.commune, amount=D("30"))
    assert "amount" in err.value.error_dict
    lo = services.loan_update(loan=lo, actor=people.commune, amount=D("40"))
    assert lo.closed_on == datetime.date(2024, 4, 15)  # now repaid in full


def test_another_communes_officer_cannot_record_a_repayment(org, people, loan, repay):
    lo = loan(org)
    with pytest.raises(PermissionDenied):
        repay(lo, datetime.date(2023, 4, 1), D("1"), actor=people.other_commune)


# -- Farmers' Union counts -------------------------------------------------------------------------------------


def test_a_union_count_resolves_the_paths_of_its_unit(people, topics, units):
    a = services.union_activity_create(
        actor=people.province, unit=units.tt_than_uyen, year=2024, topic=topics["households-joined"], count=35
    )
    assert a.legacy_path == units.tt_than_uyen.path and a.current_path == units.xa_than_uyen.path


def test_the_same_count_twice_for_a_unit_and_year_is_refused(people, topics, units):
    services.union_activity_create(
        actor=people.commune, unit=units.xa_than_uyen, year=2025, topic=topics["union-staff"], count=4
    )
    with pytest.raises(ValidationError) as err:
        services.union_activity_create(
            actor=people.commune, unit=units.xa_than_uyen, year=2025, topic=topics["union-staff"], count=5
        )
    assert "topic" in err.value.error_dict
    assert UnionActivity.objects.count() == 1


def test_a_part_cannot_exceed_its_whole_for_the_same_unit_and_year(people, topics, units):
    whole = services.union_activity_create(
        actor=people.commune, unit=units.xa_than_uyen, year=2025, topic=topics["union-staff"], count=4
    )
    with translation.override("en"), pytest.raises(ValidationError) as err:
        services.union_activity_create(
            actor=people.commune,
            unit=units.xa_than_uyen,
            year=2025,
            topic=topics["union-staff-trained"],
            count=5,
        )
    assert "more than the 4" in messages_of(err.value)["count"][0]
    services.union_activity_create(
        actor=people.commune, unit=units.xa_than_uyen, year=2025, topic=topics["union-staff-trained"], count=3
    )
    with pytest.raises(ValidationError):
        services.union_activity_update(activity=whole, actor=people.commune, count=2)


def test_a_union_count_outside_the_officers_area_is_refused(people, topics, units):
    with pytest.raises(ValidationError) as err:
        services.union_activity_create(
            actor=people.commune, unit=units.xa_tan_uyen, year=2025, topic=topics["union-staff"], count=4
        )
    assert "unit" in err.value.error_dict
    with pytest.raises(PermissionDenied):
        services.union_activity_create(
            actor=people.district_viewer,
            unit=units.tt_than_uyen,
            year=2024,
            topic=topics["union-staff"],
            count=4,
        )
    assert not UnionActivity.objects.exists()


def test_topics_load_twice_changes_nothing(topics):
    from hoptac.support.models import SupportTopic

    before = list(SupportTopic.objects.order_by("code").values_list("code", "kind", "part_of__code"))
    services.topics_load()
    assert list(SupportTopic.objects.order_by("code").values_list("code", "kind", "part_of__code")) == before
    assert ("union-staff-trained", "union", "union-staff") in before
