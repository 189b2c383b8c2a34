"""The province dashboard on national-scale data: median and 95th percentile of repeated requests,
against the database floor of the same requests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoptac_national .venv/bin/python bench/dashboard.py \
        [--unit province:12] [--year 2024] [--requests 60] [--warmup 2]

On the database `bench/national.py` fills: loads the plans (`loadplan --all`), logs a system administrator
in through Django's test client (the whole stack but the network) and requests
`/dashboard/?unit=…&year=…` `--requests` times after a warm-up: first as the site runs (figures cached
per data version), then with HOPTAC_DASHBOARD_CACHE=False (every request computes its figures, as the
first request after a change of the data does; max(5, requests ÷ 6) times).

Lower bound, measured in the same run: the database floor of the same request. One request of each
series (the last of its warm-up) is captured through `connection.execute_wrapper`: every statement it
sends, with its parameters, exactly as Django hands it to the driver. Each measured request is
followed by one replay of those statements on a raw cursor of the same psycopg connection (the same
transaction, cursor class and type adapters), every row fetched: the SQL the page cannot avoid, with
no ORM, view, template or middleware around it. The session and user lookups are included (any
authenticated page pays them); so would be SAVEPOINTs or SETs, were a request to send any (none
does today; the script counts them). The replay is warmed up as many times as the page, and timed as
many times, interleaved with it.

Prints the median, 95th percentile and maximum of each series and of its lower bound, the statements
of one request, a line with the ratios, and last a JSON object (`p95_ms`, `median_ms`, `max_ms`,
`uncached_p95_ms`, `uncached_median_ms`, `uncached_max_ms`, `queries`, `uncached_queries`,
`lower_bound_ms` and `uncached_lower_bound_ms` (95th percentiles of the replays),
`lower_bound_median_ms`, `uncached_lower_bound_median_ms`, `ratio` and `uncached_ratio` (page p95 ÷
lower bound p95), `load_average`). Goal: under 150 ms at the 95th percentile. Everything it writes is
rolled back at the end.

(Rewritten by the dashboard's helper after overwriting the first version by mistake, to the description
in bench/README.md.)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

# Statements that are not a query of the page's data but transaction or session control. They are
# replayed like the others (the request sends them, so the floor includes them) and counted apart.
CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "SET ")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


class Recorder:
    """An execute wrapper keeping each statement as Django hands it to the driver, and its time."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, object, bool, float]] = []

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, many, (time.perf_counter() - start) * 1000))

    def __len__(self) -> int:
        return len(self.statements)


def capture(connection, client, url: str) -> Recorder:
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return recorder


def replay(raw_connection, statements: list[tuple[str, object, bool, float]]) -> float:
    """Runs the statements on a raw psycopg cursor, fetching every row; returns milliseconds."""
    start = time.perf_counter()
    with raw_connection.cursor() as cursor:
        for sql, params, many, _ in statements:
            if many:
                cursor.executemany(sql, params)
            elif params is None:  # as django.db.backends.utils.CursorWrapper._execute does
                cursor.execute(sql)
            else:
                cursor.execute(sql, params)
            if cursor.description is not None:
                cursor.fetchall()
    return (time.perf_counter() - start) * 1000


def series(client, url: str, n: int, raw_connection, statements) -> tuple[list[float], list[float]]:
    """n page requests, each followed by one replay of the statements: (page ms, replay ms)."""
    page, floor = [], []
    for _ in range(n):
        start = time.perf_counter()
        response = client.get(url)
        page.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        floor.append(replay(raw_connection, statements))
    return page, floor


def summary(label: str, ms: list[float]) -> dict[str, float]:
    result = {
        "median_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95(ms), 1),
        "max_ms": round(max(ms), 1),
    }
    print(
        f"{label:16} median {result['median_ms']:8.1f} ms   p95 {result['p95_ms']:8.1f} ms   max {result['max_ms']:8.1f} ms"
    )
    return result


def measure(label: str, connection, client, url: str, n: int, warmup: int) -> tuple[dict, dict, Recorder]:
    """Warm-up, capture of one request, warm-up of its replay, then n requests and n replays interleaved."""
    for _ in range(warmup - 1):
        client.get(url)
    recorded = capture(connection, client, url)  # the last request of the warm-up
    raw = connection.connection  # the psycopg connection under Django's, in the same transaction
    for _ in range(warmup):
        replay(raw, recorded.statements)
    page, floor = series(client, url, n, raw, recorded.statements)
    again = capture(connection, client, url)  # the requests must all send the same statements
    if [s[0] for s in again.statements] != [s[0] for s in recorded.statements]:
        print(f"warning: two {label} requests sent different statements ({len(recorded)}, {len(again)})")
    return summary(label, page), summary(f"{label} floor", floor), recorded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--unit", default="province:12")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=2, help="requests (and replays) before measuring")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name the PostgreSQL database that bench/national.py filled")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoptac.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from hoptac.accounts.models import Role, User

    url = f"/dashboard/?unit={args.unit}&year={args.year}"
    warmup = max(1, args.warmup)
    with transaction.atomic():
        call_command("loadplan", all=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
        admin = User.objects.filter(username="bench-dashboard").first() or User.objects.create_user(
            username="bench-dashboard", role=Role.ADMIN, is_superuser=True
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(admin)
        cache.clear()
        cached, cached_floor, cached_queries = measure(
            "cached", connection, client, url, args.requests, warmup
        )
        settings.HOPTAC_DASHBOARD_CACHE = False
        uncached, uncached_floor, uncached_queries = measure(
            "uncached", connection, client, url, max(5, args.requests // 6), warmup
        )
        settings.HOPTAC_DASHBOARD_CACHE = True
        for label, queries in (("cached", cached_queries), ("uncached", uncached_queries)):
            control = sum(sql.lstrip().upper().startswith(CONTROL) for sql, *_ in queries.statements)
            print(f"{label}: {len(queries)} queries ({control} transaction or session control)")
            for sql, _, _, ms in queries.statements:
                print(f"  {ms:7.1f} ms  {' '.join(sql.split())[:140]}")
        transaction.set_rollback(True)
    ratio = round(cached["p95_ms"] / cached_floor["p95_ms"], 2)
    uncached_ratio = round(uncached["p95_ms"] / uncached_floor["p95_ms"], 2)
    load = [round(x, 2) for x in os.getloadavg()]
    print(
        f"p95 {cached['p95_ms']:.1f} ms = {ratio}× its database floor {cached_floor['p95_ms']:.1f} ms (cached); "
        f"{uncached['p95_ms']:.1f} ms = {uncached_ratio}× {uncached_floor['p95_ms']:.1f} ms (uncached); "
        f"load average {load[0]} {load[1]} {load[2]}"
    )
    print(
        json.dumps(
            {
                "url": url,
                **cached,
                **{f"uncached_{k}": v for k, v in uncached.items()},
                "queries": len(cached_queries),
                "uncached_queries": len(uncached_queries),
                "requests": args.requests,
                "lower_bound_ms": cached_floor["p95_ms"],
                "lower_bound_median_ms": cached_floor["median_ms"],
                "ratio": ratio,
                "uncached_lower_bound_ms": uncached_floor["p95_ms"],
                "uncached_lower_bound_median_ms": uncached_floor["median_ms"],
                "uncached_ratio": uncached_ratio,
                "load_average": load,
            }
        )
    )


if __name__ == "__main__":
    main()
