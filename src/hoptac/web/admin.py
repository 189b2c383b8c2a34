"""Map layers in Django's admin: a system administrator uploads a GeoJSON of communes.

The form checks the file (size, JSON, FeatureCollection, polygons in longitude/latitude, the commune
code of every feature against the communes under the chosen area) before services.geolayer_save
stores it; features that match no commune are reported in a warning and kept on the layer's page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hoptac.units.models import Unit

from . import services
from .geo import GeoCheck, check_geojson, max_bytes
from .models import GeoLayer


class GeoLayerForm(forms.ModelForm):
    class Meta:
        model = GeoLayer
        fields = ("name", "unit", "code_property", "file", "is_sample")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.exclude(level=Unit.Level.COMMUNE)
        self.check: GeoCheck | None = None
        self.content: bytes | None = None

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and hasattr(upload, "size") and upload.size > max_bytes():
            raise ValidationError(
                gettext("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": f"{upload.size / 1_048_576:.1f}", "limit": f"{max_bytes() / 1_048_576:.1f}"}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        # A new upload is read and checked; the stored file is checked again when the area or the
        # property changes (renaming a layer reads nothing).
        if upload is None or "file" in self.errors:
            return data
        if "file" not in self.changed_data and not {"unit", "code_property"} & set(self.changed_data):
            return data
        upload.seek(0)
        self.content = upload.read()
        self.check = check_geojson(
            self.content, unit=data.get("unit"), code_property=data.get("code_property") or ""
        )
        for error in self.check.errors:
            self.add_error("file", error)
        return data


@admin.register(GeoLayer)
class GeoLayerAdmin(admin.ModelAdmin):
    form = GeoLayerForm
    list_display = (
        "name",
        "unit",
        "feature_count",
        "matched_count",
        "is_sample",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("is_sample",)
    search_fields = ("name",)
    readonly_fields = ("feature_count", "matched_count", "unmatched_list", "uploaded_by", "uploaded_at")

    @admin.display(description=_("features not matched"))
    def unmatched_list(self, obj: GeoLayer) -> str:
        if not obj.unmatched:
            return "—"
        return "; ".join(
            f"#{u['index']} {u.get('code') or '—'}: {u.get('reason', '')}" for u in obj.unmatched
        )

    def _is_admin(self, request: HttpRequest) -> bool:
        return bool(request.user.is_authenticated and request.user.is_admin_role)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_admin(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_admin(request)

    def save_model(self, request, obj, form, change):
        content = form.content
        if content is None:  # nothing uploaded again: keep the stored file
            obj.save()
            return
        filename = getattr(form.cleaned_data.get("file"), "name", "") or "layer.geojson"
        _layer, check = services.geolayer_save(
            layer=obj, content=content, filename=filename, actor=request.user
        )
        message = check.unmatched_message()
        if message:
            messages.warning(request, message)
        messages.info(
            request,
            gettext("%(matched)s of %(count)s features matched a commune.")
            % {"matched": len(check.matched), "count": check.feature_count},
        )
