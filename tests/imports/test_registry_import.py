"""The registry import: a district office's file as it comes, bad files refused whole, scope, dry run."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from hoptac.imports.reader import ImportFileError
from hoptac.imports.registry import import_registry
from hoptac.registry.models import Organisation, Status, StatusChange

from .conftest import Formula, district_rows, workbook, xlsx_bytes

HEADER = [
    "Tên HTX",
    "Mã số HTX",
    "Xã",
    "Huyện",
    "Lĩnh vực",
    "Ngày thành lập",
    "Vốn điều lệ (triệu đồng)",
    "Tình trạng",
]


def good_row(name="HTX Nông nghiệp Mường Cang", code="6207000201", commune="Xã Mường Cang", **over):
    row = {
        "name": name,
        "code": code,
        "commune": commune,
        "district": "Huyện Than Uyên",
        "sector": "Nông nghiệp",
        "founded": "05/03/2018",
        "capital": "1.234,5",
        "status": "Đang hoạt động",
    }
    row.update(over)
    return [row[k] for k in ("name", "code", "commune", "district", "sector", "founded", "capital", "status")]


def snapshot():
    return (
        Organisation.objects.count(),
        StatusChange.objects.count(),
        Organisation.history.count(),
        list(Organisation.objects.order_by("pk").values_list("name", "charter_capital", "status")),
    )


def test_district_office_file_imports_without_edits_and_counts_match(db, units, people):
    book = workbook(xlsx_bytes(district_rows(timezone.localdate())))

    result = import_registry(book, actor=people.admin, source="than-uyen.xlsx")

    assert result.errors == []
    assert result.counts() == {"rows": 5, "created": 5, "updated": 0, "unchanged": 0}
    assert result.layout.header_row_numbers == [5]
    orgs = {o.name: o for o in Organisation.objects.select_related("unit", "unit__parent")}
    assert len(orgs) == 5
    # Legacy names: the town and the former commune of that name, before the reform.
    town = orgs["HTX Dịch vụ Thương mại Than Uyên"]
    assert (town.unit.era, town.unit.code, town.unit.name) == ("legacy", "03595", "Thị trấn Than Uyên")
    assert town.current_commune == units.xa_than_uyen
    assert orgs["HTX Vận tải Than Uyên"].unit == units.tt_than_uyen
    tea = orgs["HTX Chè Mường Than"]
    assert (tea.unit.era, tea.unit.code) == ("legacy", "03619")  # the former Xã Mường Than, not today's 03618
    assert tea.founded_on == datetime.date(2015, 2, 1)
    assert tea.charter_capital == Decimal("35874")
    assert (tea.status, tea.ended_on) == (Status.DISSOLVED, datetime.date(2022, 10, 20))
    dissolution = tea.status_changes.get(status=Status.DISSOLVED)
    assert (dissolution.effective_on, dissolution.decision_number) == (
        datetime.date(2022, 10, 20),
        "123/QĐ-UBND",
    )
    assert orgs["HTX Vận tải Than Uyên"].ended_on == datetime.date(2023, 1, 5)
    cang = orgs["HTX Nông nghiệp Mường Cang"]
    assert (cang.code, cang.charter_capital, cang.founded_on) == (
        "6207000101",
        Decimal("1234.5"),
        datetime.date(2018, 3, 5),
    )
    assert cang.sector.code == "nong-nghiep"
    assert orgs["HTX Chè Mường Than"].subsector.code == "trong-trot"
    group = orgs["Tổ hợp tác Dệt thổ cẩm Hua Nà"]
    assert (group.kind, group.status) == ("tht", Status.SUSPENDED)
    # Every organisation has its registration entry and its history, as the services write them.
    assert StatusChange.objects.filter(status=Status.ACTIVE).count() == 5
    assert Organisation.history.filter(history_type="+").count() == 5
    assert Organisation.history.first().history_change_reason


def test_each_new_organisation_has_the_history_record_simple_history_would_write(db, units, people):
    import_registry(
        workbook(xlsx_bytes(district_rows(timezone.localdate()))), actor=people.province, source="f.xlsx"
    )

    history = Organisation.history.model
    tracked = [f.attname for f in history.tracked_fields]
    for org in Organisation.objects.all():
        record = org.history.get()
        assert (record.history_type, record.history_user) == ("+", people.province)
        assert "f.xlsx" in record.history_change_reason
        assert {name: getattr(record, name) for name in tracked} == {
            name: getattr(org, name) for name in tracked
        }
        assert record.instance.status == org.status


def test_importing_the_same_file_again_changes_nothing(db, units, people):
    book = workbook(xlsx_bytes(district_rows(timezone.localdate())))
    import_registry(book, actor=people.admin)
    before = snapshot()

    result = import_registry(book, actor=people.admin)

    assert result.counts() == {"rows": 5, "created": 0, "updated": 0, "unchanged": 5}
    assert snapshot() == before


def test_the_same_commune_name_after_the_reform_is_the_current_commune(db, units, people):
    rows = [
        HEADER,
        good_row("HTX Mới Mường Than", "6207000301", "Xã Mường Than", founded="10/08/2025"),
        good_row("HTX Cũ Mường Than", "6207000302", "Xã Mường Than", founded="10/08/2019"),
    ]
    import_registry(workbook(xlsx_bytes(rows)), actor=people.admin)

    new = Organisation.objects.get(code="6207000301")
    old = Organisation.objects.get(code="6207000302")
    assert (new.unit.era, new.unit.code) == ("current", "03618")
    assert (old.unit.era, old.unit.code) == ("legacy", "03619")


def test_an_update_by_code_changes_only_what_the_file_gives(db, units, people, make_org):
    org = make_org("HTX Cũ", code="6207000401", unit=units.xa_than_uyen, address="Bản Mường Cang")
    rows = [["Mã số HTX", "Tên HTX", "Vốn điều lệ"], ["6207000401", "HTX Nông nghiệp Mới", "250"]]

    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.admin)

    assert result.counts()["updated"] == 1
    assert result.actions[0].changes == ["name", "charter_capital"]
    org.refresh_from_db()
    assert (org.name, org.charter_capital, org.address) == (
        "HTX Nông nghiệp Mới",
        Decimal("250"),
        "Bản Mường Cang",
    )
    assert org.history.count() == 2 and org.history.first().history_type == "~"


def test_an_organisation_without_code_is_matched_by_name_and_commune(db, units, people, make_org):
    org = make_org("HTX Rau An Toàn Than Uyên", unit=units.xa_than_uyen)
    rows = [["Tên HTX", "Xã", "Vốn điều lệ"], ["HTX rau an toàn THAN UYÊN", "Xã Than Uyên", "99"]]

    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.admin)

    assert result.counts() == {"rows": 1, "created": 0, "updated": 1, "unchanged": 0}
    org.refresh_from_db()
    assert org.charter_capital == Decimal("99")


def test_a_dissolution_in_the_file_records_the_status_change(db, units, people, make_org):
    org = make_org("HTX Sắp Giải Thể", code="6207000501", unit=units.xa_than_uyen)
    rows = [
        ["Mã số HTX", "Tên HTX", "Tình trạng", "Ngày giải thể", "Số QĐ giải thể"],
        ["6207000501", "HTX Sắp Giải Thể", "Đã giải thể", "15/01/2024", "45/QĐ-UBND"],
    ]

    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.admin)

    assert result.actions[0].changes == ["status"]
    org.refresh_from_db()
    assert (org.status, org.ended_on) == (Status.DISSOLVED, datetime.date(2024, 1, 15))
    change = org.status_changes.order_by("-effective_on").first()
    assert (change.status, change.decision_number, change.recorded_by) == (
        Status.DISSOLVED,
        "45/QĐ-UBND",
        people.admin,
    )


def test_dry_run_writes_nothing_and_reports_each_row(db, units, people, make_org):
    make_org("HTX Đã Có", code="6207000601", unit=units.xa_than_uyen)
    rows = [
        HEADER,
        good_row("HTX Đã Có", "6207000601", "Xã Than Uyên", district=None, capital="5"),
        good_row("HTX Mới", "6207000602"),
    ]
    before = snapshot()

    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.admin, dry_run=True)

    assert [(a.row, a.action) for a in result.actions] == [(2, "update"), (3, "create")]
    assert result.counts() == {"rows": 2, "created": 1, "updated": 1, "unchanged": 0}
    assert not result.written
    assert snapshot() == before


# --- bad files: every error named by row, nothing written ------------------------------------------


def test_a_file_with_bad_rows_is_refused_whole_with_every_error_named(db, units, people, make_org):
    make_org("HTX Tân Uyên", code="6207000999", unit=units.xa_tan_uyen)
    future = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    rows = [
        ["DANH SÁCH HTX"],
        [*HEADER, "Ngày giải thể"],
        [*good_row("HTX Tốt", "6207000701"), None],  # row 3: fine, but nothing may be written
        [*good_row("HTX Chữ", "6207000702", capital="nhiều lắm"), None],  # row 4: a word for a number
        [*good_row("HTX Lạ", "6207000703", "Xã Không Tồn Tại"), None],  # row 5: unknown commune
        [*good_row("HTX Trùng", "6207000701"), None],  # row 6: the code of row 3
        [*good_row("HTX Tương Lai", "6207000704", founded=future), None],  # row 7: founded in the future
        [*good_row("HTX Âm", "6207000705", capital="-5"), None],  # row 8: negative capital
        [*good_row("HTX Công Thức", "6207000706", capital=Formula("=2*3")), None],  # row 9: a formula
        [*good_row("HTX Ngoài", "6207000999"), None],  # row 10: another commune's code? admin may; fine
        [
            *good_row("HTX Giải Thể Sớm", "6207000707", founded="01/01/2020", status="Đã giải thể"),
            "01/01/2019",
        ],
        [*good_row("HTX Chữ Công Thức", "6207000708", founded="=TODAY()"), None],  # row 12: text formula
    ]
    before = snapshot()

    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.admin)

    assert not result.written
    assert snapshot() == before
    found = {(e.row, e.column) for e in result.errors}
    assert {(4, "G"), (5, "C"), (6, "B"), (7, "F"), (8, "G"), (9, "G"), (11, "I"), (12, "F")} <= found
    assert 3 not in {e.row for e in result.errors}
    by_row = {e.row: e for e in result.errors}
    assert "nhiều lắm" in by_row[4].message and by_row[4].value == "nhiều lắm"
    assert by_row[5].header == "Xã"
    assert "row 3" in by_row[6].message.lower() or "3" in by_row[6].message
    assert "formula" in by_row[9].message.lower() or "công thức" in by_row[9].message.lower()
    assert by_row[4].line().startswith("row 4, column G")


def test_a_commune_officer_cannot_import_into_another_commune(db, units, people, make_org):
    make_org("HTX Của Tân Uyên", code="6207000801", unit=units.xa_tan_uyen)
    rows = [
        ["Tên HTX", "Mã số HTX", "Xã", "Lĩnh vực", "Ngày thành lập"],
        ["HTX Của Mình", "6207000802", "Xã Than Uyên", "Nông nghiệp", "01/09/2025"],
        ["HTX Của Xã Khác", "6207000803", "Xã Tân Uyên", "Nông nghiệp", "01/09/2025"],
        ["HTX Đổi Tên", "6207000801", "Xã Than Uyên", "Nông nghiệp", "01/09/2025"],
    ]
    before = snapshot()

    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.commune)

    assert snapshot() == before
    errors = {e.row: e for e in result.errors}
    assert set(errors) == {3, 4}
    assert errors[3].column == "C"
    assert errors[4].column == "B"
    # His own row alone goes through.
    ok = import_registry(workbook(xlsx_bytes(rows[:2])), actor=people.commune)
    assert ok.written and Organisation.objects.get(code="6207000802").current_commune == units.xa_than_uyen


def test_a_province_officer_imports_legacy_communes_of_his_province(db, units, people):
    rows = [HEADER, good_row("HTX Tỉnh", "6207000901", "Thị trấn Than Uyên")]
    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.province)
    assert result.written
    other = import_registry(
        workbook(xlsx_bytes([HEADER, good_row("HTX Điện Biên", "6207000902", "Xã Mường Cang")])),
        actor=people.other_province,
    )
    assert not other.written and other.errors[0].column == "C"


def test_a_new_organisation_without_sector_or_commune_is_refused(db, units, people):
    rows = [
        ["Tên HTX", "Xã", "Lĩnh vực"],
        ["HTX Không Ngành", "Xã Than Uyên", None],
        ["HTX Không Xã", None, "Xây dựng"],
    ]
    result = import_registry(workbook(xlsx_bytes(rows)), actor=people.admin)
    assert [(e.row, e.column) for e in result.errors] == [(2, "C"), (3, "B")]


def test_an_empty_sheet_or_one_without_headers_is_one_clear_error(db, people):
    with pytest.raises(ImportFileError, match=r"."):
        import_registry(workbook(xlsx_bytes([["a", "b"], ["c", "d"]])), actor=people.admin)
    with pytest.raises(ImportFileError):
        import_registry(workbook(xlsx_bytes([HEADER])), actor=people.admin)


def test_the_user_mapping_overrides_what_the_headers_say(db, units, people):
    rows = [["Đơn vị", "Nơi đóng", "Ngành"], ["HTX Theo Ánh Xạ", "Xã Than Uyên", "Xây dựng"]]
    book = workbook(xlsx_bytes(rows))
    result = import_registry(book, actor=people.admin, mapping={"Đơn vị": "name", "B": "commune"})
    assert result.written and Organisation.objects.get(name="HTX Theo Ánh Xạ").sector.code == "xay-dung"


def test_checking_a_large_file_costs_a_fixed_number_of_queries(
    db, units, people, django_assert_max_num_queries
):
    rows = [HEADER] + [good_row(f"HTX Số {i}", f"62070{i:05d}") for i in range(300)]
    book = workbook(xlsx_bytes(rows))
    import_registry(book, actor=people.commune, dry_run=True)  # warms the process-wide unit tables
    with django_assert_max_num_queries(12):
        result = import_registry(book, actor=people.admin, dry_run=True)
    assert result.counts()["created"] == 300
