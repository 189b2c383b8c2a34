"""Registry services: founding-date corrections, kinds and union memberships, and what each refuses."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from hoptac.registry.models import Organisation, Status, UnionMembership
from hoptac.registry.services import (
    organisation_change_status,
    organisation_create,
    organisation_set_archived,
    organisation_update,
    union_membership_add,
    union_membership_end,
)

pytestmark = pytest.mark.usefixtures("english")  # the tests read messages in English


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# Founding date and the status history.


def test_correcting_the_founding_date_moves_the_registration_entry_with_it(make_org, people):
    org = make_org(founded_on=datetime.date(2018, 3, 1))
    organisation_update(org=org, actor=people.commune, founded_on=datetime.date(2017, 11, 20))
    registration = org.status_changes.get()
    assert registration.effective_on == datetime.date(2017, 11, 20)


def test_a_founding_date_after_a_later_status_change_is_refused(make_org, people):
    org = make_org(founded_on=datetime.date(2018, 3, 1))
    organisation_change_status(
        org=org, actor=people.commune, status=Status.SUSPENDED, effective_on=datetime.date(2020, 5, 1)
    )
    with pytest.raises(ValidationError) as err:
        organisation_update(org=org, actor=people.commune, founded_on=datetime.date(2021, 1, 1))
    assert "01/05/2020" in errors_of(err)["founded_on"][0]
    org.refresh_from_db()
    assert org.founded_on == datetime.date(2018, 3, 1)
    assert org.status_changes.order_by("effective_on").first().effective_on == datetime.date(2018, 3, 1)


def test_an_organisation_founded_after_the_reform_cannot_sit_in_a_legacy_commune(people, units, make_org):
    with pytest.raises(ValidationError) as err:
        make_org(unit=units.tt_than_uyen, founded_on=datetime.date(2025, 8, 1))
    assert set(errors_of(err)) == {"unit"}
    assert not Organisation.objects.exists()


def test_a_commune_officer_cannot_create_outside_his_commune_and_nothing_is_written(people, units, make_org):
    with pytest.raises(ValidationError) as err:
        make_org(unit=units.xa_tan_uyen, actor=people.commune)
    assert set(errors_of(err)) == {"unit"}
    assert not Organisation.objects.exists()


def test_roles_that_cannot_write_are_refused_by_every_registry_service(people, make_org):
    org = make_org()
    for actor in (people.district_viewer, people.agency_officer):
        with pytest.raises(PermissionDenied):
            organisation_create(actor=actor, name="HTX Lén", kind="htx", sector=org.sector, unit=org.unit)
        with pytest.raises(PermissionDenied):
            organisation_update(org=org, actor=actor, name="HTX Lén")
        with pytest.raises(PermissionDenied):
            organisation_set_archived(org=org, actor=actor, archived=True)
    assert Organisation.objects.count() == 1 and org.history.count() == 1


def test_organisation_change_status_refuses_an_unknown_status(make_org, people):
    org = make_org()
    with pytest.raises(ValidationError) as err:
        organisation_change_status(
            org=org, actor=people.commune, status="merged", effective_on=datetime.date(2024, 1, 1)
        )
    assert set(errors_of(err)) == {"status"}


# Union memberships.


@pytest.fixture
def union(make_org):
    return make_org("Liên hiệp HTX Than Uyên", kind="lhhtx", founded_on=datetime.date(2020, 1, 1))


def test_a_cooperative_and_a_credit_fund_can_join_a_union(union, make_org, people):
    coop = make_org("HTX Thành Viên")
    fund = make_org("Quỹ TDND Than Uyên", kind="qtdnd")
    union_membership_add(union=union, member=coop, actor=people.commune, joined_on=datetime.date(2021, 1, 5))
    union_membership_add(union=union, member=fund, actor=people.commune)
    assert set(union.memberships.values_list("member__name", flat=True)) == {
        "HTX Thành Viên",
        "Quỹ TDND Than Uyên",
    }


def test_only_a_union_takes_members(make_org, people):
    coop, other = make_org("HTX A"), make_org("HTX B")
    with pytest.raises(ValidationError) as err:
        union_membership_add(union=coop, member=other, actor=people.commune)
    assert set(errors_of(err)) == {"union"}
    assert not UnionMembership.objects.exists()


@pytest.mark.parametrize("kind", ["tht", "lhhtx"])
def test_a_group_or_a_union_cannot_be_a_member(union, make_org, people, kind):
    other = make_org("Khác", kind=kind)
    with pytest.raises(ValidationError) as err:
        union_membership_add(union=union, member=other, actor=people.commune)
    assert set(errors_of(err)) == {"member"}
    assert not UnionMembership.objects.exists()


def test_a_member_cannot_join_the_same_union_twice(union, make_org, people):
    coop = make_org("HTX Hai Lần")
    union_membership_add(union=union, member=coop, actor=people.commune)
    with pytest.raises(ValidationError) as err:
        union_membership_add(union=union, member=coop, actor=people.commune)
    assert "already a member" in errors_of(err)["member"][0]
    assert UnionMembership.objects.count() == 1


def test_a_commune_officer_cannot_add_a_member_from_another_commune(union, make_org, people, units):
    far = make_org("HTX Tân Uyên", unit=units.xa_tan_uyen)
    with pytest.raises(ValidationError) as err:
        union_membership_add(union=union, member=far, actor=people.commune)
    assert set(errors_of(err)) == {"member"}
    assert not UnionMembership.objects.exists()


def test_a_province_officer_can_add_a_member_from_any_commune_of_his_province(union, make_org, people, units):
    far = make_org("HTX Tân Uyên", unit=units.xa_tan_uyen)
    union_membership_add(union=union, member=far, actor=people.province)
    assert union.memberships.get().member == far


def test_a_viewer_cannot_add_members(union, make_org, people):
    coop = make_org("HTX C")
    with pytest.raises(PermissionDenied):
        union_membership_add(union=union, member=coop, actor=people.district_viewer)
    assert not UnionMembership.objects.exists()


def test_joining_dates_before_founding_or_in_the_future_are_refused(union, make_org, people):
    coop = make_org("HTX D", founded_on=datetime.date(2019, 1, 1))
    for day, words in [
        (datetime.date(2019, 6, 1), "before Liên hiệp HTX Than Uyên was founded"),
        (timezone.localdate() + datetime.timedelta(days=1), "future"),
    ]:
        with pytest.raises(ValidationError) as err:
            union_membership_add(union=union, member=coop, actor=people.commune, joined_on=day)
        assert words in errors_of(err)["joined_on"][0]
    assert not UnionMembership.objects.exists()


def test_a_dissolved_cooperative_cannot_join(union, make_org, people):
    coop = make_org("HTX Đã Giải Thể")
    organisation_change_status(
        org=coop,
        actor=people.commune,
        status=Status.DISSOLVED,
        effective_on=datetime.date(2023, 1, 1),
        decision_number="1/QĐ",
    )
    coop.refresh_from_db()
    with pytest.raises(ValidationError) as err:
        union_membership_add(union=union, member=coop, actor=people.commune)
    assert set(errors_of(err)) == {"member"}


def test_ending_a_membership_keeps_it_with_its_end_date_and_only_once(union, make_org, people):
    coop = make_org("HTX E")
    membership = union_membership_add(
        union=union, member=coop, actor=people.commune, joined_on=datetime.date(2021, 1, 1)
    )
    with pytest.raises(ValidationError):
        union_membership_end(membership=membership, actor=people.commune, left_on=datetime.date(2020, 12, 31))
    union_membership_end(membership=membership, actor=people.commune, left_on=datetime.date(2024, 3, 1))
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2024, 3, 1)
    with pytest.raises(ValidationError) as err:
        union_membership_end(membership=membership, actor=people.commune)
    assert "already left" in errors_of(err)["left_on"][0]
    # Having left, it is not recorded as joining again (one row per union and member).
    with pytest.raises(ValidationError):
        union_membership_add(union=union, member=coop, actor=people.commune)


def test_a_union_with_members_stays_a_union_and_a_member_stays_a_cooperative(union, make_org, people):
    coop = make_org("HTX F")
    membership = union_membership_add(union=union, member=coop, actor=people.commune)
    with pytest.raises(ValidationError) as err:
        organisation_update(org=union, actor=people.commune, kind="htx")
    assert set(errors_of(err)) == {"kind"}
    with pytest.raises(ValidationError) as err:
        organisation_update(org=coop, actor=people.commune, kind="tht")
    assert set(errors_of(err)) == {"kind"}
    union_membership_end(membership=membership, actor=people.commune)
    organisation_update(org=coop, actor=people.commune, kind="tht")
    coop.refresh_from_db()
    assert coop.kind == "tht"
