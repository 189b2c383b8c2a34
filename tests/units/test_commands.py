"""`hoptac loadunits` and `hoptac units search|stats|show`, run through call_command as the console would."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from hoptac.units.management.commands.units import Command as UnitsCommand
from hoptac.units.models import Unit, UnitSuccession

EXPECTED_STATS = {
    "current": {"province": 34, "commune": 3321},
    "legacy": {"province": 63, "district": 696, "commune": 10051},
}
THAN_UYEN_THREE = {"commune:03595", "legacy-district:110", "legacy-commune:03595"}


def run(*args: str) -> tuple[str, str]:
    """Run a command in English (the msgids), returning (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as caught:
        call_command(*args, stdout=out, stderr=err)
    return caught.value.code, out.getvalue(), err.getvalue()


def test_loadunits_reports_what_it_restored_then_nothing_on_a_second_run(db):
    Unit.objects.filter(era="legacy", level="commune", code="03619").delete()  # Xã Mường Than
    Unit.objects.filter(era="current", level="commune", code="03595").update(name="Renamed")

    first, _ = run("loadunits")
    assert "Units: 1 created, 1 updated. Successions: 1 created, 0 deleted." in first
    assert Unit.objects.get(era="current", level="commune", code="03595").name == "Xã Than Uyên"
    assert UnitSuccession.objects.filter(
        predecessor__code="03619", predecessor__era="legacy", successor__code="03595"
    ).exists()

    before = (Unit.objects.count(), UnitSuccession.objects.count())
    second, _ = run("loadunits")
    assert "Units: 0 created, 0 updated. Successions: 0 created, 0 deleted." in second
    assert (Unit.objects.count(), UnitSuccession.objects.count()) == before
    for line in ("current  commune    3,321", "legacy   district     696", "legacy   commune   10,051"):
        assert line in second


def test_stats_json_after_loading_twice_has_plain_keys_and_exact_counts(db):
    run("loadunits")
    run("loadunits")
    out, _ = run("units", "stats", "--format", "json")
    stats = json.loads(out)
    assert {k: stats[k] for k in ("current", "legacy")} == EXPECTED_STATS
    assert stats["successions"] == UnitSuccession.objects.count() > 10_000
    assert list(stats) == ["current", "legacy", "successions"]
    assert "Era." not in out and "Level." not in out


def test_stats_table_lists_every_era_and_level(db):
    out, _ = run("units", "stats")
    assert "current  province      34" in out
    assert "legacy   commune   10,051" in out
    assert f"Successions: {UnitSuccession.objects.count():,}" in out


def test_search_than_uyen_finds_the_district_the_town_and_the_commune(db):
    out, _ = run("units", "search", "than uyen", "--format", "json")
    rows = json.loads(out)
    assert {r["key"] for r in rows[:3]} == THAN_UYEN_THREE
    by_key = {r["key"]: r for r in rows}
    assert by_key["legacy-district:110"] == {
        "key": "legacy-district:110",
        "code": "110",
        "level": "district",
        "name": "Huyện Than Uyên",
        "parent": "Tỉnh Lai Châu",
        "parent_key": "legacy-province:12",
        "valid_from": None,
        "valid_to": "2025-06-30",
        "validity": "until 30/06/2025",
        "era": "legacy",
    }
    assert by_key["commune:03595"]["validity"] == "from 01/07/2025"
    assert by_key["legacy-commune:03595"]["name"] == "Thị trấn Than Uyên"


@pytest.mark.parametrize("text", ["THAN UYEN", "Than Uyen", "Than Uyên"])
def test_search_ignores_case_and_accents(db, text):
    expected, _ = run("units", "search", "than uyen", "--format", "json")
    out, _ = run("units", "search", text, "--format", "json")
    assert out == expected


def test_search_accepts_the_words_as_separate_arguments(db):
    assert run("units", "search", "than", "uyen") == run("units", "search", "than uyen")


def test_search_table_is_aligned_under_its_headers(db):
    out, _ = run("units", "search", "than uyen", "--limit", "3")
    header, rule, *rows = out.rstrip("\n").split("\n")
    assert header.split() == ["Key", "Code", "Level", "Name", "Parent", "Validity", "Era"]
    assert len(rows) == 3
    name_at, era_at = header.index("Name"), header.index("Era")
    assert {row[name_at:].split("  ")[0] for row in rows} == {
        "Xã Than Uyên",
        "Huyện Than Uyên",
        "Thị trấn Than Uyên",
    }
    assert [row[era_at:] for row in rows] == ["current", "legacy", "legacy"]
    assert rule.startswith("-" * len("legacy-commune:03595") + "  ")


def test_search_filters_by_level_and_era(db):
    out, _ = run(
        "units",
        "search",
        "than uyen",
        "--level",
        "commune",
        "--era",
        "legacy",
        "--limit",
        "0",
        "--format",
        "json",
    )
    rows = json.loads(out)
    assert rows[0]["key"] == "legacy-commune:03595"
    assert {(r["level"], r["era"]) for r in rows} == {("commune", "legacy")}


def test_search_without_match_says_so(db):
    out, err = run("units", "search", "zzzz")
    assert out == "" and "No unit matches “zzzz”." in err
    out, _ = run("units", "search", "zzzz", "--format", "json")
    assert json.loads(out) == []


def test_show_prints_the_unit_its_parent_and_what_it_came_from(db):
    out, _ = run("units", "show", "--unit", "commune:3595")
    assert out.startswith("Xã Than Uyên  (commune:03595)\n")
    assert "Tỉnh Lai Châu (province:12)" in out
    assert "from 01/07/2025" in out
    predecessors = out.split("Predecessors (what it came from)")[1].split("Successors")[0]
    assert "legacy-commune:03595  Thị trấn Than Uyên" in predecessors
    assert "legacy-commune:03619  Xã Mường Than" in predecessors


def test_show_json_of_a_legacy_commune_lists_its_parents_and_successor(db):
    out, _ = run("units", "show", "--unit", "Thị trấn Than Uyên", "--format", "json")
    data = json.loads(out)
    assert data["key"] == "legacy-commune:03595"
    assert [p["key"] for p in data["parents"]] == ["legacy-district:110", "legacy-province:12"]
    assert [s["key"] for s in data["successors"]] == ["commune:03595"]
    assert data["predecessors"] == []


def test_ambiguous_unit_exits_2_with_the_candidates_on_stderr(db):
    code, out, err = run_failing("units", "show", "--unit", "than uyen")
    assert code == 2
    assert out == ""
    assert "“than uyen” matches 3 units; give one of their keys." in err
    for key in THAN_UYEN_THREE:
        assert key in err
    assert "Huyện Than Uyên" in err and "Tỉnh Lai Châu" in err  # name and parent of a candidate
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("zzzz", "No unit matches “zzzz”."),
        ("commune:99999", "No commune has the code 99999."),
        ("current-district:110", "Districts exist only before 01/07/2025"),
    ],
)
def test_unknown_unit_exits_2_with_a_message(db, typed, message):
    code, out, err = run_failing("units", "show", "--unit", typed)
    assert code == 2
    assert message in err
    assert out == ""


def test_many_candidates_are_cut_with_a_count_of_the_rest(db):
    code, _, err = run_failing("units", "show", "--unit", "Phường 1")
    assert code == 2
    assert "… and 13 more" in err


def test_console_entry_accepts_base_options_after_the_subcommand_and_exits_2(db, monkeypatch, capsys):
    # run_from_argv is what `hoptac` runs; it closes connections when done, which would end the test's.
    monkeypatch.setattr("django.core.management.base.connections.close_all", lambda: None)
    with translation.override("en"), pytest.raises(SystemExit) as caught:
        UnitsCommand().run_from_argv(
            ["hoptac", "units", "show", "--unit", "than uyen", "--skip-checks", "-v", "0"]
        )
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "legacy-district:110" in err
    assert "Traceback" not in err
