"""Benchmark: every indicator, for every current commune and province, for one year, on national data.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hoptac_national .venv/bin/python bench/indicators.py

DATABASE_URL names a database filled by `bench/national.py` (about 129,000 organisations and 960,000
yearly returns). The benchmark computes, through the engine (`hoptac.indicators.engine.compute`),
every indicator definition for the 34 current provinces and their 3,321 communes for one year (2024;
`--year`), with the base year 2018 for growths on a base year (`--base-year`); and, in the same run, a
**lower bound** of the same numbers:

- the indicators the engine reads itself (organisations, returns, communes: 64 of the 72 shipped) by
  three hand-written SQL queries — the organisations with their status on 31/12 (the year, and 2018),
  the approved returns of the year and the year before, the communes of the year with their main
  successor — each written for these indicators alone (one boolean per condition, computed once per
  row, the aggregates over them), then the least Python that turns their rows into the same numbers:
  the communes' rows added into their provinces, and for every indicator and unit its value, numerator
  and denominator (the engine also gives `n_orgs`, which the lower bound does not compute);
- the indicators of other sources (OCOP products, support records, official scores), when an app
  registers them, by calling the very functions the engine calls.

Every value, numerator and denominator of the lower bound is checked against the engine's. Both are
measured `--runs` times (5), interleaved, after one warm-up run of each; the figures are the medians.
The last line printed is a JSON object: `seconds` (the engine), `lower_bound_seconds`, `ratio`, and the
context. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from operator import add
from pathlib import Path

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def setup() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must name the PostgreSQL database filled by bench/national.py")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoptac.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from hoptac.registry.models import Organisation

    call_command("migrate", verbosity=0, interactive=False)  # apps added since the data was generated
    if Organisation.objects.count() < 10_000:
        sys.exit("This database holds no national data: run bench/national.py on it first.")


# --- the lower bound -----------------------------------------------------------------------------

SECTORS = {
    "agri": "nong-nghiep",
    "industry": "cong-nghiep",
    "trade": "thuong-mai",
    "construction": "xay-dung",
    "transport": "van-tai",
    "credit": "tin-dung",
    "tourism": "du-lich",
}
DORMANT = ("suspended", "stopped", "not_at_address", "tax_revoked")

# Organisations: one boolean per condition in the inner query, computed once per row; the status on
# 31/12 as the engine reads it (the latest change by then, looked up only for the organisations with
# a later change, the others having their current status); OFFSET 0 keeps it a column.
ORG_SQL = """
SELECT current_path, legacy_path,
  count(*) FILTER (WHERE htx AND founded), count(*) FILTER (WHERE tht AND founded),
  count(*) FILTER (WHERE lhhtx AND founded), count(*) FILTER (WHERE htx AND founded AND sector = 'nong-nghiep'),
  count(*) FILTER (WHERE htx AND ended), count(*) FILTER (WHERE htx AND stock),
  count(*) FILTER (WHERE htx AND stock AND st = 'active'), count(*) FILTER (WHERE tht AND stock AND st = 'active'),
  count(*) FILTER (WHERE lhhtx AND stock AND st = 'active'),
  count(*) FILTER (WHERE htx AND stock AND st IN ('suspended', 'stopped', 'not_at_address', 'tax_revoked')),
  count(*) FILTER (WHERE htx AND stock AND st = 'active' AND sector = 'nong-nghiep'),
  count(*) FILTER (WHERE lhhtx AND stock AND st = 'active' AND sector = 'nong-nghiep'),
  count(*) FILTER (WHERE htx AND stock AND st = 'active' AND sector = 'cong-nghiep'),
  count(*) FILTER (WHERE htx AND stock AND st = 'active' AND sector = 'thuong-mai'),
  count(*) FILTER (WHERE lhhtx AND stock AND st = 'active' AND sector = 'thuong-mai'),
  count(*) FILTER (WHERE htx AND stock AND st = 'active' AND sector = 'xay-dung'),
  count(*) FILTER (WHERE htx AND stock AND st = 'active' AND sector = 'van-tai'),
  count(*) FILTER (WHERE htx AND stock AND st = 'active' AND sector = 'tin-dung'),
  count(*) FILTER (WHERE htx AND stock AND sector = 'nong-nghiep'),
  count(*) FILTER (WHERE htx AND stock AND sector = 'xay-dung'),
  count(*) FILTER (WHERE htx AND stock AND sector = 'cong-nghiep'),
  count(*) FILTER (WHERE htx AND stock AND sector = 'thuong-mai'),
  count(*) FILTER (WHERE htx AND stock AND sector = 'van-tai'),
  count(*) FILTER (WHERE htx AND stock AND sector = 'du-lich'),
  count(*) FILTER (WHERE htx AND stock AND union_member),
  count(*) FILTER (WHERE htx AND stock_base AND union_member),
  count(*) FILTER (WHERE hnd AND founded), count(*) FILTER (WHERE tht AND founded AND sector = 'nong-nghiep' AND supporter = 'hnd'),
  count(*) FILTER (WHERE hnd AND stock)
FROM (
  SELECT o.current_path, o.legacy_path, o.kind IN ('htx', 'qtdnd') htx, o.kind = 'tht' tht, o.kind = 'lhhtx' lhhtx,
    s.code sector, o.supporter, o.union_member, o.kind = 'htx' AND s.code = 'nong-nghiep' AND o.supporter = 'hnd' hnd,
    o.founded_on BETWEEN %(start)s AND %(end)s founded, o.ended_on BETWEEN %(start)s AND %(end)s ended,
    (o.founded_on IS NULL OR o.founded_on <= %(end)s) AND (o.ended_on IS NULL OR o.ended_on > %(end)s) stock,
    (o.founded_on IS NULL OR o.founded_on <= %(base_end)s) AND (o.ended_on IS NULL OR o.ended_on > %(base_end)s) stock_base,
    CASE WHEN EXISTS (SELECT 1 FROM registry_statuschange c WHERE c.organisation_id = o.id AND c.effective_on > %(end)s)
      THEN coalesce((SELECT c.status FROM registry_statuschange c WHERE c.organisation_id = o.id AND c.effective_on <= %(end)s
                     ORDER BY c.effective_on DESC, c.id DESC LIMIT 1), o.status)
      ELSE o.status END st
  FROM registry_organisation o JOIN registry_sector s ON s.id = o.sector_id
  WHERE NOT o.archived OFFSET 0
) t
GROUP BY current_path, legacy_path
"""
ORG_COLUMNS = (
    "htx-founded",
    "tht-founded",
    "lhhtx-founded",
    "htx-founded-agri",
    "htx-ended",
    "htx-existing",
    "htx-active",
    "tht-active",
    "lhhtx-active",
    "htx-dormant",
    "htx-active-agri",
    "lhhtx-active-agri",
    "htx-active-industry",
    "htx-active-trade",
    "lhhtx-active-trade",
    "htx-active-construction",
    "htx-active-transport",
    "htx-active-credit",
    "htx-existing-agri",
    "htx-existing-construction",
    "htx-existing-industry",
    "htx-existing-trade",
    "htx-existing-transport",
    "htx-existing-tourism",
    "union-members",
    "union-members-base",
    "hnd-agri-htx-founded",
    "hnd-agri-tht-founded",
    "hnd-agri-htx-existing",
)

# Approved returns of the year and of the year before, one branch each: the year before computes only
# what the growths on the previous year compare with (members, members' income, managers trained).
RET_AGGREGATES = (
    # (name, aggregate, also for the year before)
    ("workers", "sum(workers) FILTER (WHERE htx AND workers IS NOT NULL)", False),
    ("workers_n", "count(*) FILTER (WHERE htx AND workers IS NOT NULL)", False),
    ("members", "sum(mo) FILTER (WHERE htx AND mo IS NOT NULL)", True),
    ("members_n", "count(*) FILTER (WHERE htx AND mo IS NOT NULL)", True),
    ("im_num", "sum(income_member * mo) FILTER (WHERE htx AND bm)", True),
    ("im_den", "sum(mo) FILTER (WHERE htx AND bm)", True),
    ("im_n", "count(*) FILTER (WHERE htx AND bm)", True),
    ("iw_num", "sum(income_worker * workers) FILTER (WHERE htx AND bw)", False),
    ("iw_den", "sum(workers) FILTER (WHERE htx AND bw)", False),
    ("iw_n", "count(*) FILTER (WHERE htx AND bw)", False),
    ("i_n", "count(*) FILTER (WHERE htx AND (bm OR bw))", False),
    ("tim_num", "sum(income_member * mo) FILTER (WHERE tht AND bm)", False),
    ("tim_den", "sum(mo) FILTER (WHERE tht AND bm)", False),
    ("tim_n", "count(*) FILTER (WHERE tht AND bm)", False),
    ("tiw_num", "sum(income_worker * workers) FILTER (WHERE tht AND bw)", False),
    ("tiw_den", "sum(workers) FILTER (WHERE tht AND bw)", False),
    ("tiw_n", "count(*) FILTER (WHERE tht AND bw)", False),
    ("ti_n", "count(*) FILTER (WHERE tht AND (bm OR bw))", False),
    ("classified", "count(*) FILTER (WHERE htx AND classified)", False),
    ("good", "count(*) FILTER (WHERE htx AND good)", False),
    ("weak", "count(*) FILTER (WHERE htx AND self_classification = 'yeu')", False),
    ("agri_classified", "count(*) FILTER (WHERE htx AND agri AND classified)", False),
    ("agri_good", "count(*) FILTER (WHERE htx AND agri AND good)", False),
    ("trained", "sum(managers_trained) FILTER (WHERE htx AND managers_trained IS NOT NULL)", True),
    ("trained_n", "count(*) FILTER (WHERE htx AND managers_trained IS NOT NULL)", True),
    ("mt_num", "sum(managers_trained) FILTER (WHERE htx AND mt)", False),
    ("mt_den", "sum(managers) FILTER (WHERE htx AND mt)", False),
    ("mt_n", "count(*) FILTER (WHERE htx AND mt)", False),
    ("university", "sum(coalesce(managers_university, 0)) FILTER (WHERE htx AND edu)", False),
    (
        "college",
        "sum(coalesce(managers_college, 0) + coalesce(managers_intermediate, 0)) FILTER (WHERE htx AND edu)",
        False,
    ),
    ("edu_den", "sum(managers) FILTER (WHERE htx AND edu)", False),
    ("edu_n", "count(*) FILTER (WHERE htx AND edu)", False),
    ("young_num", "sum(managers_young_degree) FILTER (WHERE htx AND young)", False),
    ("young_den", "sum(managers_young) FILTER (WHERE htx AND young)", False),
    ("young_n", "count(*) FILTER (WHERE htx AND young)", False),
    ("ht_n", "count(*) FILTER (WHERE htx AND high_technology IS NOT NULL)", False),
    ("ht_yes", "count(*) FILTER (WHERE htx AND high_technology)", False),
    ("vc_n", "count(*) FILTER (WHERE htx AND value_chain_link IS NOT NULL)", False),
    ("vc_yes", "count(*) FILTER (WHERE htx AND value_chain_link)", False),
    ("ca_n", "count(*) FILTER (WHERE htx AND credit_access IS NOT NULL)", False),
    ("ca_yes", "count(*) FILTER (WHERE htx AND credit_access)", False),
    ("bad_debt", "sum(bad_debt_ratio) FILTER (WHERE htx AND credit AND bad_debt_ratio IS NOT NULL)", False),
    ("bad_debt_n", "count(*) FILTER (WHERE htx AND credit AND bad_debt_ratio IS NOT NULL)", False),
    ("hvc_n", "count(*) FILTER (WHERE hnd AND value_chain_link IS NOT NULL)", False),
    ("hvc_yes", "count(*) FILTER (WHERE hnd AND value_chain_link)", False),
    ("hca_n", "count(*) FILTER (WHERE hnd AND credit_access IS NOT NULL)", False),
    ("hca_yes", "count(*) FILTER (WHERE hnd AND credit_access)", False),
    ("hmt_num", "sum(managers_trained) FILTER (WHERE hnd AND mt)", False),
    ("hmt_den", "sum(managers) FILTER (WHERE hnd AND mt)", False),
    ("hmt_n", "count(*) FILTER (WHERE hnd AND mt)", False),
)
RET_ROWS = """
  SELECT r.year, o.current_path, o.kind IN ('htx', 'qtdnd') htx, o.kind = 'tht' tht,
    s.code = 'nong-nghiep' agri, s.code = 'tin-dung' credit,
    o.kind = 'htx' AND s.code = 'nong-nghiep' AND o.supporter = 'hnd' hnd,
    r.workers, r.income_member, r.income_worker, r.self_classification, r.managers, r.managers_trained,
    r.managers_university, r.managers_college, r.managers_intermediate, r.managers_young, r.managers_young_degree,
    r.high_technology, r.value_chain_link, r.credit_access, r.bad_debt_ratio,
    CASE WHEN r.members_individual IS NOT NULL OR r.members_household IS NOT NULL OR r.members_legal_entity IS NOT NULL
      THEN coalesce(r.members_individual, 0) + coalesce(r.members_household, 0) + coalesce(r.members_legal_entity, 0) END mo,
    r.income_member IS NOT NULL AND (r.members_individual IS NOT NULL OR r.members_household IS NOT NULL
      OR r.members_legal_entity IS NOT NULL) bm,
    r.income_worker IS NOT NULL AND r.workers IS NOT NULL bw,
    r.self_classification IN ('tot', 'kha', 'trung_binh', 'yeu') classified, r.self_classification IN ('tot', 'kha') good,
    r.managers IS NOT NULL AND r.managers_trained IS NOT NULL mt,
    r.managers IS NOT NULL AND (r.managers_university IS NOT NULL OR r.managers_college IS NOT NULL
      OR r.managers_intermediate IS NOT NULL OR r.managers_elementary IS NOT NULL OR r.managers_untrained IS NOT NULL) edu,
    r.managers_young IS NOT NULL AND r.managers_young_degree IS NOT NULL young
  FROM returns_annualreturn r JOIN registry_organisation o ON o.id = r.organisation_id
    JOIN registry_sector s ON s.id = o.sector_id
  WHERE r.status = 'approved' AND r.year = %({year})s AND NOT o.archived
"""
RET_SQL = (
    f"SELECT year, current_path, {', '.join(a for _n, a, _p in RET_AGGREGATES)}"
    f" FROM ({RET_ROWS.format(year='year')}) t GROUP BY year, current_path"
    " UNION ALL "
    f"SELECT year, current_path, {', '.join(a if p else '0' for _n, a, p in RET_AGGREGATES)}"
    f" FROM ({RET_ROWS.format(year='previous')}) t GROUP BY year, current_path"
)
RET_COLUMNS = tuple(name for name, _a, _p in RET_AGGREGATES)

# The communes valid on 31/12 with the current commune they count in: before the reform the legacy
# ones through their main successor (rank 0), after it the current ones themselves.
COMMUNES_BEFORE_SQL = """
SELECT l.path, s.path FROM units_unit l
  JOIN units_unitsuccession us ON us.predecessor_id = l.id AND us.rank = 0
  JOIN units_unit s ON s.id = us.successor_id
WHERE l.level = 'commune' AND l.era = 'legacy' AND (l.valid_from IS NULL OR l.valid_from <= %(end)s)
  AND (l.valid_to IS NULL OR l.valid_to >= %(end)s)
"""
COMMUNES_AFTER_SQL = """
SELECT path, path FROM units_unit WHERE level = 'commune' AND era = 'current'
  AND (valid_from IS NULL OR valid_from <= %(end)s) AND (valid_to IS NULL OR valid_to >= %(end)s)
"""


def _round(x: Decimal) -> Decimal:
    return x.quantize(CENT, ROUND_HALF_UP)


def _sum(rows, targets_of) -> dict:
    """Rows of communes added into the requested units above them (a commune, its province)."""
    acc: dict = {}
    for path, row in rows:
        for target in targets_of(path):
            vec = acc.get(target)
            acc[target] = list(row) if vec is None else list(map(add, vec, row))
    return acc


def lower_bound(year: int, base_year: int, paths: list[str], external: list) -> dict:
    """(code, path) → (value, numerator, denominator) for the indicators the engine reads itself."""
    from django.db import connection

    end = datetime.date(year, 12, 31)
    params = {
        "start": datetime.date(year, 1, 1),
        "end": end,
        "base_end": datetime.date(base_year, 12, 31),
        "year": year,
        "previous": year - 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(ORG_SQL, params)
        org_rows = cursor.fetchall()
        cursor.execute(RET_SQL, params)
        ret_rows = cursor.fetchall()
        before = end < datetime.date(2025, 7, 1)
        cursor.execute(COMMUNES_BEFORE_SQL if before else COMMUNES_AFTER_SQL, {"end": end})
        communes = cursor.fetchall()
    wanted = set(paths)

    def above(path: str) -> tuple:
        return tuple(p for p in (path[:4], path) if p in wanted) if path else ()

    # Organisations: the communes' rows into their communes and provinces; the communes where an
    # operating cooperative is registered (in the commune's own era).
    active = ORG_COLUMNS.index("htx-active")
    covered = {r[1] if before else r[0] for r in org_rows if r[2 + active]}
    org = _sum(((r[0], r[2:]) for r in org_rows), above)
    ret: dict[int, dict] = {}
    for y in (year - 1, year):
        rows = ((r[1], [0 if v is None else v for v in r[2:]]) for r in ret_rows if r[0] == y)
        ret[y] = _sum(rows, above)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for commune, current in communes:
        hit = commune in covered
        for target in above(current):
            acc = totals[target]
            acc[0] += 1
            acc[1] += hit

    out: dict[tuple[str, str], tuple] = {}
    o = {name: i for i, name in enumerate(ORG_COLUMNS)}
    r = {name: i for i, name in enumerate(RET_COLUMNS)}
    zero_org, zero_ret = [0] * len(ORG_COLUMNS), [0] * len(RET_COLUMNS)

    def share(part, whole):
        part, whole = Decimal(part), Decimal(whole)
        return (_round(part * HUNDRED / whole), part, whole) if whole else (None, part, whole)

    def ratio(num, den, scale=HUNDRED):
        num, den = Decimal(num), Decimal(den)
        return (_round(num * scale / den), num, den) if den else (None, num, den)

    def average(num, den):
        num, den = Decimal(num), Decimal(den)
        return (_round(num / den), _round(num), den) if den else (None, _round(num), den)

    def growth(now, then):
        if now is None or then is None or then == 0:
            return (None, None, None)
        return (((now / then - 1) * HUNDRED).quantize(CENT, ROUND_HALF_UP), now, then)

    counts = [c for c in ORG_COLUMNS if c not in ("htx-founded-agri", "union-members-base")]
    for path in paths:
        v = org.get(path, zero_org)
        for code in counts:
            n = Decimal(v[o[code]])
            out[(code, path)] = (n, n, None)
        out[("htx-founded-agri-share", path)] = share(v[o["htx-founded-agri"]], v[o["htx-founded"]])
        for sector in ("agri", "construction", "industry", "trade", "transport", "tourism"):
            out[(f"htx-existing-{sector}-share", path)] = share(
                v[o[f"htx-existing-{sector}"]], v[o["htx-existing"]]
            )
        out[("union-members-share", path)] = share(v[o["union-members"]], v[o["htx-existing"]])
        out[("union-members-growth", path)] = growth(
            Decimal(v[o["union-members"]]), Decimal(v[o["union-members-base"]])
        )
        total, hit = totals.get(path, (0, 0))
        if total:
            out[("communes-with-htx", path)] = (Decimal(hit), Decimal(hit), Decimal(total))
            out[("communes-with-htx-share", path)] = share(hit, total)
        else:
            out[("communes-with-htx", path)] = out[("communes-with-htx-share", path)] = (
                None,
                Decimal(hit),
                0,
            )

        now, then = ret[year].get(path, zero_ret), ret[year - 1].get(path, zero_ret)
        workers = Decimal(now[r["workers"]])
        out[("htx-workers", path)] = (workers, workers, None) if now[r["workers_n"]] else (None, None, None)
        members = {}
        for y, w in ((year, now), (year - 1, then)):
            m = Decimal(w[r["members"]])
            members[y] = (m, m, None) if w[r["members_n"]] else (None, None, None)
        out[("htx-members", path)] = members[year]
        out[("htx-members-growth", path)] = growth(members[year][0], members[year - 1][0])
        income = average(now[r["im_num"]], now[r["im_den"]])
        out[("htx-income-member", path)] = income
        out[("htx-income-member-growth", path)] = growth(
            income[0], average(then[r["im_num"]], then[r["im_den"]])[0]
        )
        out[("htx-income-worker", path)] = average(now[r["iw_num"]], now[r["iw_den"]])
        out[("htx-income", path)] = average(
            Decimal(now[r["im_num"]]) + Decimal(now[r["iw_num"]]), now[r["im_den"]] + now[r["iw_den"]]
        )
        out[("tht-income-member", path)] = average(now[r["tim_num"]], now[r["tim_den"]])
        out[("tht-income-worker", path)] = average(now[r["tiw_num"]], now[r["tiw_den"]])
        out[("tht-income", path)] = average(
            Decimal(now[r["tim_num"]]) + Decimal(now[r["tiw_num"]]), now[r["tim_den"]] + now[r["tiw_den"]]
        )
        out[("htx-effective-share", path)] = share(now[r["good"]], now[r["classified"]])
        out[("htx-agri-effective-share", path)] = share(now[r["agri_good"]], now[r["agri_classified"]])
        out[("htx-weak-share", path)] = share(now[r["weak"]], now[r["classified"]])
        trained = {}
        for y, w in ((year, now), (year - 1, then)):
            t = Decimal(w[r["trained"]])
            trained[y] = (t, t, None) if w[r["trained_n"]] else (None, None, None)
        out[("htx-managers-trained", path)] = trained[year]
        out[("htx-managers-trained-growth", path)] = growth(trained[year][0], trained[year - 1][0])
        out[("htx-managers-trained-share", path)] = ratio(now[r["mt_num"]], now[r["mt_den"]])
        out[("htx-managers-university-share", path)] = ratio(now[r["university"]], now[r["edu_den"]])
        out[("htx-managers-college-share", path)] = ratio(now[r["college"]], now[r["edu_den"]])
        out[("htx-young-managers-degree-share", path)] = ratio(now[r["young_num"]], now[r["young_den"]])
        out[("htx-high-technology-share", path)] = share(now[r["ht_yes"]], now[r["ht_n"]])
        out[("htx-value-chain-share", path)] = share(now[r["vc_yes"]], now[r["vc_n"]])
        out[("htx-credit-access-share", path)] = share(now[r["ca_yes"]], now[r["ca_n"]])
        out[("credit-bad-debt-ratio", path)] = average(now[r["bad_debt"]], now[r["bad_debt_n"]])
        out[("hnd-agri-htx-value-chain-share", path)] = share(now[r["hvc_yes"]], now[r["hvc_n"]])
        out[("hnd-agri-htx-credit-access-share", path)] = share(now[r["hca_yes"]], now[r["hca_n"]])
        out[("hnd-agri-htx-managers-trained-share", path)] = ratio(now[r["hmt_num"]], now[r["hmt_den"]])
    for function, defs, units in external:
        function(defs, units, [year])
    return out


# --- the run -------------------------------------------------------------------------------------


def check(engine_values: dict, bound: dict, units) -> int:
    """Every value, numerator and denominator of the lower bound equals the engine's; returns how many."""
    by_path = {u.path: u.id for u in units}
    checked, wrong = 0, []
    for (code, path), expected in bound.items():
        got = engine_values[(code, by_path[path], YEAR)]
        if (got.value, got.numerator, got.denominator) != expected:
            wrong.append((code, path, expected, tuple(got)))
        checked += 1
    if wrong:
        for w in wrong[:20]:
            print("  differs:", w, file=sys.stderr)
        sys.exit(f"{len(wrong)} of {checked} values differ between the engine and the lower bound")
    return checked


YEAR = 2024


def main() -> None:
    global YEAR
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--base-year", type=int, default=2018)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    YEAR = args.year
    setup()
    from django.db import connection

    from hoptac.indicators import engine
    from hoptac.indicators.models import Indicator
    from hoptac.registry.models import Organisation
    from hoptac.returns.models import AnnualReturn
    from hoptac.units.models import Unit

    units = list(Unit.objects.filter(era="current").order_by("path"))
    paths = [u.path for u in units]
    definitions = list(Indicator.objects.select_related("base"))
    external = []
    for source in (Indicator.Source.PRODUCTS, Indicator.Source.SUPPORT, Indicator.Source.SCORES):
        function = engine._SOURCES.get(source)
        defs = [d for d in definitions if d.source == source]
        if function is not None and defs:
            external.append((function, defs, units))
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    context = {
        "year": args.year,
        "units": len(units),
        "indicators": len(definitions),
        "organisations": Organisation.objects.count(),
        "approved_returns": AnnualReturn.objects.filter(status="approved").count(),
        "external_sources": sorted({d[1][0].source for d in external}),
        "jit": jit,
    }
    print(
        f"{context['indicators']} indicators × {context['units']} units ({args.year}); "
        f"{context['organisations']} organisations, {context['approved_returns']} approved returns; "
        f"jit {jit}; sources registered by apps: {', '.join(context['external_sources']) or 'none'}"
    )

    def run_engine():
        return engine.compute(definitions, units, [args.year], base_year=args.base_year)

    def run_bound():
        return lower_bound(args.year, args.base_year, paths, external)

    values = run_engine()  # warm-up, and the values checked
    bound = run_bound()
    checked = check(values, bound, units)
    print(f"checked: {checked} values (value, numerator, denominator) agree with the lower bound")
    backend = backend_cpu_reader(connection)
    measures: dict[str, list[tuple[float, float, float]]] = {"engine": [], "bound": []}
    for i in range(args.runs):
        for name, function in (("engine", run_engine), ("bound", run_bound)):
            wall, cpu, server = time.perf_counter(), time.process_time(), backend()
            function()
            measures[name].append((time.perf_counter() - wall, time.process_time() - cpu, backend() - server))
        e, b = measures["engine"][-1], measures["bound"][-1]
        print(
            f"  run {i + 1}: engine {e[0]:.3f} s (Python CPU {e[1]:.2f}, server CPU {e[2]:.2f}), "
            f"lower bound {b[0]:.3f} s (Python CPU {b[1]:.2f}, server CPU {b[2]:.2f})"
        )
    external_seconds = 0.0
    for function, defs, some_units in external:
        started = time.perf_counter()
        function(defs, some_units, [args.year])
        external_seconds += time.perf_counter() - started

    def median(name: str, i: int) -> float:
        return statistics.median(m[i] for m in measures[name])

    seconds, bound_seconds = median("engine", 0), median("bound", 0)
    print(
        f"engine {seconds:.3f} s (best {min(m[0] for m in measures['engine']):.3f}), lower bound "
        f"{bound_seconds:.3f} s (best {min(m[0] for m in measures['bound']):.3f}): ratio "
        f"{seconds / bound_seconds:.2f}; of both, {external_seconds:.3f} s in the sources other apps register"
    )
    print(
        json.dumps(
            {
                "seconds": round(seconds, 3),
                "lower_bound_seconds": round(bound_seconds, 3),
                "ratio": round(seconds / bound_seconds, 2),
                "values": len(values),
                "checked_values": checked,
                **context,
                "external_sources_seconds": round(external_seconds, 3),
                "runs": args.runs,
                "best_seconds": round(min(m[0] for m in measures["engine"]), 3),
                "best_lower_bound_seconds": round(min(m[0] for m in measures["bound"]), 3),
                "python_cpu_seconds": round(median("engine", 1), 3),
                "lower_bound_python_cpu_seconds": round(median("bound", 1), 3),
                "server_cpu_seconds": round(median("engine", 2), 2),
                "lower_bound_server_cpu_seconds": round(median("bound", 2), 2),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "cpus": os.cpu_count(),
            }
        )
    )


def backend_cpu_reader(connection):
    """CPU seconds of the PostgreSQL backend serving this connection (its parallel workers left out),
    when the server runs on this machine; a machine shared with other work moves wall-clock time, not
    this. Zero when /proc does not show the backend."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    stat = Path(f"/proc/{pid}/stat")
    ticks = os.sysconf("SC_CLK_TCK")

    def read() -> float:
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / ticks

    return read


if __name__ == "__main__":
    main()
