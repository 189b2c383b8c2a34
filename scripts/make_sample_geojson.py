"""Make the project's SAMPLE map of Lai Châu's current communes (province code 12) for the demo.

    .venv/bin/python scripts/make_sample_geojson.py   # writes src/hoptac/web/fixtures/geo/lai-chau-sample.geojson

The shapes are NOT the communes' real boundaries: no open boundary file of the 2025 communes was at
hand. They are a Voronoi tessellation of approximate points, clipped to a rough outline of the
province:

- each former district (huyện) of Lai Châu has a hand-placed centre near its seat (longitude,
  latitude, read off a general map to about 0.05°) and a spread;
- each current commune belongs to the former district most of its predecessor communes were in (the
  official old→new table of the `vietnam-provinces` package), and its point is placed around that
  centre on a golden-angle spiral, in code order;
- the Voronoi cell of each point is the outline clipped by the half-planes nearer to it than to any
  other point (Sutherland–Hodgman).

So neighbours are roughly right (Than Uyên's communes in the south-east, Mường Tè's in the west) and
every commune has a polygon the map can colour and click. Deterministic: the same input gives the same
file. Each feature carries `ma_xa` (the commune's official 5-digit code, the property the layer
matches on), `ten_xa` (its name) and `sample: true`.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

PROVINCE = 12
OUT = Path(__file__).resolve().parents[1] / "src/hoptac/web/fixtures/geo/lai-chau-sample.geojson"

# Former districts: approximate centre (longitude, latitude) and spread of their communes, in degrees.
DISTRICTS = {
    105: ((103.46, 22.40), 0.05),  # Thành phố Lai Châu
    106: ((103.60, 22.36), 0.12),  # Tam Đường
    107: ((102.62, 22.40), 0.20),  # Mường Tè
    108: ((103.22, 22.33), 0.14),  # Sìn Hồ
    109: ((103.36, 22.57), 0.13),  # Phong Thổ
    110: ((103.82, 21.97), 0.12),  # Than Uyên
    111: ((103.74, 22.17), 0.09),  # Tân Uyên
    112: ((102.98, 22.18), 0.12),  # Nậm Nhùn
}

# A rough outline of the province, (longitude, latitude), counter-clockwise.
OUTLINE = [
    (102.14, 22.42),
    (102.30, 22.26),
    (102.55, 22.12),
    (102.80, 22.03),
    (103.05, 21.98),
    (103.32, 21.90),
    (103.55, 21.78),
    (103.70, 21.66),
    (103.90, 21.70),
    (104.05, 21.88),
    (104.02, 22.10),
    (103.92, 22.28),
    (103.80, 22.42),
    (103.66, 22.55),
    (103.52, 22.70),
    (103.32, 22.80),
    (103.10, 22.76),
    (102.90, 22.64),
    (102.68, 22.70),
    (102.45, 22.66),
    (102.25, 22.56),
]
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def communes() -> list[tuple[str, str, int]]:
    """(code, name, former district) of every current commune of the province, in code order."""
    from vietnam_provinces import Ward
    from vietnam_provinces import _ward_conversion_2025 as conversion

    districts: dict[int, Counter] = {}
    for entry in conversion.OLD_TO_NEW.values():
        if entry.old_ward.province_code != PROVINCE:
            continue
        for new in entry.new_wards:
            districts.setdefault(int(new.code), Counter())[int(entry.old_ward.district_code)] += 1
    out = []
    for w in sorted(Ward.iter_all(), key=lambda w: int(w.code)):
        if int(w.province_code) != PROVINCE:
            continue
        counts = districts[int(w.code)]
        district = max(sorted(counts), key=lambda d: counts[d])
        out.append((f"{int(w.code):05d}", w.name, district))
    return out


def points(items: list[tuple[str, str, int]]) -> list[tuple[float, float]]:
    seen: Counter = Counter()
    totals = Counter(d for _c, _n, d in items)
    out = []
    for _code, _name, district in items:
        (x, y), spread = DISTRICTS[district]
        i = seen[district]
        seen[district] += 1
        if totals[district] == 1:
            out.append((x, y))
            continue
        r = spread * math.sqrt((i + 0.5) / totals[district])
        a = i * GOLDEN_ANGLE
        out.append((x + r * math.cos(a), y + r * math.sin(a) * 0.8))
    return out


def clip(polygon: list[tuple[float, float]], a: float, b: float, c: float) -> list[tuple[float, float]]:
    """The part of `polygon` where a·x + b·y ≤ c (Sutherland–Hodgman against one half-plane)."""
    out = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def cell(i: int, sites: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The outline clipped to the points nearer to site i than to any other site."""
    polygon = list(OUTLINE)
    px, py = sites[i]
    for j, (qx, qy) in enumerate(sites):
        if j == i:
            continue
        # |x - p|² ≤ |x - q|²  ⇔  2(q - p)·x ≤ |q|² - |p|²
        polygon = clip(polygon, 2 * (qx - px), 2 * (qy - py), qx * qx + qy * qy - px * px - py * py)
        if not polygon:
            break
    return polygon


def main() -> None:
    items = communes()
    sites = points(items)
    features = []
    for i, (code, name, _district) in enumerate(items):
        ring = [[round(x, 4), round(y, 4)] for x, y in cell(i, sites)]
        if len(ring) < 3:
            raise SystemExit(f"commune {code} {name}: its point lies outside the outline; move it")
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {"ma_xa": code, "ten_xa": name, "sample": True},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    data = {
        "type": "FeatureCollection",
        "name": "lai-chau-sample",
        "description": (
            "SAMPLE made by the hoptac project (scripts/make_sample_geojson.py): approximate shapes, a Voronoi "
            "tessellation of rough points of the current communes of Lai Châu; not official boundaries."
        ),
        "features": features,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(features)} communes")


if __name__ == "__main__":
    main()
