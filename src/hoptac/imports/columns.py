"""Finding the header row of a user's sheet and matching its columns to fields.

Offices send their own sheets: a title or two above the table, headers in their own words, over one
or two rows ("Địa chỉ" merged above "Xã" and "Huyện"), a row of column numbers (1), (2) … under
them, section rows ("I. Huyện Than Uyên"), a total row at the bottom. `find_layout` scores the first
rows by how many cells are known headers and takes the best; `data_rows` then yields the rows that
hold data, each with its row number as the user's spreadsheet shows it (1-based).

A header matches a field when, ignoring accents, case, spacing, punctuation and line breaks, it is
one of the field's synonyms, or begins with a synonym of two words or more ("Ngày thành lập
(dd/mm/yyyy)" is the founding date; "Tên giám đốc" is not the name: "Tên" alone must match whole).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .reader import ImportFileError, Sheet, column_letter
from .values import as_text, norm


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Promise | str
    kind: str  # text, number, money, date, year, choice, bool, unit
    synonyms: tuple[str, ...]
    note: Promise | str = ""


@dataclass
class FieldSet:
    """The fields an import knows, and how headers name them."""

    fields: tuple[FieldSpec, ...]
    # Headers known to carry nothing to import (the row number): they count towards finding the
    # header row, and are never mapped.
    ignorable: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    # More header words per field, computed when first needed (the export's translated headers).
    extra: Callable[[], dict[str, list[str]]] | None = None
    _exact: dict[str, str] | None = field(default=None, repr=False)
    _prefixes: list[tuple[str, str]] | None = field(default=None, repr=False)

    def spec(self, key: str) -> FieldSpec:
        for spec in self.fields:
            if spec.key == key:
                return spec
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [f.key for f in self.fields]

    def _build(self) -> None:
        exact: dict[str, str] = {}
        words: list[tuple[str, str]] = []
        extra = self.extra() if self.extra else {}
        for spec in self.fields:
            phrases = [*spec.synonyms, spec.key, *extra.get(spec.key, [])]
            for language in _languages():
                with translation.override(language):
                    phrases.append(str(spec.label))
            for phrase in phrases:
                key = norm(phrase)
                if key:
                    exact.setdefault(key, spec.key)
                    words.append((key, spec.key))
        for phrase in self.ignorable:
            exact.setdefault(norm(phrase), "")
        # Longest first, so that "ngay giai the" wins over a shorter synonym it begins with.
        self._prefixes = sorted({(k, v) for k, v in words if len(k.split()) >= 2}, key=lambda kv: -len(kv[0]))
        self._exact = exact

    def match(self, header: Any) -> tuple[str | None, int]:
        """(field key, quality): quality 2 for an exact synonym, 1 for a prefix, 0 for none.

        The key "" means a known header with nothing to import (the row number).
        """
        if self._exact is None:
            self._build()
        assert self._exact is not None and self._prefixes is not None
        key = norm(header)
        if not key:
            return None, 0
        if key in self._exact:
            return self._exact[key], 2
        for prefix, field_key in self._prefixes:
            if key.startswith(prefix + " "):
                return field_key, 1
        return None, 0

    def choices(self) -> list[tuple[str, str]]:
        """(key, label) of every field, for the mapping screen's selects."""
        return [(spec.key, str(spec.label)) for spec in self.fields]

    def notes(self) -> set[str]:
        """Every field's note in every language (normalised): the template's notes row."""
        out = set()
        for language in _languages():
            with translation.override(language):
                out |= {norm(spec.note) for spec in self.fields if spec.note}
        return out


def _languages() -> list[str]:
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES]


@dataclass(eq=False)
class Column:
    index: int  # 0-based
    header: str
    field: str | None = None
    auto_field: str | None = None  # what the header matched, before any correction by the user
    quality: int = 0

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class Layout:
    """Where the table of a sheet is, and which column holds which field."""

    sheet: Sheet
    header_rows: tuple[int, ...]  # 0-based indexes into sheet.rows
    columns: list[Column]

    @property
    def header_row_numbers(self) -> list[int]:
        return [r + 1 for r in self.header_rows]

    @property
    def first_data_index(self) -> int:
        return self.header_rows[-1] + 1

    def mapped(self) -> dict[str, Column]:
        """field key → its column, for the mapped columns."""
        return {c.field: c for c in self.columns if c.field}

    def unmatched(self) -> list[Column]:
        return [c for c in self.columns if not c.field and c.header]

    def mapping(self) -> dict[str, str]:
        """Column letter → field key ("" when ignored), as stored and as the page posts it back."""
        return {c.letter: c.field or "" for c in self.columns}


HEADER_SCAN_ROWS = 50


def _score(texts: Sequence[Any], fieldset: FieldSet) -> tuple[int, list[tuple[str | None, int]]]:
    matches = [fieldset.match(t) for t in texts]
    fields = {m for m, _q in matches if m}
    ignorable = sum(1 for m, _q in matches if m == "")
    return len(fields) + ignorable, matches


def _row(sheet: Sheet, index: int, width: int) -> list[Any]:
    row = sheet.rows[index] if index < len(sheet.rows) else []
    return [row[c] if c < len(row) else "" for c in range(width)]


def find_layout(sheets: Sequence[Sheet], fieldset: FieldSet, mapping: dict[str, str] | None = None) -> Layout:
    """The best header among the first rows of every sheet; raises ImportFileError when none is found.

    Candidates are each row alone, and each row with the row under it (a two-row header: per column,
    the lower cell when it is a known header, else the upper one). The candidate naming the most
    fields wins; on a tie, the single row, then the earlier sheet and row.
    """
    # A user's mapping names headers the vocabulary may not know ("Đơn vị=name"): they count too.
    mapped_headers = {
        norm(k): v for k, v in (mapping or {}).items() if len(k.strip()) > 2 or not k.strip().isalpha()
    }
    by_letter = {
        k.strip().upper(): v
        for k, v in (mapping or {}).items()
        if k.strip().isalpha() and len(k.strip()) <= 2
    }
    best: tuple[int, int, int, int] | None = None  # (score, -pair, -sheet, -row)
    best_layout: Layout | None = None
    for sheet_index, sheet in enumerate(sheets):
        width = sheet.width
        if not width:
            continue
        for r in range(min(HEADER_SCAN_ROWS, len(sheet.rows))):
            upper = [as_text(v) for v in _row(sheet, r, width)]
            if not any(upper):
                continue
            candidates = [((r,), upper)]
            if r + 1 < len(sheet.rows):
                lower = [as_text(v) for v in _row(sheet, r + 1, width)]
                lower_matches = [fieldset.match(t)[0] for t in lower]
                combined = [
                    lo if m is not None else up for up, lo, m in zip(upper, lower, lower_matches, strict=True)
                ]
                candidates.append(((r, r + 1), combined))
            for rows, texts in candidates:
                score, matches = _score(texts, fieldset)
                matched = {m for m, _q in matches if m}
                hinted = [mapped_headers[norm(t)] for t in texts if t and norm(t) in mapped_headers]
                score += sum(
                    1 for i, t in enumerate(texts) if t and norm(t) in mapped_headers and not matches[i][0]
                )
                matched |= {f for f in (*hinted, *by_letter.values()) if f}
                if score < 2 or not all(req in matched for req in fieldset.required):
                    continue
                rank = (score, -len(rows), -sheet_index, -r)
                if best is None or rank > best:
                    best = rank
                    best_layout = _layout(sheet, rows, texts, matches)
    if best_layout is None:
        raise ImportFileError(
            _(
                "No header row was found: the columns were not recognised. The table needs a row of "
                "headers such as “%(examples)s”."
            )
            % {"examples": ", ".join(str(fieldset.spec(k).label) for k in fieldset.keys[:4])}
        )
    return best_layout


def _layout(sheet: Sheet, rows: tuple[int, ...], texts: list[str], matches) -> Layout:
    columns = [Column(index=i, header=" ".join(t.split())) for i, t in enumerate(texts)]
    taken: dict[str, Column] = {}
    # Exact matches claim their field before prefix matches, then left to right.
    order = sorted(range(len(columns)), key=lambda i: (-matches[i][1], i))
    for i in order:
        key, quality = matches[i]
        if key == "":
            columns[i].quality = quality  # a known header with nothing to import (the row number)
        if key and key not in taken:
            columns[i].field = columns[i].auto_field = key
            columns[i].quality = quality
            taken[key] = columns[i]
    # Trailing columns without a header or data add nothing.
    while columns and not columns[-1].header and not columns[-1].field:
        columns.pop()
    return Layout(sheet=sheet, header_rows=rows, columns=columns)


class MappingError(ValueError):
    """A user's mapping that names a column or a field that does not exist."""


def apply_mapping(layout: Layout, fieldset: FieldSet, mapping: dict[str, str]) -> None:
    """Set each column's field from `mapping`: column letter or header → field key ("" to ignore).

    Raises MappingError naming every unknown column, unknown field, and field given twice.
    """
    errors = []
    by_letter = {c.letter: c for c in layout.columns}
    by_header = {norm(c.header): c for c in layout.columns if c.header}
    valid = set(fieldset.keys)
    chosen: dict[Column, str] = {}
    for target, key in mapping.items():
        column = by_letter.get(target.strip().upper()) or by_header.get(norm(target))
        if column is None:
            errors.append(_("The file has no column “%(column)s”.") % {"column": target})
            continue
        key = (key or "").strip()
        if key.lower() in {"", "-", "none", "ignore"}:
            key = ""
        elif key not in valid:
            errors.append(
                _(
                    "Unknown field “%(field)s” for column “%(column)s”: use one of %(fields)s, or - to ignore it."
                )
                % {"field": key, "column": target, "fields": ", ".join(fieldset.keys)}
            )
            continue
        chosen[column] = key
    for column, key in chosen.items():
        if key:
            # The field moves: whichever column had it loses it.
            for other in layout.columns:
                if other.field == key and other is not column and other not in chosen:
                    other.field = None
        column.field = key or None
    seen: dict[str, Column] = {}
    for column in layout.columns:
        if column.field and column.field in seen:
            errors.append(
                _("Columns %(first)s and %(second)s are both mapped to “%(field)s”.")
                % {"first": seen[column.field].letter, "second": column.letter, "field": column.field}
            )
        elif column.field:
            seen[column.field] = column
    if errors:
        raise MappingError("\n".join(errors))


def parse_map_options(options: Sequence[str]) -> dict[str, str]:
    """`["Tên đơn vị=name", "G=-"]` → {"Tên đơn vị": "name", "G": "-"}; raises MappingError."""
    out = {}
    for option in options:
        header, sep, key = option.rpartition("=")
        if not sep or not header.strip():
            raise MappingError(_('“%(option)s” is not a mapping: write "Header=field".') % {"option": option})
        out[header.strip()] = key.strip()
    return out


# --- rows ----------------------------------------------------------------------------------------

_TOTAL_WORDS = {"tong cong", "cong", "tong", "tong so", "total", "grand total", "tong cong toan tinh"}
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")
_SECTION_MARK = re.compile(r"^(?:[ivxlc]+|[a-h])$")
_SECTION_TEXT = re.compile(r"^(?:[IVXLC]+|[A-H])[.)\-/]\s*\S")


def _is_total_text(text: str) -> bool:
    key = norm(text)
    if key in _TOTAL_WORDS or key.startswith("tong cong "):
        return True
    words = key.split()
    # "Cộng: 71 HTX", "Cộng toàn huyện"; never "Cộng đồng …", which is a name.
    return (
        len(words) > 1
        and words[0] == "cong"
        and (words[1].isdigit() or words[1] in {"toan", "huyen", "tinh", "xa"})
    )


# How every total word begins (composed and decomposed): most rows are ruled out without folding.
_TOTAL_STARTS = tuple(
    {
        form
        for word in ("tổng", "cộng", "tong", "cong", "total", "grand")
        for form in (word, unicodedata.normalize("NFD", word))
    }
)


def is_total_row(cells: Sequence[Any]) -> bool:
    """Whether one of the row's first three texts is a total's ("Tổng cộng", "Cộng: 71 HTX" …)."""
    # A plain loop that stops at the third text: it runs on every row of the file.
    texts = 0
    for t in cells:
        if t.__class__ is str and t and not t.isspace():
            if len(t) < 60 and t.lstrip().lower().startswith(_TOTAL_STARTS) and _is_total_text(t):
                return True
            texts += 1
            if texts == 3:
                return False
    return False


def _is_numbering_row(values: list[Any]) -> bool:
    """ "1 2 3 4 …" or "(1) (2) (3) …" under the headers: the office's column numbers."""
    if len(values) < 3:
        return False
    numbers = []
    for value in values:
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            if not float(value).is_integer():
                return False
            numbers.append(int(value))
        elif isinstance(value, str) and _NUMBERING.match(value.strip()):
            numbers.append(int(value.strip().strip("()")))
        else:
            return False
    return numbers == sorted(numbers) and len(set(numbers)) == len(numbers)


def _is_section_row(values: list[Any]) -> bool:
    """ "I | Huyện Than Uyên" or "A. Lĩnh vực nông nghiệp" alone on its row: a heading, not data."""
    if len(values) > 2 or not values:
        return False
    first = values[0]
    if len(values) == 2:
        return isinstance(first, str) and bool(_SECTION_MARK.match(norm(first)))
    return isinstance(first, str) and bool(_SECTION_TEXT.match(first.strip()))


def data_rows(layout: Layout, fieldset: FieldSet) -> Iterator[tuple[int, list[Any]]]:
    """(row number as the spreadsheet shows it, cells) for every row that holds data.

    Skipped: blank rows, the column-numbering row and the template's notes row under the headers,
    section headings, and total rows ("Tổng cộng", "Cộng", "Tổng", "Tổng số").
    """
    sheet = layout.sheet
    notes = fieldset.notes()
    start = layout.first_data_index
    width = len(layout.columns)
    rows = sheet.rows
    for index in range(start, len(rows)):
        row = rows[index]
        cells = row[:width] if len(row) >= width else [*row, *[""] * (width - len(row))]
        values = [v for v in cells if v != "" and v is not None]
        if not values:
            continue
        if values[0].__class__ is str and values[0].isspace():
            values = [v for v in values if not (v.__class__ is str and v.isspace())]
            if not values:
                continue
        if index <= start + 1 and _is_numbering_row(values):
            continue
        if index == start and notes and sum(1 for v in values if norm(v) in notes) * 2 >= len(values):
            continue
        if is_total_row(values):
            continue
        if len(values) <= 2 and _is_section_row(values):
            continue
        yield index + 1, cells


# --- the registry's fields -----------------------------------------------------------------------

REGISTRY_FIELDS = FieldSet(
    fields=(
        FieldSpec(
            "code",
            gettext_lazy("Cooperative code"),
            "text",
            (
                "Mã số HTX",
                "Mã số thuế",
                "MST",
                "Mã số",
                "Mã HTX",
                "Mã số hợp tác xã",
                "Mã số HTX/MST",
                "Mã số HTX, MST",
                "Mã số doanh nghiệp",
                "Mã số ĐKKD",
                "Mã số đăng ký",
                "Số đăng ký kinh doanh",
                "Số ĐKKD",
                "Mã số THT",
                "Mã",
                "Code",
            ),
            gettext_lazy("Mã số HTX or tax code, if it has one; unique."),
        ),
        FieldSpec(
            "name",
            gettext_lazy("Name"),
            "text",
            (
                "Tên hợp tác xã",
                "Tên HTX",
                "Tên tổ chức",
                "Tên đơn vị",
                "Tên",
                "Tên THT",
                "Tên tổ hợp tác",
                "Tên HTX, THT",
                "Tên HTX/THT",
                "Tên HTX, LHHTX",
                "Tên LHHTX",
                "Tên hợp tác xã, tổ hợp tác",
                "Tên tổ chức kinh tế tập thể",
                "Tên HTX, QTDND",
            ),
            gettext_lazy("Full name, as registered. Required."),
        ),
        FieldSpec(
            "kind",
            gettext_lazy("Kind"),
            "choice",
            ("Loại hình", "Loại hình tổ chức", "Loại", "Loại hình KTTT", "Loại hình HTX"),
            gettext_lazy("HTX, THT, LHHTX or Quỹ tín dụng nhân dân; read from the name when empty."),
        ),
        FieldSpec(
            "sector",
            gettext_lazy("Sector"),
            "choice",
            (
                "Lĩnh vực",
                "Ngành nghề",
                "Lĩnh vực hoạt động",
                "Ngành nghề kinh doanh",
                "Ngành nghề sản xuất kinh doanh",
                "Lĩnh vực sản xuất kinh doanh",
                "Ngành nghề hoạt động",
                "Ngành",
            ),
            gettext_lazy("Choose from the list. Required for a new organisation."),
        ),
        FieldSpec(
            "subsector",
            gettext_lazy("Sub-sector"),
            "choice",
            ("Lĩnh vực chi tiết", "Lĩnh vực phụ", "Ngành nghề chi tiết", "Ngành nghề cụ thể"),
            gettext_lazy("Optional: crops, livestock, fisheries, forestry or mixed, for agriculture."),
        ),
        FieldSpec(
            "commune",
            gettext_lazy("Commune or ward"),
            "unit",
            (
                "Xã",
                "Xã, phường",
                "Xã/phường",
                "Phường/xã",
                "Xã, phường, thị trấn",
                "Xã/phường/thị trấn",
                "Xã, thị trấn",
                "Địa bàn xã",
                "Đơn vị hành chính cấp xã",
                "Địa bàn",
                "Địa chỉ (xã)",
                "Địa chỉ (xã, phường)",
                "Địa chỉ (xã, thị trấn)",
                "Địa chỉ (xã, phường, thị trấn)",
                "Địa bàn (xã)",
                "Commune",
            ),
            gettext_lazy("Name of the commune or ward, with or without “Xã”/“Phường”."),
        ),
        FieldSpec(
            "legacy_commune",
            gettext_lazy("Former commune (before 01/07/2025)"),
            "unit",
            ("Xã cũ", "Xã (trước 01/07/2025)", "Xã trước sáp nhập", "Xã, phường cũ", "Xã, thị trấn cũ"),
            gettext_lazy("For organisations of before 01/07/2025: the commune as it was then."),
        ),
        FieldSpec(
            "district",
            gettext_lazy("Former district (before 01/07/2025)"),
            "unit",
            (
                "Huyện",
                "Huyện, thành phố",
                "Huyện/thành phố",
                "Huyện, thị xã, thành phố",
                "Quận/huyện",
                "Quận, huyện",
                "Huyện/TP",
                "Huyện cũ",
                "District",
            ),
            gettext_lazy(
                "Optional: the district before 01/07/2025, which tells communes of the same name apart."
            ),
        ),
        FieldSpec(
            "province",
            gettext_lazy("Province"),
            "unit",
            ("Tỉnh", "Tỉnh/thành phố", "Tỉnh, thành phố", "Tỉnh, TP"),
            gettext_lazy("Optional."),
        ),
        FieldSpec(
            "address",
            gettext_lazy("Address"),
            "text",
            ("Địa chỉ", "Địa chỉ trụ sở", "Trụ sở", "Địa chỉ trụ sở chính", "Trụ sở chính"),
            gettext_lazy("Street, village; the commune is read from it when there is no commune column."),
        ),
        FieldSpec(
            "phone",
            gettext_lazy("Phone"),
            "text",
            ("Điện thoại", "Số điện thoại", "SĐT", "ĐT", "Điện thoại liên hệ"),
        ),
        FieldSpec("email", gettext_lazy("E-mail"), "text", ("Email", "Thư điện tử", "Địa chỉ email")),
        FieldSpec(
            "representative",
            gettext_lazy("Legal representative"),
            "text",
            (
                "Người đại diện",
                "Người đại diện theo pháp luật",
                "Giám đốc",
                "Chủ nhiệm",
                "Giám đốc/Chủ nhiệm",
                "Giám đốc, Chủ tịch HĐQT",
                "Chủ tịch HĐQT kiêm giám đốc",
                "Tổ trưởng",
                "Họ tên giám đốc",
                "Họ và tên giám đốc",
            ),
        ),
        FieldSpec(
            "founded_on",
            gettext_lazy("Date founded"),
            "date",
            (
                "Ngày thành lập",
                "Ngày cấp GCN",
                "Ngày đăng ký",
                "Ngày cấp",
                "Ngày cấp giấy chứng nhận",
                "Ngày cấp GCN ĐKHTX",
                "Ngày cấp giấy chứng nhận đăng ký",
                "Ngày đăng ký lần đầu",
                "Ngày tháng năm thành lập",
                "Thời gian thành lập",
                "Ngày thành lập (đăng ký)",
            ),
            gettext_lazy("dd/mm/yyyy, not in the future."),
        ),
        FieldSpec(
            "founded_year",
            gettext_lazy("Year founded"),
            "year",
            ("Năm thành lập", "Năm đăng ký", "Năm thành lập (đăng ký)"),
        ),
        FieldSpec(
            "law",
            gettext_lazy("Registered under"),
            "choice",
            (
                "Luật",
                "Đăng ký theo luật",
                "Theo luật",
                "Luật HTX",
                "Tổ chức lại theo luật",
                "Hoạt động theo luật",
            ),
            gettext_lazy("Law 2012, Law 2023, 2003 (not yet reorganised) or Civil Code (groups)."),
        ),
        FieldSpec(
            "charter_capital",
            gettext_lazy("Charter capital (million VND)"),
            "money",
            (
                "Vốn điều lệ (triệu đồng)",
                "Vốn điều lệ",
                "Vốn điều lệ (tr.đ)",
                "Vốn điều lệ (trđ)",
                "Vốn điều lệ đăng ký",
                "Vốn đăng ký",
            ),
            gettext_lazy("In million đồng: 1.234,5 or 1234.5; not negative."),
        ),
        FieldSpec(
            "supporter",
            gettext_lazy("Founding supporter"),
            "choice",
            (
                "Đơn vị hỗ trợ thành lập",
                "Tổ chức hỗ trợ thành lập",
                "Hỗ trợ thành lập",
                "Đơn vị vận động thành lập",
                "Tổ chức chính trị xã hội hỗ trợ",
            ),
            gettext_lazy("Hội Nông dân, Hội LHPN, Đoàn TN, Hội CCB, or empty."),
        ),
        FieldSpec(
            "union_member",
            gettext_lazy("Member of the provincial cooperative union"),
            "bool",
            ("Thành viên Liên minh HTX", "Thành viên Liên minh", "TV Liên minh", "Thành viên LMHTX"),
            gettext_lazy("Có or Không."),
        ),
        FieldSpec(
            "status",
            gettext_lazy("Status"),
            "choice",
            (
                "Tình trạng hoạt động",
                "Tình trạng",
                "Trạng thái",
                "Tình trạng pháp lý",
                "Hiện trạng",
                "Trạng thái hoạt động",
            ),
            gettext_lazy("Operating when empty; a dissolved one needs its date."),
        ),
        FieldSpec(
            "ended_on",
            gettext_lazy("Ended on"),
            "date",
            (
                "Ngày giải thể",
                "Ngày chấm dứt",
                "Ngày chấm dứt hoạt động",
                "Ngày giải thể, phá sản",
                "Thời điểm giải thể",
                "Ngày QĐ giải thể",
            ),
            gettext_lazy("dd/mm/yyyy: date of the dissolution, bankruptcy or termination."),
        ),
        FieldSpec(
            "decision_number",
            gettext_lazy("Dissolution decision number"),
            "text",
            ("Số QĐ giải thể", "Số quyết định giải thể", "Số quyết định", "Số QĐ", "Quyết định giải thể"),
            gettext_lazy("Optional."),
        ),
        FieldSpec("notes", gettext_lazy("Notes"), "text", ("Ghi chú",)),
    ),
    ignorable=("STT", "TT", "Số TT", "Số thứ tự", "No", "No."),
    required=("name",),
)

# The registry export's column keys (hoptac.registry.exports.COLUMNS) → this import's fields.
EXPORT_KEYS = {
    "code": "code",
    "name": "name",
    "kind": "kind",
    "sector": "sector",
    "subsector": "subsector",
    "commune": "commune",
    "legacy_commune": "legacy_commune",
    "legacy_district": "district",
    "province": "province",
    "address": "address",
    "founded_on": "founded_on",
    "law": "law",
    "charter_capital": "charter_capital",
    "supporter": "supporter",
    "union_member": "union_member",
    "status": "status",
    "ended_on": "ended_on",
    # Not exported today; mapped so that the export can add them without breaking the round trip.
    "phone": "phone",
    "email": "email",
    "representative": "representative",
    "decision_number": "decision_number",
    "notes": "notes",
}


def _export_headers() -> dict[str, list[str]]:
    """The registry export's headers in every language, so that an export reads back as it was."""
    from hoptac.registry.exports import COLUMNS

    out: dict[str, list[str]] = {}
    for language in _languages():
        with translation.override(language):
            for column in COLUMNS:
                if column.key in EXPORT_KEYS:
                    out.setdefault(EXPORT_KEYS[column.key], []).append(str(column.header))
    return out


REGISTRY_FIELDS.extra = _export_headers
