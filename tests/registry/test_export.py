import csv
import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from hoptac.registry import exports
from hoptac.registry.models import Sector

MALICIOUS = '=HYPERLINK("http://x","y")'


def export_url(fmt):
    return reverse("registry:organisation-export", args=[fmt])


@pytest.fixture
def as_user(db):
    def login(user):
        client = Client(headers={"accept-language": "en"})
        client.force_login(user)
        return client

    return login


@pytest.fixture
def orgs(make_org, units):
    sector = {s.code: s for s in Sector.objects.all()}
    cang = make_org(
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
    )
    old = make_org("HTX Thị trấn cũ", unit=units.tt_than_uyen, founded_on=datetime.date(2012, 7, 9))
    tan_uyen = make_org("THT Tân Uyên", kind="tht", unit=units.xa_tan_uyen)
    return cang, old, tan_uyen


def read_xlsx(content):
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def read_csv(content):
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_xlsx_has_title_headers_and_typed_rows(orgs, people, as_user, units):
    response = as_user(people.admin).get(export_url("xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = timezone.localdate()
    assert response["Content-Disposition"] == f'attachment; filename="to-chuc-{today:%Y-%m-%d}.xlsx"'
    rows = read_xlsx(response.content)
    assert "Collective economic organisations" in rows[0][0]
    header = rows[1]
    assert header[:3] == ["Cooperative code", "Name", "Kind"]
    assert "Charter capital (million VND)" in header
    assert len(header) == len(exports.COLUMNS) == 17
    body = {r[1]: dict(zip(header, r, strict=True)) for r in rows[2:]}
    assert set(body) == {o.name for o in orgs}
    cang = body["HTX Nông nghiệp Mường Cang"]
    assert cang["Cooperative code"] == "6201000001"
    assert cang["Date founded"] == datetime.date(2018, 3, 1)  # a real date, not text
    assert cang["Charter capital (million VND)"] == 1234.5  # a real number
    assert cang["Sub-sector"] == "Crop farming"
    assert cang["Member of the provincial cooperative union"] == "Yes"
    assert cang["Commune or ward"] == units.xa_than_uyen.name
    assert cang["Province"] == units.lai_chau.name
    old = body["HTX Thị trấn cũ"]
    assert old["Former commune (before 01/07/2025)"] == units.tt_than_uyen.name
    assert old["Former district (before 01/07/2025)"] == units.than_uyen_district.name
    assert old["Commune or ward"] == units.xa_than_uyen.name


def test_xlsx_formats_frozen_header_and_autofilter(orgs, people, as_user):
    content = as_user(people.admin).get(export_url("xlsx")).content
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert 'ySplit="2"' in sheet and 'state="frozen"' in sheet
    assert '<autoFilter ref="A2:Q5"' in sheet
    assert 'formatCode="dd/mm/yyyy"' in styles
    assert 'formatCode="#,##0.0"' in styles
    assert "<col " in sheet  # column widths are set


def test_csv_has_bom_headers_and_rows(orgs, people, as_user):
    response = as_user(people.admin).get(export_url("csv"))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="to-chuc-')
    rows = read_csv(response.content)
    assert rows[0] == exports.headers()
    assert rows[0][1] == "Name"
    by_name = {r[1]: r for r in rows[1:]}
    assert set(by_name) == {o.name for o in orgs}
    cang = by_name["HTX Nông nghiệp Mường Cang"]
    assert cang[0] == "6201000001"
    assert cang[10] == "01/03/2018"
    assert cang[12] == "1234.5"


def test_formula_in_a_name_stays_text_in_csv(make_org, people, as_user):
    make_org(MALICIOUS, address="+1 street", code="@6201")
    rows = read_csv(as_user(people.admin).get(export_url("csv")).content)
    row = rows[1]
    assert row[1] == "'" + MALICIOUS
    assert row[9] == "'+1 street"
    assert row[0] == "'@6201"


def test_formula_in_a_name_stays_text_in_xlsx(make_org, people, as_user):
    make_org(MALICIOUS, address="-1 street")
    content = as_user(people.admin).get(export_url("xlsx")).content
    rows = read_xlsx(content)
    assert rows[2][1] == MALICIOUS  # the text, intact
    assert rows[2][9] == "-1 street"
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
        styles = z.read("xl/styles.xml").decode()
    assert "<f>" not in sheet and "HYPERLINK" not in sheet  # no formula cell; the text is a shared string
    assert 'quotePrefix="1"' in styles


def test_neutralise_covers_every_formula_start():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert exports.neutralise(f"{start}x") == f"'{start}x"
    assert exports.neutralise("HTX Mường Cang") == "HTX Mường Cang"


def test_export_of_commune_officer_contains_only_his_organisations(orgs, people, as_user):
    client = as_user(people.commune)
    names = {r[1] for r in read_csv(client.get(export_url("csv")).content)[1:]}
    assert names == {"HTX Nông nghiệp Mường Cang", "HTX Thị trấn cũ"}
    names = {r[1] for r in read_xlsx(client.get(export_url("xlsx")).content)[2:]}
    assert names == {"HTX Nông nghiệp Mường Cang", "HTX Thị trấn cũ"}


def test_export_follows_the_list_filters_and_order_across_all_pages(make_org, people, settings, as_user):
    settings.HOPTAC_PAGE_SIZE = 2
    for i in range(5):
        make_org(f"HTX số {i}")
    make_org("THT một", kind="tht")
    rows = read_csv(
        as_user(people.admin).get(export_url("csv"), {"kind": "htx", "sort": "-name", "page": "2"}).content
    )
    assert [r[1] for r in rows[1:]] == [f"HTX số {i}" for i in (4, 3, 2, 1, 0)]


def test_export_ignores_invalid_filters_instead_of_failing(orgs, people, as_user):
    response = as_user(people.admin).get(export_url("csv"), {"kind": "nope", "unit": "Atlantis"})
    assert response.status_code == 200
    assert len(read_csv(response.content)) == 1 + len(orgs)


def test_unknown_export_format_is_404(people, as_user):
    assert as_user(people.admin).get(export_url("pdf")).status_code == 404


def test_anonymous_export_is_sent_to_login(orgs):
    for fmt in ("xlsx", "csv"):
        response = Client().get(export_url(fmt))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_export_costs_the_same_queries_whatever_the_number_of_rows(
    make_org, people, units, as_user, django_assert_max_num_queries
):
    subs = list(Sector.objects.filter(parent__isnull=False))
    places = [units.xa_than_uyen, units.tt_than_uyen, units.xa_tan_uyen]

    def make(i):
        make_org(
            f"HTX {i:03d}",
            unit=places[i % 3],
            sector=subs[i % len(subs)].parent,
            subsector=subs[i % len(subs)],
        )

    make(0)
    client = as_user(people.province)
    with CaptureQueriesContext(connection) as one:
        client.get(export_url("xlsx"))
    for i in range(1, 30):
        make(i)
    with django_assert_max_num_queries(len(one)):
        content = client.get(export_url("xlsx")).content
    assert len(read_xlsx(content)) == 2 + 30
