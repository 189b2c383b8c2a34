"""Writes of the web app: map layers (uploaded by an administrator, or the project's sample)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hoptac.accounts.models import User
from hoptac.units.models import Unit

from .geo import GeoCheck, check_geojson
from .models import GeoLayer

SAMPLE_FILE = Path(__file__).resolve().parent / "fixtures" / "geo" / "lai-chau-sample.geojson"
SAMPLE_NAME = "Lai Châu — bản đồ mẫu (ranh giới gần đúng)"
SAMPLE_PROVINCE = "12"
SAMPLE_PROPERTY = "ma_xa"


@transaction.atomic
def geolayer_save(
    *,
    layer: GeoLayer,
    content: bytes,
    filename: str,
    actor: User | None,
) -> tuple[GeoLayer, GeoCheck]:
    """Check `content` against the layer's unit and code property, then store the file and the layer.

    Raises ValidationError (listing every problem, each naming the feature) when the file cannot be used;
    features that match no commune are kept in `layer.unmatched` and returned in the check. Only system
    administrators (or no actor: the demo loader) upload layers.
    """
    if actor is not None and not actor.is_admin_role:
        raise PermissionDenied
    check = check_geojson(content, unit=layer.unit, code_property=layer.code_property)
    if not check.ok:
        raise ValidationError({"file": check.errors})
    layer.feature_count = check.feature_count
    layer.matched_count = len(check.matched)
    layer.unmatched = check.unmatched
    layer.uploaded_by = actor
    layer.uploaded_at = timezone.now()
    name = Path(filename).name or "layer.geojson"
    if not name.lower().endswith((".geojson", ".json")):
        name += ".geojson"
    layer.file.save(name, ContentFile(content), save=False)
    layer.full_clean()
    layer.save()
    return layer, check


def geolayer_load_sample() -> GeoLayer:
    """The project's sample map of Lai Châu's current communes, for the demo (idempotent).

    Approximate shapes (scripts/make_sample_geojson.py), flagged `is_sample` so that the map says so.
    Needs the units loaded; a second call finds the layer in place and writes nothing.
    """
    province = Unit.objects.get(era=Unit.Era.CURRENT, level=Unit.Level.PROVINCE, code=SAMPLE_PROVINCE)
    existing = GeoLayer.objects.filter(is_sample=True, unit=province).first()
    if existing is not None and existing.file and existing.file.storage.exists(existing.file.name):
        return existing
    layer = existing or GeoLayer(
        name=SAMPLE_NAME, unit=province, code_property=SAMPLE_PROPERTY, is_sample=True
    )
    layer, _check = geolayer_save(
        layer=layer, content=SAMPLE_FILE.read_bytes(), filename=SAMPLE_FILE.name, actor=None
    )
    return layer
