"""Reading the values of cells as people type them in Vietnamese offices.

Every parser takes what python-calamine (or the CSV reader) gives for a cell: `str`, `int`, `float`,
`bool`, `datetime.date`, `datetime.datetime`, `datetime.time` or `datetime.timedelta`, and either
returns the value or raises `CellError` with a message that says what was expected. Blank cells
never reach a parser: the caller decides what a blank means.

Numbers are Vietnamese first: `1.234,5` is one thousand two hundred thirty-four and a half, and
`35.874` is thirty-five thousand; English numbers are accepted where they cannot be read the
Vietnamese way (`1,234.5`, `12.5`). Dates are dd/mm/yyyy, never mm/dd: `12/31/2018` is refused
rather than guessed.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from hoptac.core.text import fold

from .reader import LiteralText


class CellError(ValueError):
    """A cell that cannot be read; `str(error)` is the translated message."""


_PUNCT = re.compile(r"[^0-9a-z%]+")


_NOT_VIETNAMESE = re.compile("[^\x00-\x7f\u0300-\u036f]")


def fast_fold(text: str) -> str:
    """`hoptac.core.text.fold`, the same result, about four times faster.

    An import folds every name of its file. Decomposed Vietnamese is ASCII letters plus combining
    marks, which an ASCII encoding drops; any other text goes through `fold` itself, so that stored
    folded names always agree with the services'.
    """
    if not text:
        return ""
    if text.isascii():
        return " ".join(text.split()).lower()
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    if _NOT_VIETNAMESE.search(decomposed):
        return fold(text)
    return " ".join(decomposed.encode("ascii", "ignore").decode("ascii").split()).lower()


def fold_words(words: list[str], memo: dict[str, str]) -> str:
    """`fast_fold(" ".join(words))`, folding each distinct word once (`memo`: word → folded word).

    A file's names share few words ("HTX", "Nông", "nghiệp", the communes'): folding them one by one
    through a memo costs a fraction of folding every name whole. The result is the same: folding
    works character by character, never across white space, and a word that folds to nothing
    (combining marks alone) leaves no gap, as the collapsed spaces of `fold` leave none.
    """
    out = []
    for word in words:
        folded = memo.get(word)
        if folded is None:
            folded = memo[word] = fast_fold(word)
        if folded:
            out.append(folded)
    return " ".join(out)


def norm(text: Any) -> str:
    """Fold and drop punctuation: `"Tên HTX,\\n(đơn vị)"` → `"ten htx don vi"`.

    The key every vocabulary (headers, kinds, statuses, sectors, unit names) is matched on.
    """
    return " ".join(_PUNCT.sub(" ", fast_fold(str(text))).split())


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def as_text(value: Any) -> str:
    """A cell as the user sees it, for messages and for text fields."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def refuse_formula(value: Any) -> None:
    if isinstance(value, str) and not isinstance(value, LiteralText) and value.lstrip().startswith("="):
        raise CellError(_("This cell holds a formula: type the value itself."))


def parse_text(value: Any, *, max_length: int | None = None) -> str:
    if value.__class__ is str:
        if value[:1] == "=" or value.lstrip()[:1] == "=":
            raise CellError(_("This cell holds a formula: type the value itself."))
        text = " ".join(value.split())
    else:
        refuse_formula(value)
        text = " ".join(as_text(value).split())
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("This text is %(length)d characters long; at most %(max)d are allowed.")
            % {"length": len(text), "max": max_length}
        )
    return text


# --- numbers -------------------------------------------------------------------------------------

_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_PLAIN_NUMBER = re.compile(r"^[0-9][0-9.,]*$")
_GROUPED_SPACES = re.compile(r"^\d{1,3}( \d{3})+([.,]\d+)?$")
_UNIT_WORDS = re.compile(r"\s*(trieu dong|trieu d|tr\.?\s?d|trd|trieu|tr)\s*$")


def _grouped(integer_part: str, sep: str) -> bool:
    """`1.234.567` with sep `.`: groups of three after a first group of one to three digits."""
    groups = integer_part.split(sep)
    return (
        1 <= len(groups[0]) <= 3
        and groups[0] != "0"
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
        and groups[0].isdigit()
    )


def parse_number(value: Any) -> Decimal:
    """A number, Vietnamese or unambiguous English. `12,5%` gives 12.5 (the figure as written)."""
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a number.") % {"value": as_text(value)})
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(_("“%(value)s” is not a number.") % {"value": value})
        # repr is the shortest text that reads back as the same float: 12.3 stays 12.3.
        return Decimal(repr(value))
    if isinstance(value, datetime.date | datetime.time | datetime.timedelta):
        raise CellError(_("“%(value)s” is a date, not a number.") % {"value": as_text(value)})
    refuse_formula(value)
    raw = str(value).strip()
    if _PLAIN_NUMBER.match(raw):
        number = _read_separators(raw)
        if number is not None:
            return number
    text = fast_fold(raw)
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    text = _UNIT_WORDS.sub("", text)
    if text.endswith("%"):
        text = text[:-1].strip()
    if text.startswith(("-", "−", "+")):
        negative = negative or text[0] in "-−"
        text = text[1:].strip()
    if _SPACES.search(text):
        collapsed = _SPACES.sub(" ", text)
        if not _GROUPED_SPACES.match(collapsed):
            raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
        text = collapsed.replace(" ", "")
    number = _read_separators(text)
    if number is None:
        raise CellError(_("“%(value)s” is not a number.") % {"value": raw})
    return -number if negative else number


_SEPARATED_DIGITS = re.compile(r"[0-9.,]+")


def _read_separators(text: str) -> Decimal | None:
    # Digits, dots and commas only, and at least one digit (what is left once dots and commas are
    # stripped): every amount of a file comes here, so no generator and a regex compiled once.
    if not _SEPARATED_DIGITS.fullmatch(text) or not text.strip(".,"):
        return None
    dots, commas = text.count("."), text.count(",")
    try:
        if dots and commas:
            decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
            thousands = "." if decimal_sep == "," else ","
            integer, _sep, fraction = text.rpartition(decimal_sep)
            if text.count(decimal_sep) != 1 or not fraction.isdigit() or not _grouped(integer, thousands):
                return None
            return Decimal(integer.replace(thousands, "") + "." + fraction)
        if commas:
            if commas == 1:
                integer, fraction = text.split(",")
                if not integer.isdigit() or not fraction.isdigit():
                    return None
                return Decimal(f"{integer}.{fraction}")  # 12,5: the Vietnamese decimal comma
            return Decimal(text.replace(",", "")) if _grouped(text, ",") else None  # 1,234,567
        if dots:
            if dots > 1:
                return Decimal(text.replace(".", "")) if _grouped(text, ".") else None
            integer, fraction = text.split(".")
            if not integer.isdigit() or not fraction.isdigit():
                return None
            if len(fraction) == 3 and _grouped(text, "."):
                return Decimal(integer + fraction)  # 35.874: thousands, as Vietnamese write them
            return Decimal(f"{integer}.{fraction}")  # 12.5: only English reads it
        return Decimal(text)
    except InvalidOperation:
        return None


# --- dates ---------------------------------------------------------------------------------------

_DMY = re.compile(
    r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})$")
_YEAR = re.compile(r"^\d{4}$")
EXCEL_EPOCH = datetime.date(1899, 12, 30)
# Excel serial numbers of 01/01/1950 and 31/12/2099: a bare number in between, in a date column, is a
# date cell whose format was lost; outside it, it is something else (a year, a count).
_SERIAL_MIN, _SERIAL_MAX = 18264, 73050


def parse_date(value: Any, *, today: datetime.date | None = None) -> datetime.date:
    """A date: real Excel dates, dd/mm/yyyy or d/m/yy text, ISO text, "ngày 5 tháng 3 năm 2018".

    A year alone is refused: it is not a date (a column of years is mapped to a year field).
    """
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool | datetime.time | datetime.timedelta):
        raise CellError(_("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": as_text(value)})
    if isinstance(value, int | float):
        if float(value).is_integer() and 1000 <= value <= 9999:
            raise CellError(
                _("“%(value)s” is a year, not a date; write the full date as dd/mm/yyyy.")
                % {"value": as_text(value)}
            )
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise CellError(_("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": as_text(value)})
    refuse_formula(value)
    raw = str(value).strip()
    text = fast_fold(raw)
    if _YEAR.match(text):
        raise CellError(
            _("“%(value)s” is a year, not a date; write the full date as dd/mm/yyyy.") % {"value": raw}
        )
    match = _DMY.match(text) or _WORDS.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 2:
            year = _century(year, today)
    else:
        match = _ISO.match(text)
        if not match:
            raise CellError(_("“%(value)s” is not a date; write it as dd/mm/yyyy.") % {"value": raw})
        year, month, day = (int(g) for g in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a valid date (day/month/year).") % {"value": raw}) from None


def _century(yy: int, today: datetime.date | None) -> int:
    """`18` → 2018, `95` → 1995: the latest year that is not in the future."""
    this_year = (today or datetime.date.today()).year  # noqa: DTZ011 (only the year matters)
    return 2000 + yy if 2000 + yy <= this_year else 1900 + yy


def parse_year(value: Any) -> int:
    """A year (1900-2100), given as a number, as text, or as a full date (its year)."""
    if isinstance(value, datetime.date):
        return value.year
    if isinstance(value, bool):
        raise CellError(_("“%(value)s” is not a year.") % {"value": as_text(value)})
    refuse_formula(value)
    number: Any = value
    if isinstance(value, str):
        text = value.strip()
        if _YEAR.match(text):
            number = int(text)
        else:
            return parse_date(value).year
    if isinstance(number, int | float) and float(number).is_integer() and 1900 <= number <= 2100:
        return int(number)
    raise CellError(_("“%(value)s” is not a year.") % {"value": as_text(value)})


# --- yes / no ------------------------------------------------------------------------------------

_YES = {"co", "x", "1", "yes", "y", "true", "dung", "la thanh vien", "thanh vien", "tv", "da tham gia", "v"}
_NO = {"khong", "k", "0", "no", "n", "false", "sai", "chua", "khong phai", "-"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    refuse_formula(value)
    key = norm(value) or fold(str(value)).strip()
    yes, no = _yes_no()
    if key in yes:
        return True
    if key in no:
        return False
    raise CellError(_("“%(value)s” is neither yes nor no (write Có or Không).") % {"value": as_text(value)})


_YES_NO: tuple[set[str], set[str]] | None = None


def _yes_no() -> tuple[set[str], set[str]]:
    """The words for yes and no, with the exports' translated "Yes"/"No" in every language."""
    global _YES_NO
    if _YES_NO is None:
        yes, no = set(_YES), set(_NO)
        for language in _languages():
            with translation.override(language):
                yes.add(norm(_("Yes")))
                no.add(norm(_("No")))
        _YES_NO = (yes, no)
    return _YES_NO


def _languages() -> list[str]:
    from django.conf import settings

    return [code for code, _name in settings.LANGUAGES]


# --- vocabularies --------------------------------------------------------------------------------


class Vocabulary:
    """Words for coded values: the choice labels in every language, plus the words offices use.

    Lookup is on `norm()`, so accents, case and punctuation do not matter. The first vocabulary entry
    wins on a clash, so list specific phrases before the general ones they would shadow.
    """

    def __init__(self, choices, words: dict[str, tuple[str, ...]], *, what: str):
        self._choices = choices
        self._words = words
        self._what = what
        self._map: dict[str, str] | None = None

    def _build(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for value, phrases in self._words.items():
            for phrase in phrases:
                out.setdefault(norm(phrase), value)
        for language in _languages():
            with translation.override(language):
                for value, label in self._choices.choices:
                    out.setdefault(norm(label), value)
        for value in self._choices.values:
            if value:
                out.setdefault(norm(value), value)
        return out

    def lookup(self, value: Any) -> str:
        if self._map is None:
            self._map = self._build()
        refuse_formula(value)
        key = norm(value)
        if key in self._map:
            return self._map[key]
        raise CellError(self.unknown_message(as_text(value)))

    def labels(self) -> list[str]:
        return [str(label) for value, label in self._choices.choices]

    def unknown_message(self, text: str) -> str:
        options = "; ".join(label for label in self.labels() if label)
        messages = {
            "kind": _("Unknown kind “%(value)s”: write one of %(options)s."),
            "status": _("Unknown status “%(value)s”: write one of %(options)s."),
            "law": _("Unknown law “%(value)s”: write one of %(options)s."),
            "supporter": _("Unknown founding supporter “%(value)s”: write one of %(options)s."),
            "classification": _("Unknown classification “%(value)s”: write one of %(options)s."),
        }
        return messages[self._what] % {"value": text, "options": options}


def _registry_vocabularies() -> dict[str, Vocabulary]:
    from hoptac.registry.models import Kind, Law, Status, Supporter

    kinds = Vocabulary(
        Kind,
        {
            Kind.LHHTX: ("lhhtx", "lien hiep htx", "lien hiep hop tac xa", "lh htx"),
            Kind.QTDND: ("quy tin dung nhan dan", "qtdnd", "quy tdnd", "quy tin dung", "qtd"),
            Kind.THT: ("tht", "to hop tac", "to hop tac tht"),
            Kind.HTX: ("htx", "hop tac xa", "htx kieu moi", "hop tac xa htx"),
        },
        what="kind",
    )
    statuses = Vocabulary(
        Status,
        {
            Status.NOT_AT_ADDRESS: (
                "khong hoat dong tai dia chi dang ky",
                "khong hoat dong tai dia chi da dang ky",
                "khong con hoat dong tai dia chi dang ky",
                "khong hoat dong tai dia chi",
            ),
            Status.REORGANISING: (
                "dang lam thu tuc giai the",
                "dang giai the",
                "dang lam thu tuc giai the chia hop nhat sap nhap",
                "dang lam thu tuc chia tach hop nhat sap nhap",
                "dang lam thu tuc sap nhap",
                "dang lam thu tuc hop nhat",
                "dang sap nhap",
            ),
            Status.BANKRUPTCY: ("dang lam thu tuc pha san", "dang pha san"),
            Status.TAX_REVOKED: (
                "bi thu hoi do cuong che ve quan ly thue",
                "bi thu hoi giay chung nhan",
                "thu hoi gcn",
                "bi thu hoi",
                "cuong che thue",
            ),
            Status.SUSPENDED: (
                "tam ngung",
                "tam ngung hoat dong",
                "tam ngung kinh doanh",
                "tam dung",
                "tam dung hoat dong",
                "tam ngung hd",
            ),
            Status.STOPPED: (
                "ngung hoat dong",
                "ngung hoat dong chua giai the",
                "ngung hoat dong nhung chua giai the",
                "chua giai the",
                "khong hoat dong",
                "ngung hd",
                "dung hoat dong",
                "ngung hoat dong chua lam thu tuc giai the",
            ),
            Status.DISSOLVED: ("da giai the", "giai the", "gt", "da gt"),
            Status.BANKRUPT: ("pha san", "da pha san"),
            Status.TERMINATED: (
                "cham dut ton tai",
                "da cham dut ton tai",
                "cham dut hoat dong",
                "da sap nhap",
                "da hop nhat",
            ),
            Status.ACTIVE: (
                "dang hoat dong",
                "hoat dong",
                "con hoat dong",
                "dang hd",
                "hd",
                "binh thuong",
                "hoat dong binh thuong",
            ),
        },
        what="status",
    )
    laws = Vocabulary(
        Law,
        {
            Law.LAW_2023: (
                "2023",
                "luat 2023",
                "luat htx 2023",
                "luat hop tac xa 2023",
                "luat hop tac xa nam 2023",
            ),
            Law.LAW_2012: (
                "2012",
                "luat 2012",
                "luat htx 2012",
                "luat hop tac xa 2012",
                "luat hop tac xa nam 2012",
            ),
            Law.LAW_2003: (
                "2003",
                "luat 2003",
                "luat htx 2003",
                "luat hop tac xa 2003",
                "chua chuyen doi",
                "chua chuyen doi theo luat 2012",
                "chua to chuc lai theo luat 2012",
            ),
            Law.CIVIL_CODE: ("bo luat dan su", "dan su", "blds", "civil code"),
        },
        what="law",
    )
    supporters = Vocabulary(
        Supporter,
        {
            Supporter.FARMERS: ("hoi nong dan", "hnd", "nong dan", "hoi nd"),
            Supporter.WOMEN: ("hoi lhpn", "hoi lien hiep phu nu", "phu nu", "hlhpn", "hoi phu nu", "lhpn"),
            Supporter.YOUTH: (
                "doan tn",
                "doan thanh nien",
                "doan tncs",
                "thanh nien",
                "doan tncs ho chi minh",
            ),
            Supporter.VETERANS: ("hoi ccb", "cuu chien binh", "hccb", "hoi cuu chien binh", "ccb"),
            Supporter.NONE: ("khong", "khong co", "none", "no"),
        },
        what="supporter",
    )
    return {"kind": kinds, "status": statuses, "law": laws, "supporter": supporters}


_VOCABULARIES: dict[str, Vocabulary] | None = None


def vocabulary(name: str) -> Vocabulary:
    """The shared vocabulary `kind`, `status`, `law` or `supporter` (built once, on first use)."""
    global _VOCABULARIES
    if _VOCABULARIES is None:
        _VOCABULARIES = _registry_vocabularies()
    return _VOCABULARIES[name]


def guess_kind(name: str) -> str | None:
    """The kind a name declares (the law requires it in the name): "Tổ hợp tác …" is a THT."""
    from hoptac.registry.models import Kind

    key = norm(name)
    for prefixes, kind in (
        (("lien hiep htx", "lien hiep hop tac xa", "lhhtx"), Kind.LHHTX),
        (("quy tin dung nhan dan", "qtdnd"), Kind.QTDND),
        (("to hop tac", "tht"), Kind.THT),
        (("hop tac xa", "htx"), Kind.HTX),
    ):
        if any(key == p or key.startswith(p + " ") for p in prefixes):
            return kind
    return None


class SectorLookup:
    """Sectors and sub-sectors by code, Vietnamese or English name, or any of their synonyms.

    Loaded once per import (one query). A sub-sector's words give the sub-sector and its sector.
    """

    def __init__(self) -> None:
        from hoptac.registry.models import Sector

        self.sectors = list(Sector.objects.all())
        by_id = {s.pk: s for s in self.sectors}
        self._map: dict[str, tuple[Any, Any]] = {}
        # Top-level sectors first, so that a word both use ("tổng hợp" is also a synonym) names the sector.
        for sector in sorted(self.sectors, key=lambda s: (s.parent_id is not None, s.order, s.code)):
            pair = (by_id[sector.parent_id], sector) if sector.parent_id else (sector, None)
            for word in (sector.code, sector.name_vi, sector.name_en, *sector.synonyms.splitlines()):
                if word.strip():
                    self._map.setdefault(norm(word), pair)

    def lookup(self, value: Any) -> tuple[Any, Any]:
        """(sector, sub-sector or None)."""
        refuse_formula(value)
        key = norm(value)
        if key in self._map:
            return self._map[key]
        # "Nông nghiệp (trồng lúa)", "Thương mại - dịch vụ tổng hợp": the words before the detail.
        head = norm(re.split(r"[(\[:;/]", str(value), maxsplit=1)[0])
        if head in self._map:
            return self._map[head]
        options = "; ".join(s.label for s in self.sectors if s.parent_id is None)
        raise CellError(
            _("Unknown sector “%(value)s”: write one of %(options)s.")
            % {"value": as_text(value), "options": options}
        )
