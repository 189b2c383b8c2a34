"""Export then import changes nothing: the registry export, its CSV, and the template share their columns."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from hoptac.imports.columns import EXPORT_KEYS, REGISTRY_FIELDS
from hoptac.imports.reader import read_bytes
from hoptac.imports.registry import RegistryImport, import_registry
from hoptac.imports.template import registry_template
from hoptac.registry import exports
from hoptac.registry.models import Organisation, Sector, Status, StatusChange
from hoptac.registry.queries import organisation_list_queryset
from hoptac.registry.services import organisation_change_status


@pytest.fixture
def registry(make_org, units, people):
    sector = {s.code: s for s in Sector.objects.all()}
    orgs = [
        make_org(
            "HTX Nông nghiệp Mường Cang",
            code="6201000001",
            sector=sector["nong-nghiep"],
            subsector=sector["trong-trot"],
            founded_on=datetime.date(2018, 3, 1),
            charter_capital=Decimal("1234.5"),
            supporter="hnd",
            union_member=True,
            address="Bản Mường Cang",
            law="2023",
        ),
        # A legacy commune, and a current one, both founded before the reform and without a code.
        make_org("HTX Thị trấn cũ", unit=units.tt_than_uyen, founded_on=datetime.date(2012, 7, 9)),
        make_org("HTX Xã mới, đăng ký cũ", unit=units.xa_than_uyen, founded_on=datetime.date(2015, 1, 1)),
        make_org("THT Tân Uyên", kind="tht", unit=units.xa_tan_uyen, sector=sector["xay-dung"], law="civil"),
        make_org(
            "HTX Sau sáp nhập",
            code="6201000005",
            unit=units.xa_than_uyen,
            founded_on=datetime.date(2025, 9, 1),
            sector=sector["thuong-mai"],
            charter_capital=Decimal("0.5"),
        ),
        make_org(
            "Quỹ tín dụng nhân dân Than Uyên", kind="qtdnd", sector=sector["tin-dung"], code="6201000006"
        ),
        make_org(
            "HTX Xã Mường Than cũ",
            unit=units.than_uyen_district.children.get(code="03619"),
            founded_on=datetime.date(2010, 5, 5),
        ),
    ]
    organisation_change_status(
        org=orgs[1],
        actor=people.admin,
        status=Status.DISSOLVED,
        effective_on=datetime.date(2020, 5, 4),
        decision_number="12/QĐ",
    )
    organisation_change_status(
        org=orgs[3], actor=people.admin, status=Status.SUSPENDED, effective_on=datetime.date(2024, 2, 2)
    )
    return orgs


def snapshot():
    return (
        list(Organisation.objects.order_by("pk").values()),
        StatusChange.objects.count(),
        Organisation.history.count(),
    )


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(registry, people, language, fmt):
    with translation.override(language):
        rows = exports.organisation_rows(organisation_list_queryset(people.admin, {}))
        content = exports.write_xlsx(rows, title="Tổ chức") if fmt == "xlsx" else exports.write_csv(rows)
    before = snapshot()

    with translation.override("vi"):
        result = import_registry(read_bytes(content), actor=people.admin, source=f"export.{fmt}")

    assert result.errors == []
    assert [(a.name, a.changes) for a in result.actions if a.changes] == []
    assert result.counts() == {"rows": len(registry), "created": 0, "updated": 0, "unchanged": len(registry)}
    assert snapshot() == before


def test_every_export_column_is_recognised_by_the_import(db):
    for language in ("vi", "en"):
        with translation.override(language):
            for column in exports.COLUMNS:
                field, quality = REGISTRY_FIELDS.match(str(column.header))
                assert field == EXPORT_KEYS[column.key], (language, column.key, str(column.header))
                assert quality == 2


def test_a_commune_officer_exports_and_reimports_his_own_list(registry, people):
    rows = exports.organisation_rows(organisation_list_queryset(people.commune, {}))
    content = exports.write_xlsx(rows, title="Xã Than Uyên")
    mine = organisation_list_queryset(people.commune, {}).count()
    before = snapshot()

    result = import_registry(read_bytes(content), actor=people.commune)

    assert result.counts() == {"rows": mine, "created": 0, "updated": 0, "unchanged": mine}
    assert snapshot() == before


def test_an_export_imported_into_an_empty_registry_recreates_it(registry, people):
    content = exports.write_xlsx(
        exports.organisation_rows(organisation_list_queryset(people.admin, {})), title="x"
    )
    wanted = {
        o.name: (
            o.code,
            o.kind,
            o.sector_id,
            o.subsector_id,
            o.current_commune_id,
            o.founded_on,
            o.status,
            o.ended_on,
        )
        for o in Organisation.objects.all()
    }
    StatusChange.objects.all().delete()
    Organisation.objects.all().delete()

    result = import_registry(read_bytes(content), actor=people.admin)

    assert result.counts()["created"] == len(wanted)
    got = {
        o.name: (
            o.code,
            o.kind,
            o.sector_id,
            o.subsector_id,
            o.current_commune_id,
            o.founded_on,
            o.status,
            o.ended_on,
        )
        for o in Organisation.objects.all()
    }
    assert got == wanted


def test_the_template_has_the_export_columns_notes_and_dropdowns(db):
    content = registry_template()
    book = read_bytes(content)
    sheet = book.sheets[0]
    with translation.override("vi"):
        assert [str(v) for v in sheet.rows[1][: len(exports.COLUMNS)]] == exports.headers()
    # The notes row is recognised as such: an empty template has no data rows.
    importer = RegistryImport(book)
    assert importer.layout.header_row_numbers == [2]
    import zipfile

    xml = zipfile.ZipFile(__import__("io").BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count("<dataValidation ") >= 7  # kind, sector, sub-sector, law, supporter, member, status …
    assert 'type="list"' in xml and 'type="date"' in xml
    lists = book.sheets[1]
    assert not lists.visible
    labels = {str(v) for row in lists.rows for v in row}
    assert {str(Status.DISSOLVED.label), "Xây dựng"} <= labels or {"Dissolved", "Xây dựng"} <= labels


def test_a_filled_template_imports(db, units, people):
    import io

    import xlsxwriter
    from python_calamine import CalamineWorkbook

    content = registry_template()
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(content))
        .get_sheet_by_index(0)
        .to_python(skip_empty_area=False)
    )
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet()
    for r, row in enumerate(rows[:3]):
        for c, value in enumerate(row):
            if value != "":
                ws.write_string(r, c, str(value))
    keys = [c.key for c in exports.COLUMNS]
    values = {
        "name": "HTX Điền Mẫu",
        "kind": str(Organisation._meta.get_field("kind").choices[1][1]),
        "sector": "Nông nghiệp",
        "commune": "Xã Than Uyên",
        "founded_on": "01/08/2025",
        "status": "Đang hoạt động",
    }
    for key, value in values.items():
        ws.write_string(3, keys.index(key), value)
    book.close()

    result = import_registry(read_bytes(out.getvalue()), actor=people.commune)

    assert result.errors == [] and result.counts()["created"] == 1
    assert Organisation.objects.get(name="HTX Điền Mẫu").current_commune == units.xa_than_uyen
