"""Cell values as Vietnamese offices type them."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from hoptac.core.text import fold
from hoptac.imports.values import (
    CellError,
    SectorLookup,
    fast_fold,
    guess_kind,
    parse_bool,
    parse_date,
    parse_number,
    parse_year,
    vocabulary,
)

TODAY = datetime.date(2026, 1, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,5", "1234.5"),
        ("1 234", "1234"),
        ("1\u00a0234,25", "1234.25"),
        ("12,5%", "12.5"),
        ("35.874", "35874"),
        ("1.234.567", "1234567"),
        ("1,234.5", "1234.5"),
        ("1,234,567", "1234567"),
        ("12.5", "12.5"),
        ("0.500", "0.500"),
        ("12,5", "12.5"),
        ("-5", "-5"),
        ("(1.200)", "-1200"),
        ("500 triệu", "500"),
        ("1.234,5 tr.đ", "1234.5"),
        (35874, "35874"),
        (12.3, "12.3"),
    ],
)
def test_numbers_are_read_the_vietnamese_way_first(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize(
    "text", ["nhiều", "1.23.4", "12 5", "1,2,3", "=A1+1", "", True, datetime.date(2020, 1, 1)]
)
def test_what_is_not_a_number_is_refused(text):
    with pytest.raises(CellError):
        parse_number(text)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("05/03/2018", datetime.date(2018, 3, 5)),
        ("5/3/2018", datetime.date(2018, 3, 5)),
        ("5-3-2018", datetime.date(2018, 3, 5)),
        ("05.03.2018", datetime.date(2018, 3, 5)),
        ("1/2/15", datetime.date(2015, 2, 1)),
        ("1/2/95", datetime.date(1995, 2, 1)),
        ("2018-03-05", datetime.date(2018, 3, 5)),
        ("ngày 05 tháng 3 năm 2018", datetime.date(2018, 3, 5)),
        ("05/03/2018 00:00:00", datetime.date(2018, 3, 5)),
        (datetime.datetime(2018, 3, 5, 0, 0), datetime.date(2018, 3, 5)),  # noqa: DTZ001 (calamine gives naive)
        (datetime.date(2018, 3, 5), datetime.date(2018, 3, 5)),
        (43164.0, datetime.date(2018, 3, 5)),  # an Excel serial that lost its date format
    ],
)
def test_dates_are_day_month_year_or_real_dates(value, expected):
    assert parse_date(value, today=TODAY) == expected


@pytest.mark.parametrize("value", ["2015", 2015, "12/31/2018", "31/02/2018", "hôm qua", "=TODAY()", True])
def test_a_bare_year_and_month_first_dates_are_refused(value):
    with pytest.raises(CellError):
        parse_date(value, today=TODAY)


def test_a_year_column_takes_years():
    assert parse_year("2015") == 2015
    assert parse_year(2015.0) == 2015
    assert parse_year(datetime.date(2015, 4, 1)) == 2015
    with pytest.raises(CellError):
        parse_year("15 năm")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đang hoạt động", "active"),
        ("Ngừng hoạt động", "stopped"),
        ("Chưa giải thể", "stopped"),
        ("Tạm ngừng", "suspended"),
        ("Tạm ngừng kinh doanh", "suspended"),
        ("Đã giải thể", "dissolved"),
        ("Giải thể", "dissolved"),
        ("Phá sản", "bankrupt"),
        ("Đang làm thủ tục giải thể", "reorganising"),
        ("Không hoạt động tại địa chỉ đăng ký", "not_at_address"),
        ("ĐANG HOẠT ĐỘNG", "active"),
        ("Operating", "active"),
        ("Dissolved", "dissolved"),
    ],
)
def test_statuses_by_their_usual_words(text, expected):
    assert vocabulary("status").lookup(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HTX", "htx"),
        ("Hợp tác xã", "htx"),
        ("THT", "tht"),
        ("Tổ hợp tác", "tht"),
        ("LHHTX", "lhhtx"),
        ("Liên hiệp HTX", "lhhtx"),
        ("Quỹ tín dụng nhân dân", "qtdnd"),
        ("Cooperative group (THT)", "tht"),
    ],
)
def test_kinds_by_their_usual_words(text, expected):
    assert vocabulary("kind").lookup(text) == expected


def test_an_unknown_word_names_the_choices():
    with pytest.raises(CellError, match=r"Hợp tác|Cooperative"):
        vocabulary("kind").lookup("Doanh nghiệp")


def test_the_kind_is_read_from_the_name():
    assert guess_kind("Tổ hợp tác Dệt thổ cẩm") == "tht"
    assert guess_kind("HTX Nông nghiệp") == "htx"
    assert guess_kind("Liên hiệp HTX Chè") == "lhhtx"
    assert guess_kind("Quỹ tín dụng nhân dân Than Uyên") == "qtdnd"
    assert guess_kind("Công ty TNHH") is None


def test_sectors_by_their_names_and_synonyms(db):
    sectors = SectorLookup()
    assert sectors.lookup("Nông, lâm, ngư nghiệp")[0].code == "nong-nghiep"
    assert sectors.lookup("nong nghiep")[0].code == "nong-nghiep"
    assert sectors.lookup("Thương mại - Dịch vụ")[0].code == "thuong-mai"
    assert sectors.lookup("TM-DV")[0].code == "thuong-mai"
    sector, sub = sectors.lookup("Chăn nuôi")
    assert (sector.code, sub.code) == ("nong-nghiep", "chan-nuoi")
    assert sectors.lookup("Nông nghiệp (trồng lúa)")[0].code == "nong-nghiep"
    with pytest.raises(CellError):
        sectors.lookup("Khai khoáng vũ trụ")


def test_yes_and_no():
    assert parse_bool("Có") is True and parse_bool("x") is True and parse_bool(True) is True
    assert parse_bool("Không") is False and parse_bool(0) is False
    with pytest.raises(CellError):
        parse_bool("có lẽ")


@pytest.mark.parametrize(
    "text", ["HTX Nông nghiệp  Mường Cang", "ĐĂK LONG", "Ea H'Leo", "Tổ\thợp tác", "ǅ ﬁ 中文"]
)
def test_fast_fold_agrees_with_fold(text):
    assert fast_fold(text) == fold(text)
