"""Map layers: the GeoJSON an administrator uploads is checked, matched to communes, and refused with a
message naming the problem; the project's sample loads for the demo."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from hoptac.web.geo import check_geojson
from hoptac.web.models import GeoLayer
from hoptac.web.services import SAMPLE_FILE, geolayer_load_sample, geolayer_save

SQUARE = [[[103.8, 21.9], [103.9, 21.9], [103.9, 22.0], [103.8, 22.0], [103.8, 21.9]]]


pytestmark = pytest.mark.usefixtures("english")  # the tests read messages in English


def feature(code, *, prop="ma_xa", geometry=None):
    return {
        "type": "Feature",
        "properties": {prop: code, "ten": "x"},
        "geometry": geometry or {"type": "Polygon", "coordinates": SQUARE},
    }


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def messages(content, unit, prop="ma_xa"):
    with translation.override("en"):
        return check_geojson(content, unit=unit, code_property=prop)


def test_features_are_matched_to_the_communes_of_the_area_by_code(units):
    check = messages(collection(feature("03595"), feature(3598), feature("99999")), units.lai_chau)
    assert check.ok
    assert {c.code for c in check.matched.values()} == {"03595", "03598"}
    assert [u["code"] for u in check.unmatched] == ["99999"]
    assert "feature 3 (99999)" in check.unmatched_message()


def test_a_commune_of_another_province_does_not_match(units):
    other = units.xa_dien_bien_commune.code
    check = messages(collection(feature("03595"), feature(other)), units.lai_chau)
    assert [u["code"] for u in check.unmatched] == [other]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "not text in UTF-8"),
        (
            json.dumps({"type": "Feature"}).encode(),
            "must be a GeoJSON FeatureCollection; its type is “Feature”",
        ),
        (json.dumps([1, 2]).encode(), "must be a GeoJSON FeatureCollection"),
        (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "has no features"),
        (collection({"type": "Point"}), "Feature 1 is not a GeoJSON Feature"),
        (
            collection(feature("03595", geometry={"type": "Point", "coordinates": [103.8, 21.9]})),
            "Feature 1: its geometry is Point",
        ),
        (
            collection(feature("03595", geometry={"type": "Polygon", "coordinates": [[[1, 2], [3, 4]]]})),
            "Feature 1: its coordinates are not a valid polygon",
        ),
        (
            collection(
                feature(
                    "03595",
                    geometry={
                        "type": "Polygon",
                        "coordinates": [
                            [[500000, 2400000], [500100, 2400000], [500100, 2400100], [500000, 2400000]]
                        ],
                    },
                )
            ),
            "Feature 1: its coordinates are not longitude/latitude",
        ),
        (collection(feature("03595"), feature("3595")), "Features 1 and 2 both have the commune code 03595"),
        (collection(feature("99999")), "No feature matches a commune of Tỉnh Lai Châu"),
        (collection(feature("03595", prop="code")), "No feature matches a commune"),
    ],
)
def test_a_file_that_cannot_be_used_is_refused_with_a_message_naming_the_problem(units, content, expected):
    check = messages(content, units.lai_chau)
    assert not check.ok
    assert any(expected in e for e in check.errors), check.errors


def test_a_file_over_the_size_limit_is_refused(units, settings):
    settings.HOPTAC_GEOJSON_MAX_BYTES = 100
    check = messages(collection(feature("03595"), feature("03598")), units.lai_chau)
    assert not check.ok and "the limit is" in check.errors[0]


def test_the_service_stores_the_file_and_what_matched(units, people):
    layer = GeoLayer(name="Ranh giới xã", unit=units.lai_chau, code_property="ma_xa")
    layer, _check = geolayer_save(
        layer=layer,
        content=collection(feature("03595"), feature("77777")),
        filename="xa.geojson",
        actor=people.admin,
    )
    layer.refresh_from_db()
    assert (layer.feature_count, layer.matched_count) == (2, 1)
    assert layer.unmatched[0]["code"] == "77777"
    assert layer.uploaded_by == people.admin and layer.file.name.startswith("geo/xa")


def test_the_service_refuses_a_bad_file_and_writes_nothing(units, people):
    layer = GeoLayer(name="Hỏng", unit=units.lai_chau, code_property="ma_xa")
    with pytest.raises(ValidationError):
        geolayer_save(layer=layer, content=b"[]", filename="x.geojson", actor=people.admin)
    assert not GeoLayer.objects.exists()


def test_only_system_administrators_upload_layers(units, people):
    layer = GeoLayer(name="Ranh giới", unit=units.lai_chau, code_property="ma_xa")
    with pytest.raises(PermissionDenied):
        geolayer_save(
            layer=layer, content=collection(feature("03595")), filename="x.geojson", actor=people.province
        )


def test_admin_upload_reports_unmatched_features_and_refuses_a_bad_file(client, units, people):
    client.force_login(people.admin)
    url = "/admin/web/geolayer/add/"
    good = SimpleUploadedFile(
        "xa.geojson", collection(feature("03595"), feature("88888")), "application/geo+json"
    )
    response = client.post(
        url,
        {"name": "Xã Lai Châu", "unit": units.lai_chau.pk, "code_property": "ma_xa", "file": good},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 feature(s) match no commune" in body and "88888" in body
    assert GeoLayer.objects.get().matched_count == 1

    bad = SimpleUploadedFile("bad.geojson", b'{"type": "Feature"}', "application/geo+json")
    response = client.post(
        url,
        {"name": "Hỏng", "unit": units.lai_chau.pk, "code_property": "ma_xa", "file": bad},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, with the error beside the file
    assert "must be a GeoJSON FeatureCollection" in response.content.decode()
    assert GeoLayer.objects.count() == 1


def test_officers_cannot_reach_the_layers_admin(client, people):
    client.force_login(people.province)
    assert client.get("/admin/web/geolayer/add/").status_code in (302, 403)


def test_the_sample_map_matches_every_current_commune_of_lai_chau_and_loads_once(units):
    layer = geolayer_load_sample()
    assert layer.is_sample and layer.unit == units.lai_chau
    assert layer.feature_count == layer.matched_count == 38 and layer.unmatched == []
    assert geolayer_load_sample().pk == layer.pk
    assert GeoLayer.objects.count() == 1
    assert json.loads(SAMPLE_FILE.read_text())["features"][0]["properties"]["sample"] is True
