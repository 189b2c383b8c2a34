import datetime

import pytest
from django.core.exceptions import ValidationError

from hoptac.registry.models import Status
from hoptac.registry.services import organisation_change_status


def test_organisation_in_legacy_commune_resolves_to_current_commune_and_legacy_district(make_org, units):
    org = make_org(unit=units.tt_than_uyen)
    assert org.current_commune == units.xa_than_uyen
    assert org.legacy_commune == units.tt_than_uyen
    assert org.legacy_path.startswith(units.than_uyen_district.path)


def test_dissolution_ends_the_organisation_from_its_date(make_org, people):
    org = make_org()
    organisation_change_status(
        org=org,
        actor=people.admin,
        status=Status.DISSOLVED,
        effective_on=datetime.date(2023, 5, 2),
        decision_number="12/QĐ-UBND",
    )
    org.refresh_from_db()
    assert org.status == Status.DISSOLVED and org.ended_on == datetime.date(2023, 5, 2)
    assert type(org).objects.existing_on(datetime.date(2023, 5, 1)).filter(pk=org.pk).exists()
    assert not type(org).objects.existing_on(datetime.date(2023, 5, 2)).filter(pk=org.pk).exists()


def test_dissolution_before_founding_is_refused_and_writes_nothing(make_org, people):
    org = make_org(founded_on=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as err:
        organisation_change_status(
            org=org,
            actor=people.admin,
            status=Status.DISSOLVED,
            effective_on=datetime.date(2019, 1, 1),
            decision_number="1/QĐ",
        )
    assert "effective_on" in err.value.message_dict
    assert org.status_changes.count() == 1


def test_organisation_placed_at_a_legacy_district_stays_visible_to_the_current_province(
    make_org, units, people
):
    from hoptac.accounts import access

    org = make_org("HTX Chỉ Biết Huyện", unit=units.than_uyen_district, founded_on=datetime.date(2015, 1, 1))
    assert org.current_path == units.lai_chau.path
    assert org.legacy_path == units.than_uyen_district.path
    assert access.visible_organisations(people.province).filter(pk=org.pk).exists()
    assert access.visible_organisations(people.district_viewer).filter(pk=org.pk).exists()
    assert not access.visible_organisations(people.commune).filter(pk=org.pk).exists()
