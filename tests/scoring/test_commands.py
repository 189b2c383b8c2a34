"""`hoptac schemes`, `hoptac score`, `hoptac loadschemes`."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.utils import translation

from hoptac.scoring.models import ScoreSheet

from .conftest import TT01, TT09, YEAR


def run(*args) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command(*args, stdout=out)
    return out.getvalue()


def test_schemes_json_lists_criteria_points_thresholds_and_rules(db):
    records = json.loads(run("schemes", "--format", "json"))
    assert [(r["code"], r["version"], r["active"]) for r in records] == [(TT01, 1, True), (TT09, 1, True)]
    tt09 = records[1]
    criteria = {c["number"]: c for c in tt09["criteria"]}
    assert criteria["1"]["max_points"] == 38 and criteria["1.2"]["parent"] == "1"
    assert criteria["1.2"]["bands"][1] == {"min": 1000, "max": 5000, "points": 6}
    assert criteria["1.3"]["precondition"] == "profit > 0" and criteria["1.3"]["confirmed"] is True
    assert criteria["3"]["max_points"] is None and criteria["3"]["confirmed"] is False
    assert tt09["thresholds"] == [
        {"class": "tot", "min_points": 80, "confirmed": True},
        {"class": "kha", "min_points": 65, "confirmed": True},
        {"class": "trung_binh", "min_points": 50, "confirmed": True},
        {"class": "yeu", "min_points": 0, "confirmed": True},
    ]
    assert {
        "kind": "force",
        "condition": "administrative_fine",
        "months": None,
        "class": "yeu",
        "confirmed": True,
    } in tt09["rules"]
    assert tt09["sectors"] == ["nong-nghiep"] and tt09["kinds"] == ["htx"] and tt09["complete"] is False
    assert "lawnet.vn" in criteria["1.2"]["source"]


def test_schemes_table_and_every_version(complete_schemes):
    text = run("schemes")
    assert "tt09-2017-bnnptnt v2 (in force)" in text and "1.2" in text and "[1000, 5000) → 6" in text
    assert "v1" not in text
    assert "tt09-2017-bnnptnt v1 (not in force)" in run("schemes", "--all")


def test_score_dry_run_reports_and_writes_nothing_then_the_real_run_writes(agri_org, approve, people):
    approve(agri_org)
    report = json.loads(
        run("score", "--unit", "commune:03595", "--year", str(YEAR), "--dry-run", "--format", "json")
    )
    assert report["dry_run"] is True and report["counts"] == {"needs_input": 1}
    assert report["organisations"][0]["organisation"] == agri_org.name
    assert "without maximum points" in report["organisations"][0]["detail"]
    assert not ScoreSheet.objects.exists()
    text = run("score", "--unit", "commune:03595", "--year", str(YEAR), "--user", "thanuyen")
    assert "needs input: 1" in text


def test_score_writes_drafts_for_what_can_be_computed(agri_org, approve, people):
    approve(agri_org)
    from hoptac.scoring.models import ClassThreshold, Criterion, Scheme

    scheme = Scheme.objects.create(
        code="thu", name_vi="Thử", name_en="Trial", kinds="htx", priority=100, active=True
    )
    Criterion.objects.create(scheme=scheme, number="1", title_vi="Doanh thu", title_en="Revenue", max_points=100,
                             rule="bands", expression="revenue", bands=[{"min": None, "max": None, "points": 70}])  # fmt: skip
    ClassThreshold.objects.create(scheme=scheme, klass="yeu", min_points=0)
    ClassThreshold.objects.create(scheme=scheme, klass="kha", min_points=65)
    text = run("score", "--unit", "Xã Than Uyên", "--year", str(YEAR))
    assert "scored: 1" in text
    assert ScoreSheet.objects.get().klass == "kha"


def test_score_refuses_a_user_who_may_not_score(agri_org, people):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="may not score"):
        run("score", "--unit", "legacy-district:110", "--year", str(YEAR), "--user", "viewer")


def test_score_with_an_unknown_unit_exits_with_a_usage_error(db, people):
    with pytest.raises(SystemExit) as err:
        run("score", "--unit", "Xã Không Có", "--year", str(YEAR))
    assert err.value.code == 2


def test_loadschemes_twice_changes_nothing(db):
    assert run("loadschemes") == "Schemes: 0 created, 0 updated, 2 unchanged.\n"
