"""The returns template and export share one shape: export then import changes nothing; the template is
prefilled with the organisations of the user's area only."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
import xlsxwriter
from django.test import Client
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from hoptac.imports.reader import read_bytes
from hoptac.imports.returns import RETURN_FIELDS, SHEET_COLUMNS, import_returns
from hoptac.imports.template import returns_template
from hoptac.registry.models import Kind
from hoptac.returns import services
from hoptac.returns.models import AnnualReturn

YEAR = 2024
FULL = {
    "members_individual": 12,
    "members_household": 3,
    "members_legal_entity": 1,
    "members_associate": 4,
    "members_social_insurance": 2,
    "workers": 9,
    "workers_members": 6,
    "income_member": Decimal("45.25"),
    "income_worker": Decimal("52.5"),
    "revenue": Decimal("1234.5"),
    "revenue_planned": Decimal("1000"),
    "profit": Decimal("-12.3"),
    "total_assets": Decimal("2500.7"),
    "charter_capital_contributed": Decimal("800"),
    "managers": 5,
    "managers_university": 2,
    "managers_college": 1,
    "managers_intermediate": 1,
    "managers_elementary": 1,
    "managers_untrained": 0,
    "managers_young": 2,
    "managers_young_degree": 1,
    "managers_trained": 3,
    "high_technology": True,
    "value_chain_link": False,
    "land_use_certificate": True,
    "credit_access": False,
    "self_classification": "trung_binh",
    "notes": '- Số liệu theo báo cáo tài chính; "có ngoặc", dấu phẩy',
}


def make(org, actor, status="draft", year=YEAR, **figures):
    ret, _ = services.return_create_or_get(organisation=org, year=year, actor=actor)
    ret, _ = services.return_save(ret=ret, actor=actor, data=figures, expected_version=ret.version)
    if status in ("submitted", "approved"):
        ret = services.return_submit(ret=ret, actor=actor)
    if status == "approved":
        ret = services.return_approve(ret=ret, actor=actor)
    return ret


@pytest.fixture
def round_2024(returns_orgs, people, make_org):
    o, admin = returns_orgs, people.admin
    make(o.tea, admin, "approved", **FULL)
    make(o.tea, admin, "approved", year=YEAR - 1, **{**FULL, "income_member": Decimal("44")})
    make(o.rice, admin, "draft", workers=4, revenue=Decimal("0.5"), notes="Chưa đủ số liệu")
    make(
        o.fund,
        admin,
        "submitted",
        members_individual=150,
        bad_debt_ratio=Decimal("1.25"),
        revenue=Decimal("3000"),
    )
    make(o.other, admin, "approved", members_individual=20, workers=10)
    # The group has no return; this one did not exist in 2024 and is in no round of that year.
    make_org("HTX Mới Thành Lập", code="6201000099", founded_on=datetime.date(2025, 8, 1))
    return o


def snapshot():
    return (
        list(AnnualReturn.objects.order_by("pk").values()),
        AnnualReturn.history.count(),
    )


def client_for(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def sheet_of(content: bytes):
    return (
        CalamineWorkbook.from_filelike(io.BytesIO(content))
        .get_sheet_by_index(0)
        .to_python(skip_empty_area=False)
    )


def names_in(content: bytes) -> list[str]:
    return [row[1] for row in sheet_of(content)[3:] if row and row[1]]


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_export_then_import_changes_nothing(round_2024, people, language, fmt):
    response = client_for(people.province).get(
        reverse("imports:returns-export", args=[YEAR, fmt]), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    before = snapshot()

    with translation.override(language):
        result = import_returns(read_bytes(response.content), year=YEAR, actor=people.province)

    assert result.errors == [], [e.line() for e in result.errors]
    assert [a for a in result.actions if a.action != "unchanged"] == []
    assert result.counts() == {"rows": 5, "created": 0, "updated": 0, "unchanged": 5}
    assert snapshot() == before


def test_an_export_read_back_into_an_empty_year_recreates_the_figures(round_2024, people):
    content = client_for(people.province).get(reverse("imports:returns-export", args=[YEAR, "xlsx"])).content
    wanted = {
        r.organisation_id: {k: getattr(r, k) for k in FULL} for r in AnnualReturn.objects.filter(year=YEAR)
    }
    AnnualReturn.history.all().delete()
    AnnualReturn.objects.filter(year=YEAR).delete()

    result = import_returns(read_bytes(content), year=YEAR, actor=people.admin)

    assert result.errors == [] and result.counts()["created"] == 4
    got = {
        r.organisation_id: {k: getattr(r, k) for k in FULL} for r in AnnualReturn.objects.filter(year=YEAR)
    }
    assert got == wanted
    assert set(AnnualReturn.objects.filter(year=YEAR).values_list("status", flat=True)) == {"draft"}


def test_the_export_is_scoped_and_follows_the_rounds_filter(round_2024, people):
    officer = client_for(people.commune)
    everything = officer.get(reverse("imports:returns-export", args=[YEAR, "xlsx"])).content
    assert sorted(names_in(everything)) == sorted(
        [
            "HTX Chè Than Uyên",
            "HTX Lúa Mường Than",
            "Tổ hợp tác Rau Than Uyên",
            "Quỹ tín dụng nhân dân Than Uyên",
        ]
    )
    approved = officer.get(reverse("imports:returns-export", args=[YEAR, "csv"]), {"status": "approved"})
    text = approved.content.decode("utf-8-sig")
    assert "HTX Chè Than Uyên" in text and "HTX Lúa Mường Than" not in text and "HTX Lúa Tân Uyên" not in text
    assert text.splitlines()[0].split(",")[:3] == ["Mã số HTX", "Tên tổ chức", "Loại hình"]


def test_the_csv_export_neutralises_formulas(returns_orgs, people):
    make(returns_orgs.tea, people.admin, notes='=HYPERLINK("http://x","y")')
    text = (
        client_for(people.admin).get(reverse("imports:returns-export", args=[YEAR, "csv"])).content.decode()
    )
    assert "'=HYPERLINK" in text
    result = import_returns(
        read_bytes(text.encode()), year=YEAR, actor=people.admin
    )  # the apostrophe marks text: it reads back as the note it was
    assert result.errors == [] and result.counts()["unchanged"] == 5


def test_the_template_is_prefilled_with_the_users_area_only(round_2024, people, units):
    officer = client_for(people.commune).get(reverse("imports:returns-template", args=[YEAR]))
    assert officer.status_code == 200 and officer.content[:2] == b"PK"
    rows = sheet_of(officer.content)
    mine = sorted(names_in(officer.content))
    assert mine == sorted(
        [
            "HTX Chè Than Uyên",
            "HTX Lúa Mường Than",
            "Tổ hợp tác Rau Than Uyên",
            "Quỹ tín dụng nhân dân Than Uyên",
        ]
    )
    tea = next(r for r in rows if r[1] == "HTX Chè Than Uyên")
    with translation.override("vi"):
        htx = str(Kind.HTX.label)  # the sheet's words are Vietnamese, whatever the interface language
    assert tea[:5] == ["6201000001", "HTX Chè Than Uyên", htx, "Xã Than Uyên", "Tỉnh Lai Châu"]
    assert all(v in ("", None) for v in tea[5 : len(SHEET_COLUMNS)])  # the figures are left to fill in
    # The province sees both communes; the unit filter narrows it; 2025's new cooperative is not in 2024.
    province = names_in(returns_template(people.province, year=YEAR))
    assert "HTX Lúa Tân Uyên" in province and "HTX Mới Thành Lập" not in province
    assert "HTX Lúa Tân Uyên" not in names_in(
        returns_template(people.province, year=YEAR, unit=units.xa_than_uyen)
    )


def test_the_template_has_vietnamese_headers_notes_and_dropdowns(round_2024, people):
    content = returns_template(people.commune, year=YEAR)
    rows = sheet_of(content)
    assert [str(v) for v in rows[1][: len(SHEET_COLUMNS)]] == [c.header for c in SHEET_COLUMNS]
    assert rows[1][5:8] == [
        "Thành viên chính thức: cá nhân",
        "Thành viên chính thức: hộ gia đình",
        "Thành viên chính thức: pháp nhân",
    ]
    assert all(rows[2][i] for i in range(len(SHEET_COLUMNS)))  # a note under every header
    xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert xml.count('type="list"') == 5  # four yes/no figures and the class
    assert 'type="whole"' in xml and 'type="decimal"' in xml
    book = read_bytes(content)
    assert not book.sheets[1].visible
    assert {"Có", "Không", "Tốt", "Khá", "Trung bình", "Yếu"} <= {
        str(v) for r in book.sheets[1].rows for v in r
    }
    # Read back unfilled, the notes row is no data and every row is left as it is.
    before = snapshot()
    result = import_returns(book, year=YEAR, actor=people.commune)
    assert result.layout.header_row_numbers == [2] and result.rows == 4
    assert result.errors == [] and result.counts()["unchanged"] == 4 and snapshot() == before


def test_every_sheet_column_is_recognised_by_the_import():
    for column in SHEET_COLUMNS:
        assert RETURN_FIELDS.match(column.header) == (column.key, 2), column.header


def test_a_filled_in_template_imports(returns_orgs, people):
    rows = sheet_of(returns_template(people.commune, year=YEAR))
    keys = [c.key for c in SHEET_COLUMNS]
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    ws = book.add_worksheet("Báo cáo")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in ("", None):
                ws.write_string(r, c, str(value))
        if r > 2 and row[1] == "HTX Lúa Mường Than":
            for key, value in {
                "workers": 7,
                "revenue": "2.500,5",
                "credit_access": "Có",
                "self_classification": "Tốt",
            }.items():
                ws.write(r, keys.index(key), value)
    book.close()

    result = import_returns(read_bytes(out.getvalue()), year=YEAR, actor=people.commune)

    assert result.errors == [] and result.counts()["created"] == 1
    ret = AnnualReturn.objects.get()
    assert (ret.organisation, ret.workers, ret.revenue, ret.credit_access, ret.self_classification) == (
        returns_orgs.rice, 7, Decimal("2500.5"), True, "tot"
    )  # fmt: skip


def test_the_export_costs_the_same_queries_for_five_organisations_or_twenty_five(
    round_2024, people, make_org
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(people.province)
    url = reverse("imports:returns-export", args=[YEAR, "xlsx"])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries()
    for i in range(20):
        make(make_org(f"HTX Thêm {i}", code=f"62010001{i:02d}"), people.admin, workers=i)
    assert queries() == few
