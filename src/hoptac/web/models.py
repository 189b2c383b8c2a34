"""Map layers: the communes' polygons that an administrator uploads as GeoJSON, for the choropleth map."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoptac.units.models import Unit


class GeoLayer(models.Model):
    """A GeoJSON FeatureCollection of communes' polygons, each feature matched to a commune by a code."""

    name = models.CharField(_("name"), max_length=120)
    file = models.FileField(
        _("GeoJSON file"),
        upload_to="geo/",
        help_text=_("A GeoJSON FeatureCollection of polygons in longitude/latitude (WGS 84)."),
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("area covered"),
        on_delete=models.PROTECT,
        related_name="geo_layers",
        help_text=_("The province (or former district) whose communes the features are."),
    )
    code_property = models.CharField(
        _("property holding the commune code"),
        max_length=60,
        default="ma_xa",
        help_text=_("The name of the feature property that holds the commune's official code (e.g. ma_xa)."),
    )
    is_sample = models.BooleanField(
        _("sample"),
        default=False,
        help_text=_("Approximate shapes made for the demo, not official boundaries: the map says so."),
    )
    feature_count = models.PositiveIntegerField(_("features"), default=0, editable=False)
    matched_count = models.PositiveIntegerField(_("features matched to a commune"), default=0, editable=False)
    unmatched = models.JSONField(_("features not matched"), default=list, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("map layer")
        verbose_name_plural = _("map layers")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.name
