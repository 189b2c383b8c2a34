"""`resolve_unit` and `search_units`: what each form a user may type resolves to, and what stays ambiguous."""

import pytest

from hoptac.units.models import Unit
from hoptac.units.services import UnitLookupError, resolve_unit, search_units

THAN_UYEN_THREE = {"commune:03595", "legacy-district:110", "legacy-commune:03595"}


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("district:110", "legacy-district:110"),
        ("legacy-district:110", "legacy-district:110"),
        ("huyen:110", "legacy-district:110"),
        ("commune:03595", "commune:03595"),
        ("commune:3595", "commune:03595"),
        ("Commune : 3595", "commune:03595"),
        ("legacy-commune:03595", "legacy-commune:03595"),
        ("legacy-commune:3595", "legacy-commune:03595"),
        ("province:12", "province:12"),
        ("legacy-province:12", "legacy-province:12"),
        ("12", "province:12"),
        # No current unit has these codes: the legacy one answers.
        ("62", "legacy-province:62"),
        ("province:62", "legacy-province:62"),
        ("commune:03619", "legacy-commune:03619"),
        # Exact full names, accents and case optional.
        ("Huyện Than Uyên", "legacy-district:110"),
        ("huyen than uyen", "legacy-district:110"),
        ("Xã Than Uyên", "commune:03595"),
        ("XA THAN UYEN", "commune:03595"),
        ("Thị trấn Than Uyên", "legacy-commune:03595"),
        # A name at a level given before the colon.
        ("district:Than Uyên", "legacy-district:110"),
        # What the units datalist puts in the field.
        ("Xã Than Uyên (commune:03595)", "commune:03595"),
        # A name that narrows by the units above it.
        ("Xã Tân Lập, Phú Thọ", "legacy-commune:08641"),
    ],
)
def test_each_accepted_form_resolves_to_its_unit(db, typed, key):
    assert resolve_unit(typed).key == key


def test_key_printed_by_a_unit_resolves_back_to_it(units):
    for unit in (units.lai_chau, units.legacy_lai_chau, units.than_uyen_district, units.tt_than_uyen):
        assert resolve_unit(unit.key) == unit


def test_than_uyen_alone_is_ambiguous_between_three_units(db):
    with pytest.raises(UnitLookupError) as caught:
        resolve_unit("than uyen")
    assert {u.key for u in caught.value.candidates} == THAN_UYEN_THREE


def test_legacy_province_gives_way_to_the_current_one_it_became_under_the_same_name(db):
    assert resolve_unit("Tỉnh Lai Châu").key == "province:12"
    assert resolve_unit("Hà Nội").key == "province:01"


def test_lai_chau_alone_stays_ambiguous_because_of_the_former_city(db):
    with pytest.raises(UnitLookupError) as caught:
        resolve_unit("Lai Châu")
    keys = [u.key for u in caught.value.candidates]
    assert keys[0] == "province:12"
    assert "legacy-district:105" in keys  # Thành phố Lai Châu


def test_same_name_in_both_eras_without_succession_stays_ambiguous(db):
    # Legacy Xã Mường Than (03619) merged into Xã Than Uyên; the current Xã Mường Than (03618) is another place.
    with pytest.raises(UnitLookupError) as caught:
        resolve_unit("Xã Mường Than")
    assert {u.key for u in caught.value.candidates} == {"commune:03618", "legacy-commune:03619"}


def test_queryset_narrows_the_candidates(db):
    current = Unit.objects.filter(era=Unit.Era.CURRENT)
    assert resolve_unit("than uyen", queryset=current).key == "commune:03595"
    with pytest.raises(UnitLookupError):
        resolve_unit("district:110", queryset=current)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "zzzz qqqq",
        "commune:99999",
        "999",
        "current-district:110",
        "canton:12",
        "Xã Tân Lập, Hà Giang, Lai Châu",
    ],
)
def test_nothing_resolves_with_a_message_and_no_candidates(db, typed):
    with pytest.raises(UnitLookupError) as caught:
        resolve_unit(typed)
    assert str(caught.value)
    assert caught.value.candidates == []


def test_search_is_accent_and_case_insensitive(db):
    keys = {
        text: [u.key for u in search_units(text)]
        for text in ("than uyen", "THAN UYEN", "Than Uyen", "Than Uyên")
    }
    assert len({tuple(v) for v in keys.values()}) == 1
    assert set(keys["than uyen"][:3]) == THAN_UYEN_THREE


def test_search_words_match_the_beginning_of_words(db):
    names = [u.name for u in search_units("than uyen")]
    assert "Xã Thanh Uyên" in names  # "than" begins "Thanh"
    assert not any("Tuyên" in name for name in names)  # "uyen" is inside "tuyen", not at its start


def test_search_ranks_exact_full_name_first_then_current_before_legacy(db):
    assert [u.key for u in search_units("Thị trấn Than Uyên")][:1] == ["legacy-commune:03595"]
    assert [u.key for u in search_units("than uyen")][:3] == [
        "commune:03595",
        "legacy-district:110",
        "legacy-commune:03595",
    ]


def test_search_filters_by_level_and_era_and_limits(db):
    found = search_units("than uyen", level=Unit.Level.COMMUNE, era=Unit.Era.LEGACY)
    assert found[0].key == "legacy-commune:03595"
    assert {(u.level, u.era) for u in found} == {("commune", "legacy")}
    assert len(search_units("xa", limit=7)) == 7


def test_search_costs_one_query_with_parents_loaded(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = search_units("xa", limit=30)
        labels = [u.label_with_parents() for u in found]
    assert len(labels) == 30


def test_search_within_an_officers_visible_units_reaches_the_legacy_units_of_his_province(people):
    from hoptac.accounts.access import visible_units

    keys = [u.key for u in search_units("than uyen", queryset=visible_units(people.province))]
    assert set(keys[:3]) == THAN_UYEN_THREE
    assert len(keys) == len(set(keys))
    other = [u.key for u in search_units("than uyen", queryset=visible_units(people.other_province))]
    assert not set(other) & THAN_UYEN_THREE
