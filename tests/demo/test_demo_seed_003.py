"""Seed 003 through the commands, on the demo province (loaded once for this module, rolled back after):
the former Than Uyên district had 44 cooperatives at the end of 2020 and 71 at the end of 2023, by sector
35 agriculture, 7 construction, 3 industry, 20 trade-services, 4 transport, 2 tourism, and every
commune had a cooperative."""

import io
import json

from django.core.management import call_command


def run(command: str, *args: str) -> object:
    out = io.StringIO()
    call_command(command, *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_breakdown_of_than_uyen_by_sector_at_the_end_of_2023_gives_seed_003s_counts(demo, db):
    data = run("breakdown", "--unit", "district:110", "--year", "2023", "--kind", "htx", "--by", "sector")
    assert data["unit"] == "legacy-district:110" and data["year"] == 2023 and data["total"] == 71
    rows = {r["key"]: (r["count"], r["share"]) for r in data["rows"]}
    assert rows == {
        "nong-nghiep": (35, 49.3),
        "xay-dung": (7, 9.86),
        "cong-nghiep": (3, 4.23),
        "thuong-mai": (20, 28.17),
        "van-tai": (4, 5.63),
        "du-lich": (2, 2.82),
    }


def test_breakdown_of_than_uyen_at_the_end_of_2020_counts_44(demo, db):
    assert (
        run("breakdown", "--unit", "district:110", "--year", "2020", "--kind", "htx", "--by", "sector")[
            "total"
        ]
        == 44
    )


def test_indicators_of_than_uyen_in_2020_and_2023(demo, db):
    data = run(
        "indicators",
        "--unit",
        "district:110",
        "--year",
        "2020",
        "--year",
        "2023",
        "--codes",
        "htx-existing,htx-existing-agri-share,htx-existing-construction,communes-with-htx-share",
    )
    values = {(r["code"], r["year"]): r["value"] for r in data}
    assert values[("htx-existing", 2020)] == 44
    assert values[("htx-existing", 2023)] == 71
    assert values[("htx-existing-agri-share", 2023)] == 49.3
    assert values[("htx-existing-construction", 2023)] == 7
    assert values[("communes-with-htx-share", 2023)] == 100


def test_the_three_plans_load_on_the_demo_and_give_a_status_to_every_target(demo, db):
    call_command("loadplan", "--all", stdout=io.StringIO())
    rows = run("progress", "--plan", "lai-chau-ktt-2021-2030", "--as-of", "2025")
    assert len(rows) == 44
    statuses = {r["indicator"]: r["status"] for r in rows if r["year"] == 2025}
    assert statuses["lhhtx-founded"] == "achieved"  # the demo's two unions, 2022 and 2024
    assert statuses["ocop-htx-4-star"] == "no_data"
