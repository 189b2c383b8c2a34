"""GeoJSON layers of communes: checking an upload, matching its features to communes, reading it back.

An upload must be a GeoJSON FeatureCollection (RFC 7946) of Polygon or MultiPolygon features in
longitude/latitude, each with a property holding the commune's official code (`ma_xa` in the sample).
Features are matched to the communes under the layer's unit (same era); those that match no commune are
reported, not refused, as long as one matches (a file of a whole region may be uploaded for one of its
provinces). Everything else is an error that names the feature.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from hoptac.units.models import Unit

# An upload larger than this is refused (settings.HOPTAC_GEOJSON_MAX_BYTES overrides it): the map page
# sends the layer to the browser, and a commune's shape needs no survey-grade detail.
DEFAULT_MAX_BYTES = 8 * 1024 * 1024
GEOMETRIES = ("Polygon", "MultiPolygon")
# Beyond this many problems the messages stop listing them.
MAX_LISTED = 10


def max_bytes() -> int:
    return int(getattr(settings, "HOPTAC_GEOJSON_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass
class GeoCheck:
    """What checking a GeoJSON file found."""

    errors: list[str] = field(default_factory=list)
    feature_count: int = 0
    matched: dict[int, Unit] = field(default_factory=dict)  # feature index → commune
    unmatched: list[dict[str, Any]] = field(default_factory=list)  # {"index", "code", "reason"}

    @property
    def ok(self) -> bool:
        return not self.errors

    def unmatched_message(self) -> str:
        """One sentence listing the features that match no commune (empty when all do)."""
        if not self.unmatched:
            return ""
        listed = ", ".join(
            _("feature %(index)s (%(code)s)") % {"index": u["index"], "code": u["code"] or "—"}
            for u in self.unmatched[:MAX_LISTED]
        )
        if len(self.unmatched) > MAX_LISTED:
            listed += ", …"
        return _("%(count)s feature(s) match no commune and will not be shown: %(list)s.") % {
            "count": len(self.unmatched),
            "list": listed,
        }


def normalise_code(value: Any) -> str:
    """A commune code as the units hold it: 5 digits, zero-padded ("3595" and 3595 → "03595")."""
    text = str(value).strip() if value is not None else ""
    if text.endswith(".0") and text[:-2].isdigit():  # a code written as a number by a spreadsheet
        text = text[:-2]
    return text.zfill(5) if text.isdigit() else text


def communes_under(unit: Unit) -> dict[str, Unit]:
    """The communes of the unit's era under it, by code (one query)."""
    if unit.level == Unit.Level.COMMUNE:
        return {unit.code: unit}
    qs = Unit.objects.filter(level=Unit.Level.COMMUNE, era=unit.era, path__startswith=unit.path)
    return {u.code: u for u in qs}


def _positions(geometry: dict) -> list:
    """Every [x, y] position of a Polygon or MultiPolygon (raises ValueError when malformed)."""
    coords = geometry.get("coordinates")
    polygons = [coords] if geometry["type"] == "Polygon" else coords
    if not isinstance(polygons, list) or not polygons:
        raise ValueError
    out = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValueError
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                raise ValueError
            for position in ring:
                if (
                    not isinstance(position, list)
                    or len(position) < 2
                    or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
                ):
                    raise ValueError
                out.append(position)
    return out


def check_geojson(content: bytes, *, unit: Unit | None, code_property: str) -> GeoCheck:
    """Check an uploaded file; `unit` None checks the format only (the form reports the missing area)."""
    result = GeoCheck()
    limit = max_bytes()
    if len(content) > limit:
        result.errors.append(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. Simplify the shapes (e.g. with mapshaper)."
            )
            % {"size": f"{len(content) / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.1f}"}
        )
        return result
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        result.errors.append(_("The file is not text in UTF-8: save it as GeoJSON (UTF-8)."))
        return result
    except json.JSONDecodeError as err:
        result.errors.append(
            _("The file is not valid JSON: %(error)s at line %(line)s, column %(column)s.")
            % {"error": err.msg, "line": err.lineno, "column": err.colno}
        )
        return result
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        found = data.get("type") if isinstance(data, dict) else type(data).__name__
        result.errors.append(
            _("The file must be a GeoJSON FeatureCollection; its type is “%(type)s”.") % {"type": found}
        )
        return result
    features = data.get("features")
    if not isinstance(features, list) or not features:
        result.errors.append(_("The FeatureCollection has no features."))
        return result
    result.feature_count = len(features)
    communes = communes_under(unit) if unit is not None else {}
    seen: dict[str, int] = {}
    problems: list[str] = []
    for index, feature in enumerate(features, start=1):
        where = {"index": index}
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(_("Feature %(index)s is not a GeoJSON Feature.") % where)
            continue
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
            kind = geometry.get("type") if isinstance(geometry, dict) else None
            problems.append(
                _("Feature %(index)s: its geometry is %(type)s; a commune needs a Polygon or MultiPolygon.")
                % {**where, "type": kind or _("missing")}
            )
            continue
        try:
            positions = _positions(geometry)
        except ValueError:
            problems.append(_("Feature %(index)s: its coordinates are not a valid polygon.") % where)
            continue
        if any(not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90) for p in positions):
            problems.append(
                _(
                    "Feature %(index)s: its coordinates are not longitude/latitude (WGS 84); reproject the file "
                    "(VN-2000 metres cannot be shown)."
                )
                % where
            )
            continue
        properties = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        if code_property not in properties:
            result.unmatched.append(
                {"index": index, "code": "", "reason": _("no property “%(name)s”") % {"name": code_property}}
            )
            continue
        code = normalise_code(properties[code_property])
        if code in seen:
            problems.append(
                _("Features %(first)s and %(index)s both have the commune code %(code)s.")
                % {"first": seen[code], "index": index, "code": code}
            )
            continue
        seen[code] = index
        if unit is None:
            continue
        commune = communes.get(code)
        if commune is None:
            result.unmatched.append(
                {
                    "index": index,
                    "code": code,
                    "reason": _("no commune of %(unit)s has this code") % {"unit": unit.name},
                }
            )
            continue
        result.matched[index] = commune
    result.errors.extend(problems[:MAX_LISTED])
    if len(problems) > MAX_LISTED:
        result.errors.append(_("… and %(count)s more problems.") % {"count": len(problems) - MAX_LISTED})
    if unit is not None and not result.errors and not result.matched:
        result.errors.append(
            _(
                "No feature matches a commune of %(unit)s by the property “%(name)s”: check the area and the "
                "property's name."
            )
            % {"unit": unit.name, "name": code_property}
        )
    return result


# -- reading a stored layer -----------------------------------------------------------------------------

_READ_CACHE: dict[tuple, list[dict]] = {}
_READ_CACHE_SIZE = 8


def layer_features(layer) -> list[dict]:
    """The layer's features as {"code", "geometry"} (only those with a code), read once per upload."""
    key = (layer.pk, layer.file.name, layer.uploaded_at)
    cached = _READ_CACHE.get(key)
    if cached is not None:
        return cached
    with layer.file.open("rb") as fh:
        data = json.loads(fh.read().decode("utf-8-sig"))
    out = []
    for feature in data.get("features", []):
        properties = feature.get("properties") or {}
        if layer.code_property in properties and feature.get("geometry"):
            out.append(
                {"code": normalise_code(properties[layer.code_property]), "geometry": feature["geometry"]}
            )
    if len(_READ_CACHE) >= _READ_CACHE_SIZE:
        _READ_CACHE.pop(next(iter(_READ_CACHE)))
    _READ_CACHE[key] = out
    return out
