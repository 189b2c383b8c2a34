"""Time the dashboard's pages on national-scale data: the first request after a change, and warm ones.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoptac_national .venv/bin/python bench/dashboard_pages.py

The database is the one `bench/national.py` fills. Everything this script writes (the plans of the
fixtures, a copy of seed 000's plan for the largest province, two province officers) is rolled back at
the end, so the database is left as it was. For Lai Châu (the plans' province) and the province with
the most organisations, each page is requested 3 times with the cache emptied ("cold": the engine and
the targets' progress run) and 20 times warm; the last line is a JSON object with the p95 of the warm
overview of the largest province (`seconds`) and every figure.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

PAGES = (
    "/dashboard/?year={year}",
    "/dashboard/unit/{area}/?year={year}",
    "/dashboard/communes-without-htx/?year={year}",
    "/api/progress/?year={year}",
    "/api/indicators/?year={year}",
)
YEAR = 2024


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name the PostgreSQL database that bench/national.py filled")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoptac.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import transaction
    from django.db.models import Count
    from django.db.models.functions import Substr
    from django.test import Client

    from hoptac.accounts.models import Role, User
    from hoptac.indicators.models import Plan
    from hoptac.indicators.services import plans_load_all
    from hoptac.registry.models import Organisation
    from hoptac.units.models import Unit

    results: dict[str, dict] = {}
    with transaction.atomic():
        plans_load_all()
        source = Plan.objects.get(slug="lai-chau-ktt-2021-2030")
        top = (
            Organisation.objects.annotate(p=Substr("current_path", 1, 4))
            .values("p")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .first()
        )
        biggest = Unit.objects.get(path=top["p"])
        lai_chau = source.area
        if biggest != lai_chau:
            copy = Plan.objects.create(
                slug="bench-copy", title="Bench: seed 000's targets", issuer="bench", area=biggest,
                start_year=source.start_year, end_year=source.end_year,
            )  # fmt: skip
            for t in source.targets.all():
                t.pk, t.plan, t.area = None, copy, biggest
                t.save()
        for province in dict.fromkeys([lai_chau, biggest]):
            user = User.objects.create_user(
                username=f"bench-{province.code}", role=Role.PROVINCE, unit=province
            )
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            orgs = Organisation.objects.filter(current_path__startswith=province.path).count()
            for page in PAGES:
                url = page.format(year=YEAR, area=province.key)
                cold = []
                for _ in range(3):
                    cache.clear()
                    start = time.perf_counter()
                    assert client.get(url).status_code == 200, url
                    cold.append(time.perf_counter() - start)
                warm = []
                for _ in range(20):
                    start = time.perf_counter()
                    client.get(url)
                    warm.append(time.perf_counter() - start)
                key = f"{province.key} {url}"
                results[key] = {
                    "organisations": orgs,
                    "cold_median": round(statistics.median(cold), 3),
                    "warm_p95": round(p95(warm), 3),
                    "warm_median": round(statistics.median(warm), 3),
                }
                print(
                    f"{key:60} cold {statistics.median(cold) * 1000:6.0f} ms   warm p95 {p95(warm) * 1000:5.0f} ms"
                )
        transaction.set_rollback(True)
    overview = results[f"{biggest.key} " + PAGES[0].format(year=YEAR)]
    print(json.dumps({"seconds": overview["warm_p95"], "province": biggest.key, "pages": results}))


if __name__ == "__main__":
    main()
