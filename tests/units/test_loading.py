from hoptac.units.models import Unit, UnitSuccession
from hoptac.units.services import unit_stats, units_load


def test_all_units_of_both_eras_are_loaded(db):
    stats = unit_stats()
    assert stats["current"] == {"province": 34, "commune": 3321}
    assert stats["legacy"] == {"province": 63, "district": 696, "commune": 10051}


def test_loading_twice_changes_nothing(db):
    before = (Unit.objects.count(), UnitSuccession.objects.count())
    report = units_load()
    assert (report.created, report.updated, report.successions_created, report.successions_deleted) == (
        0,
        0,
        0,
        0,
    )
    assert (Unit.objects.count(), UnitSuccession.objects.count()) == before


def test_legacy_commune_is_succeeded_by_current_commune(units):
    succ = UnitSuccession.objects.get(predecessor=units.tt_than_uyen)
    assert succ.successor == units.xa_than_uyen
    assert units.than_uyen_district.parent == units.legacy_lai_chau
    assert units.tt_than_uyen.path == "l12/110/03595/"
    assert units.xa_than_uyen.path == "c12/03595/"
