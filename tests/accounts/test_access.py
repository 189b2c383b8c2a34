"""The scoping rules of hoptac.accounts.access, role by role."""

import pytest
from django.http import Http404

from hoptac.accounts import access


@pytest.fixture
def orgs(make_org, units):
    class Orgs:
        than_uyen = make_org("HTX Chè Than Uyên", unit=units.xa_than_uyen, code="6201000001")
        legacy_than_uyen = make_org("HTX Vận tải Mường Than", unit=units.tt_than_uyen, code="6201000002")
        tan_uyen = make_org("HTX Rau Tân Uyên", unit=units.xa_tan_uyen, code="6201000003")
        dien_bien = make_org("HTX Lúa Điện Biên", unit=units.xa_dien_bien_commune, code="6201000004")

    return Orgs


def names(qs):
    return set(qs.values_list("name", flat=True))


def test_commune_officer_sees_only_his_commune_past_and_present(people, orgs):
    assert names(access.visible_organisations(people.commune)) == {
        "HTX Chè Than Uyên",
        "HTX Vận tải Mường Than",
    }


def test_province_officer_sees_legacy_district_organisations_of_his_province(people, orgs):
    assert names(access.visible_organisations(people.province)) == {
        "HTX Chè Than Uyên",
        "HTX Vận tải Mường Than",
        "HTX Rau Tân Uyên",
    }


def test_legacy_district_viewer_sees_organisations_of_the_former_district_only(people, orgs):
    assert names(access.visible_organisations(people.district_viewer)) == {
        "HTX Chè Than Uyên",
        "HTX Vận tải Mường Than",
    }
    assert not access.editable_organisations(people.district_viewer).exists()


def test_other_province_officer_sees_nothing_of_lai_chau(people, orgs):
    assert names(access.visible_organisations(people.other_province)) == {"HTX Lúa Điện Biên"}


def test_agency_officer_reads_his_agency_area_and_writes_nothing(people, orgs):
    assert len(names(access.visible_organisations(people.agency_officer))) == 3
    assert not access.editable_organisations(people.agency_officer).exists()


def test_cooperative_representative_sees_only_his_own_organisation(people, orgs):
    from hoptac.accounts.models import Role, User

    rep = User.objects.create_user("rep", password="pw", role=Role.COOPERATIVE, organisation=orgs.tan_uyen)
    assert names(access.visible_organisations(rep)) == {"HTX Rau Tân Uyên"}
    assert not access.editable_organisations(rep).exists()


def test_out_of_scope_and_missing_give_the_same_404(people, orgs):
    with pytest.raises(Http404):
        access.get_organisation_for_user(people.commune, orgs.tan_uyen.pk)
    with pytest.raises(Http404):
        access.get_organisation_for_user(people.commune, 10**9)
    with pytest.raises(Http404):
        access.get_organisation_for_user(people.district_viewer, orgs.than_uyen.pk, write=True)
    assert access.get_organisation_for_user(people.commune, orgs.than_uyen.pk, write=True) == orgs.than_uyen


def test_user_without_unit_sees_nothing(db, orgs):
    from hoptac.accounts.models import Role, User

    stray = User.objects.create_user("stray", password="pw", role=Role.VIEWER)
    assert not access.visible_organisations(stray).exists()


def test_inactive_user_sees_nothing(people, orgs):
    people.province.is_active = False
    assert not access.visible_organisations(people.province).exists()


def test_commune_officer_may_pick_the_legacy_commune_his_commune_succeeded(people, units):
    choices = access.visible_units(people.commune)
    assert choices.filter(pk=units.tt_than_uyen.pk).exists()
    assert choices.filter(pk=units.xa_than_uyen.pk).exists()
    assert not choices.filter(pk=units.xa_tan_uyen.pk).exists()


def test_province_officer_reaches_the_legacy_district_through_successions(people, units):
    choices = access.visible_units(people.province)
    assert choices.filter(pk=units.than_uyen_district.pk).exists()
    assert not choices.filter(pk=units.dien_bien.pk).exists()


def test_creating_an_organisation_outside_the_officer_commune_is_refused_and_writes_nothing(
    people, units, make_org
):
    from django.core.exceptions import ValidationError

    from hoptac.registry.models import Organisation

    before = Organisation.objects.count()
    with pytest.raises(ValidationError) as err:
        make_org("HTX Ngoài Phạm Vi", unit=units.xa_tan_uyen, actor=people.commune)
    assert "unit" in err.value.message_dict
    assert Organisation.objects.count() == before
