"""The support pages per role and scope: the list with its totals and exports, the organisation's
section, the forms, the loan book, the Farmers' Union's counts."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from hoptac.support.models import Loan, Repayment, SupportRecord, UnionActivity

D = Decimal


@pytest.fixture
def as_user(db):
    def login(user):
        client = Client(headers={"accept-language": "en"})
        client.force_login(user)
        return client

    return login


@pytest.fixture
def data(make_org, record, loan, repay, units, sectors):
    """In Xã Than Uyên: an agricultural HTX with two records and an overdue loan, a trade HTX with one
    record; in Xã Tân Uyên: one HTX with a record and a loan (out of the commune officer's area)."""
    here = make_org("HTX Chè Than Uyên", code="6201000001")
    shop = make_org("HTX Thương mại Than Uyên", sector=sectors["thuong-mai"])
    there = make_org("HTX Bí Mật Tân Uyên", unit=units.xa_tan_uyen)
    record(here, "infrastructure", datetime.date(2024, 3, 1), D("100"))
    record(here, "training", datetime.date(2025, 4, 1), in_kind="Lớp kế toán HTX", value=D("6"))
    record(shop, "trade-promotion", datetime.date(2024, 9, 9), D("15"))
    record(there, "infrastructure", datetime.date(2024, 5, 5), D("700"))
    overdue = loan(here, D("120"), datetime.date(2023, 1, 15), term_months=12)
    repay(overdue, datetime.date(2023, 4, 15), D("30"))
    loan(there, D("300"), datetime.date(2024, 1, 15), term_months=36)
    return {"here": here, "shop": shop, "there": there, "overdue": overdue}


# -- the list ---------------------------------------------------------------------------------------------


def test_the_list_shows_the_records_of_the_officers_area_with_totals_by_purpose_and_sector(
    as_user, people, data
):
    body = as_user(people.commune).get(reverse("support:list")).content.decode()
    assert "HTX Chè Than Uyên" in body and "HTX Thương mại Than Uyên" in body
    assert "HTX Bí Mật Tân Uyên" not in body
    assert re.search(r'data-testid="support-count">3<', body)
    assert re.search(r'data-testid="support-total">121<', body)  # 100 + 6 (in kind) + 15
    topics = re.search(r'data-testid="totals-by-topic">(.*?)</table>', body, re.S).group(1)
    assert re.search(r'data-key="infrastructure">.*?<td class="number">100<', topics, re.S)
    sectors = re.search(r'data-testid="totals-by-sector">(.*?)</table>', body, re.S).group(1)
    assert re.search(r'data-key="nong-nghiep">.*?<td class="number">106<', sectors, re.S)
    assert re.search(r'data-key="thuong-mai">.*?<td class="number">15<', sectors, re.S)


def test_the_province_officer_sees_every_commune_and_filters_by_year_topic_sector_and_unit(
    as_user, people, data, units
):
    client = as_user(people.province)
    url = reverse("support:list")
    assert re.search(r'data-testid="support-count">4<', client.get(url).content.decode())
    for params, n in (
        ({"year": 2024}, 3),
        ({"topic": "infrastructure"}, 2),
        ({"sector": "thuong-mai"}, 1),
        ({"unit": units.xa_tan_uyen.key}, 1),
        ({"year": 2025, "sector": "nong-nghiep"}, 1),
    ):
        body = client.get(url, params).content.decode()
        assert re.search(rf'data-testid="support-count">{n}<', body), params


def test_a_unit_outside_the_area_is_ignored_with_a_notice(as_user, people, data, units):
    body = (
        as_user(people.commune).get(reverse("support:list"), {"unit": units.dien_bien.key}).content.decode()
    )
    assert 'data-testid="filter-notices"' in body and "HTX Bí Mật Tân Uyên" not in body


def test_the_list_costs_the_same_queries_however_many_records(as_user, people, data, record):
    client = as_user(people.province)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("support:list"))
    for i in range(12):
        record(data["shop"], "branding", datetime.date(2024, 1, 1 + i), D(i + 1))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("support:list"))
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_exports_hold_exactly_the_filtered_records(as_user, people, data):
    client = as_user(people.commune)
    response = client.get(reverse("support:export", args=["csv"]), {"year": 2024})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Date" and len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"HTX Chè Than Uyên", "HTX Thương mại Than Uyên"}
    assert rows[2][:3] == ["01/03/2024", "6201000001", "HTX Chè Than Uyên"] or rows[1][:3] == [
        "01/03/2024",
        "6201000001",
        "HTX Chè Than Uyên",
    ]
    xlsx = client.get(reverse("support:export", args=["xlsx"]))
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0).to_python()
    assert sheet[1][0] == "Date" and len(sheet) == 2 + 3
    amounts = sorted(r[8] for r in sheet[2:] if r[8] != "")
    assert amounts == [15.0, 100.0]
    assert all("Bí Mật" not in str(cell) for row in sheet for cell in row)


def test_an_export_neutralises_text_that_a_spreadsheet_would_run(as_user, people, data, record):
    record(data["here"], "other", datetime.date(2024, 1, 1), D(1), note='=HYPERLINK("http://x","y")')
    response = as_user(people.commune).get(reverse("support:export", args=["csv"]))
    assert "'=HYPERLINK" in response.content.decode("utf-8-sig")


def test_an_unknown_export_format_is_404(as_user, people):
    assert as_user(people.commune).get(reverse("support:export", args=["pdf"])).status_code == 404


# -- the organisation's page ---------------------------------------------------------------------------------


def test_the_organisation_page_lists_support_and_loans_with_outstanding_and_overdue(as_user, people, data):
    body = (
        as_user(people.district_viewer)
        .get(reverse("registry:organisation-detail", args=[data["here"].pk]))
        .content.decode()
    )
    section = re.search(r'data-testid="org-support"(.*?)</section>', body, re.S).group(1)
    assert section.count('data-testid="org-support-row"') == 2
    assert re.search(r'data-testid="org-support-total">106<', section)
    assert 'data-status="overdue"' in section
    assert re.search(r'data-testid="org-outstanding">90<', section)
    assert re.search(r'data-testid="org-overdue">90<', section)  # all instalments are past due
    assert 'data-testid="support-new"' not in section  # a viewer does not write


def test_writers_see_the_links_to_record_support_and_loans(as_user, people, data):
    body = (
        as_user(people.commune)
        .get(reverse("registry:organisation-detail", args=[data["here"].pk]))
        .content.decode()
    )
    assert 'data-testid="support-new"' in body and 'data-testid="loan-new"' in body


# -- forms ----------------------------------------------------------------------------------------------------


def test_a_commune_officer_records_support_for_an_organisation_of_his_commune(as_user, people, data):
    client = as_user(people.commune)
    url = reverse("support:record-create", args=[data["shop"].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "topic": _topic("branding"),
            "given_on": "12/03/2025",
            "form": "money",
            "amount": "7.5",
            "programme": "OCOP",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#support")
    r = SupportRecord.objects.get(organisation=data["shop"], topic__code="branding")
    assert (r.amount, r.given_on, r.recorded_by) == (D("7.5"), datetime.date(2025, 3, 12), people.commune)


def test_bad_input_shows_the_field_and_writes_nothing(as_user, people, data):
    client = as_user(people.commune)
    before = SupportRecord.objects.count()
    response = client.post(
        reverse("support:record-create", args=[data["shop"].pk]),
        {"topic": _topic("technology"), "given_on": "12/03/2025", "form": "in_kind"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="error-in_kind_description"' in body
    assert SupportRecord.objects.count() == before


@pytest.mark.parametrize("who", ["other_commune", "district_viewer", "agency_officer"])
@pytest.mark.parametrize("name", ["support:record-create", "support:loan-create"])
def test_users_who_may_not_write_there_get_404_on_the_forms(as_user, people, data, who, name):
    client = as_user(getattr(people, who))
    url = reverse(name, args=[data["here"].pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(
            url, {"topic": _topic("training"), "given_on": "01/01/2025", "form": "money", "amount": "1"}
        ).status_code
        == 404
    )


def test_another_communes_officer_gets_404_on_a_record_and_a_loan(as_user, people, data):
    client = as_user(people.other_commune)
    r = SupportRecord.objects.filter(organisation=data["here"]).first()
    for url in (
        reverse("support:record-edit", args=[r.pk]),
        reverse("support:record-delete", args=[r.pk]),
        reverse("support:loan-detail", args=[data["overdue"].pk]),
        reverse("support:repayment-create", args=[data["overdue"].pk]),
        reverse("support:loan-write-off", args=[data["overdue"].pk]),
        reverse("support:loan-edit", args=[data["overdue"].pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code in (404, 405), url  # the loan's page only reads
    assert SupportRecord.objects.filter(pk=r.pk).exists()


def test_a_viewer_reads_a_loan_but_cannot_repay_it(as_user, people, data):
    client = as_user(people.district_viewer)
    body = client.get(reverse("support:loan-detail", args=[data["overdue"].pk])).content.decode()
    assert 'data-testid="outstanding">90<' in body and 'data-testid="repayment-new"' not in body
    assert client.get(reverse("support:repayment-create", args=[data["overdue"].pk])).status_code == 404


def test_an_overpayment_on_the_form_is_refused_beside_the_principal(as_user, people, data):
    client = as_user(people.commune)
    response = client.post(
        reverse("support:repayment-create", args=[data["overdue"].pk]),
        {"paid_on": "01/06/2024", "principal": "95", "interest": "1"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    error = re.search(r'data-testid="error-principal">(.*?)<', body).group(1)
    assert "95" in error and "90" in error
    assert Repayment.objects.filter(loan=data["overdue"]).count() == 1


def test_a_repayment_recorded_on_the_form_lowers_the_outstanding_principal(as_user, people, data):
    client = as_user(people.commune)
    response = client.post(
        reverse("support:repayment-create", args=[data["overdue"].pk]),
        {"paid_on": "01/06/2024", "principal": "90"},
    )
    assert response.status_code == 302
    body = client.get(reverse("support:loan-detail", args=[data["overdue"].pk])).content.decode()
    assert 'data-status="repaid"' in body and 'data-testid="outstanding">0<' in body


def test_a_loan_recorded_on_the_form_opens_its_page(as_user, people, data):
    client = as_user(people.commune)
    response = client.post(
        reverse("support:loan-create", args=[data["shop"].pk]),
        {
            "amount": "200",
            "disbursed_on": "01/02/2025",
            "term_months": "36",
            "interest_rate": "4,8".replace(",", "."),
            "schedule": "quarterly",
            "purpose": "Mở rộng cửa hàng",
        },
    )
    loan = Loan.objects.get(organisation=data["shop"])
    assert response.status_code == 302 and response["Location"] == reverse(
        "support:loan-detail", args=[loan.pk]
    )
    assert loan.interest_rate == D("4.8")


def test_a_write_off_on_the_form_closes_the_loan(as_user, people, data):
    client = as_user(people.province)
    url = reverse("support:loan-write-off", args=[data["overdue"].pk])
    assert client.post(url, {"written_off_on": "01/01/2025", "reason": ""}).status_code == 200
    assert client.post(url, {"written_off_on": "01/01/2025", "reason": "QĐ 5/QĐ-UBND"}).status_code == 302
    data["overdue"].refresh_from_db()
    assert data["overdue"].written_off_on == datetime.date(2025, 1, 1)


def test_a_repayment_deleted_on_its_page_is_gone(as_user, people, data):
    client = as_user(people.commune)
    repayment = data["overdue"].repayments.get()
    url = reverse("support:repayment-delete", args=[repayment.pk])
    assert as_user(people.other_commune).post(url).status_code == 404
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not Repayment.objects.filter(pk=repayment.pk).exists()
    body = client.get(reverse("support:loan-detail", args=[data["overdue"].pk])).content.decode()
    history = re.search(r'data-testid="history">(.*?)</ul>', body, re.S).group(1)
    assert history.count("repayment of 15/04/2023") == 2 and "deleted" in history  # created, then deleted


# -- the loan book -------------------------------------------------------------------------------------------


def test_the_loan_book_totals_outstanding_and_overdue_by_sector_in_the_area(as_user, people, data):
    client = as_user(people.province)
    body = client.get(reverse("support:loans")).content.decode()
    assert re.search(r'data-testid="loan-count">2<', body)
    today = timezone.localdate()
    from hoptac.support.loans import position

    there = Loan.objects.get(organisation=data["there"])
    outstanding = D(90) + position(there, [], today).outstanding
    assert re.search(rf'data-testid="book-outstanding">{outstanding:,.0f}<', body)  # English grouping
    commune = as_user(people.commune).get(reverse("support:loans")).content.decode()
    assert re.search(r'data-testid="loan-count">1<', commune) and "Bí Mật" not in commune
    overdue_only = client.get(
        reverse("support:loans"), {"status": "overdue", "as_of": "01/08/2023"}
    ).content.decode()
    assert re.search(
        r'data-testid="loan-count">1<', overdue_only
    )  # on 01/08/2023 the other was not disbursed yet


def test_the_loan_book_export_lists_the_loans_of_the_area(as_user, people, data):
    response = as_user(people.commune).get(
        reverse("support:loans-export", args=["csv"]), {"as_of": "01/06/2023"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and rows[1][1] == "HTX Chè Than Uyên"
    header = rows[0]
    assert rows[1][header.index("Outstanding principal (million VND)")] == "90"
    assert rows[1][header.index("Overdue principal (million VND)")] == "0"
    assert rows[1][header.index("Status")] == "Current"


# -- Farmers' Union counts ---------------------------------------------------------------------------------------


def test_a_commune_officer_records_a_union_count_for_his_commune_only(as_user, people, units):
    client = as_user(people.commune)
    url = reverse("support:union-create")
    ok = client.post(
        url, {"unit": units.xa_than_uyen.key, "year": "2025", "topic": _topic("union-staff"), "count": "6"}
    )
    assert ok.status_code == 302
    refused = client.post(
        url, {"unit": units.xa_tan_uyen.key, "year": "2025", "topic": _topic("union-staff"), "count": "6"}
    )
    assert refused.status_code == 200 and 'data-testid="error-unit"' in refused.content.decode()
    assert UnionActivity.objects.count() == 1
    assert as_user(people.district_viewer).get(url).status_code == 404


def test_union_counts_are_listed_within_the_readers_area(as_user, people, units, topics):
    from hoptac.support.services import union_activity_create

    mine = union_activity_create(
        actor=people.admin, unit=units.xa_than_uyen, year=2025, topic=topics["union-staff"], count=6
    )
    union_activity_create(
        actor=people.admin, unit=units.xa_tan_uyen, year=2025, topic=topics["union-staff"], count=99
    )
    body = as_user(people.commune).get(reverse("support:union")).content.decode()
    assert body.count('data-testid="union-row"') == 1
    assert as_user(people.other_commune).get(reverse("support:union-edit", args=[mine.pk])).status_code == 404
    assert as_user(people.province).get(reverse("support:union-edit", args=[mine.pk])).status_code == 200


def _topic(code):
    from hoptac.support.models import SupportTopic

    return SupportTopic.objects.get(code=code).pk
