"""Reading files as they come: formats by content, CSV encodings and delimiters, headers, skipped rows."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
import xlsxwriter

from hoptac.imports.columns import (
    REGISTRY_FIELDS,
    MappingError,
    apply_mapping,
    data_rows,
    find_layout,
    parse_map_options,
)
from hoptac.imports.reader import ImportFileError, read_bytes, read_file

from .conftest import Formula, csv_bytes, to_cp1258, xlsx_bytes

HEADER = ["Tên HTX", "Xã", "Ngày thành lập"]
ROWS = [HEADER, ["HTX Một", "Xã Than Uyên", "01/02/2020"], ["HTX Hai", "Xã Tân Uyên", "02/03/2021"]]


def layout_of(data: bytes):
    book = read_bytes(data)
    return find_layout(book.sheets, REGISTRY_FIELDS)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1258", "utf-16"])
def test_csv_in_every_usual_encoding_and_delimiter(delimiter, encoding):
    if encoding == "cp1258":
        data = to_cp1258(csv_bytes(ROWS, delimiter=delimiter, encoding="utf-8").decode("utf-8"))
    else:
        data = csv_bytes(ROWS, delimiter=delimiter, encoding=encoding)
    book = read_bytes(data)
    assert book.format == "csv"
    assert book.sheets[0].rows[1][:2] == ["HTX Một", "Xã Than Uyên"]


def test_cp1258_decomposed_accents_come_back_composed():
    data = to_cp1258("Tên HTX,Xã\nHTX Mường Cang,Xã Mường Cang\n")
    assert read_bytes(data).sheets[0].rows[1][0] == "HTX Mường Cang"


def test_an_xlsx_renamed_csv_is_read_as_xlsx(tmp_path):
    path = tmp_path / "danh-sach.csv"
    path.write_bytes(xlsx_bytes(ROWS))
    assert read_file(path).format == "xlsx"


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"<!DOCTYPE html><html><body><table><tr><td>x</td></tr></table></body></html>",
    ],
)
def test_what_is_not_a_spreadsheet_is_refused_in_one_message(data):
    with pytest.raises(ImportFileError, match=r"\.xlsx"):
        read_bytes(data)


def test_a_word_document_is_not_a_spreadsheet():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(ImportFileError):
        read_bytes(buffer.getvalue())


def test_a_damaged_xlsx_is_refused():
    data = xlsx_bytes(ROWS)
    with pytest.raises(ImportFileError):
        read_bytes(data[: len(data) // 2])


def test_empty_and_oversized_files_are_refused(tmp_path, settings):
    with pytest.raises(ImportFileError):
        read_bytes(b"")
    with pytest.raises(ImportFileError):
        read_bytes(b"  \r\n ")
    with pytest.raises(ImportFileError):
        read_bytes(xlsx_bytes([[None]]))
    big = tmp_path / "big.xlsx"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(ImportFileError, match="50"):
        read_file(big)
    settings.HOPTAC_IMPORT_MAX_BYTES = 100
    with pytest.raises(ImportFileError):
        read_bytes(csv_bytes(ROWS * 10))


def test_a_missing_file_is_one_message(tmp_path):
    with pytest.raises(ImportFileError, match=r"nope\.xlsx"):
        read_file(tmp_path / "nope.xlsx")


def test_formula_cells_are_found_in_xlsx():
    book = read_bytes(xlsx_bytes([HEADER, ["HTX", Formula("=1+1"), "x"]]))
    assert book.sheets[0].formulas == {(1, 1)}


def test_the_header_is_found_below_title_rows_and_column_numbers(db):
    rows = [
        ["DANH SÁCH HTX NĂM 2023"],
        ["(kèm theo báo cáo)"],
        [],
        ["STT", *HEADER],
        ["1", "2", "3", "4"],
        [1, "HTX Một", "Xã Than Uyên", "01/02/2020"],
        [None, "Tổng cộng", None, None],
    ]
    layout = layout_of(xlsx_bytes(rows))
    assert layout.header_row_numbers == [4]
    assert [c.field for c in layout.columns] == [None, "name", "commune", "founded_on"]
    assert [n for n, _cells in data_rows(layout, REGISTRY_FIELDS)] == [6]


def test_a_two_row_header_is_read_as_one(db):
    rows = [
        ["STT", "Tên HTX", "Địa chỉ", None, "Ngày thành lập"],
        [None, None, "Xã", "Huyện", None],
        [1, "HTX Một", "Xã Mường Cang", "Huyện Than Uyên", "01/02/2020"],
    ]
    layout = layout_of(xlsx_bytes(rows))
    assert layout.header_row_numbers == [1, 2]
    assert [c.field for c in layout.columns] == [None, "name", "commune", "district", "founded_on"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("TÊN HỢP TÁC XÃ", "name"),
        ("Tên  tổ chức", "name"),
        ("Tên đơn vị", "name"),
        ("Mã số thuế", "code"),
        ("MST", "code"),
        ("Mã số", "code"),
        ("Xã, phường", "commune"),
        ("Lĩnh vực hoạt động", "sector"),
        ("Ngành nghề", "sector"),
        ("Tình trạng", "status"),
        ("Ngày cấp GCN", "founded_on"),
        ("Ngày đăng ký", "founded_on"),
        ("Ngày thành lập (dd/mm/yyyy)", "founded_on"),
        ("Vốn điều lệ\n(triệu đồng)", "charter_capital"),
        ("Loại hình", "kind"),
        ("Số QĐ giải thể", "decision_number"),
        ("Năm thành lập", "founded_year"),
        ("Tên giám đốc", None),
    ],
)
def test_headers_match_whatever_accents_case_spacing_and_line_breaks(db, header, field):
    assert REGISTRY_FIELDS.match(header)[0] == field


def test_blank_total_and_section_rows_are_skipped(db):
    rows = [
        ["STT", *HEADER],
        ["I", "Huyện Than Uyên", None, None],
        [1, "HTX Một", "Xã Than Uyên", "01/02/2020"],
        [],
        [None, "Cộng", None, None],
        ["II", "Huyện Tân Uyên"],
        [2, "HTX Hai", "Xã Tân Uyên", "01/02/2020"],
        [None, "Tổng số", None, None],
        [None, "Tổng cộng toàn tỉnh: 2 HTX", None, None],
    ]
    layout = layout_of(xlsx_bytes(rows))
    assert [cells[1] for _n, cells in data_rows(layout, REGISTRY_FIELDS)] == ["HTX Một", "HTX Hai"]


def test_a_user_mapping_corrects_and_ignores_columns(db):
    layout = layout_of(xlsx_bytes([["Tên HTX", "Xã", "Ghi chú"], ["a", "b", "c"]]))
    apply_mapping(layout, REGISTRY_FIELDS, parse_map_options(["Ghi chú=address", "B=-"]))
    assert [c.field for c in layout.columns] == ["name", None, "address"]
    with pytest.raises(MappingError, match=r"Không Có|No column|không có"):
        apply_mapping(layout, REGISTRY_FIELDS, {"Không Có": "name"})
    with pytest.raises(MappingError):
        apply_mapping(layout, REGISTRY_FIELDS, {"A": "nonsense"})
    with pytest.raises(MappingError):
        parse_map_options(["no equals sign"])


def test_the_best_sheet_is_chosen(db):
    data = xlsx_bytes([["Ghi chú về tệp"]], sheet="Bìa", extra_sheets=[("DS", ROWS)])
    layout = layout_of(data)
    assert layout.sheet.name == "DS"


def test_ods_files_are_read(db, tmp_path):
    # A minimal OpenDocument spreadsheet, with a formula cell.
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="DS"><table:table-row>'
        '<table:table-cell office:value-type="string"><text:p>Tên HTX</text:p></table:table-cell>'
        '<table:table-cell office:value-type="string"><text:p>Xã</text:p></table:table-cell></table:table-row>'
        '<table:table-row><table:table-cell office:value-type="string"><text:p>HTX Một</text:p></table:table-cell>'
        '<table:table-cell table:formula="of:=1+1" office:value-type="float" office:value="2"><text:p>2</text:p>'
        "</table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # The mimetype comes first and uncompressed, as OpenDocument requires.
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>',
        )
    book = read_bytes(buffer.getvalue())
    assert book.format == "ods"
    assert book.sheets[0].rows[1][0] == "HTX Một"
    assert book.sheets[0].formulas == {(1, 1)}


def test_xlsx_written_by_another_program_with_prefixed_tags_still_shows_its_formulas():
    data = xlsx_bytes([HEADER, ["HTX", "Xã", "x"]])
    archive = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rewritten:
        for item in archive.infolist():
            body = archive.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # As some writers do: a namespace prefix on every tag, the reference after the style.
                body = re.sub(
                    rb'<c r="B2"[^>]*>.*?</c>', b'<x:c s="0" r="B2"><x:f>1+1</x:f><x:v>2</x:v></x:c>', body
                )
            rewritten.writestr(item, body)
    assert read_bytes(out.getvalue()).sheets[0].formulas == {(1, 1)}
    assert xlsxwriter  # the fixture files are written with XlsxWriter
