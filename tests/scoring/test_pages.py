"""The self-assessment form, its live total, the round with bulk scoring, the schemes, the organisation page."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hoptac.scoring import services
from hoptac.scoring.models import ScoreSheet

from .conftest import YEAR, manual_entries

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def form_url(org, year=YEAR):
    return reverse("scoring:form", kwargs={"year": year, "org_pk": org.pk})


def check_url(org, year=YEAR):
    return reverse("scoring:check", kwargs={"year": year, "org_pk": org.pk})


def round_url(year=YEAR):
    return reverse("scoring:round", kwargs={"year": year})


def post_data(org, values: dict[str, object], *, version=0, action="save", **extra):
    """The form's fields for criteria numbers: {"1.4": (5, "evidence")}."""
    from hoptac.scoring.models import Criterion

    data = {"version": version, "action": action, **extra}
    for number, (points, evidence) in values.items():
        pk = Criterion.objects.get(scheme__active=True, scheme__code=_code(org), number=number).pk
        data[f"p_{pk}"] = points
        data[f"e_{pk}"] = evidence
    return data


def _code(org):
    from hoptac.scoring.schemes import scheme_for

    return scheme_for(org).code


def test_the_form_shows_computed_criteria_with_the_return_values_behind_them(
    client, agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    client.force_login(people.commune)
    body = client.get(form_url(agri_org), **EN).content.decode()
    assert 'data-testid="criterion-1.2"' in body and "Revenue: 1,200" in body
    assert re.search(r'data-testid="points-1.2">\s*6\s*<small class="muted">computed', body)
    assert 'name="p_' in body and "Evidence for 1.4" in body
    assert 'data-testid="no-class"' in body  # nothing entered yet
    assert "illustrative" not in body and 'data-testid="scheme"' in body


def test_the_representative_saves_and_submits_his_sheet_from_the_page(
    client, agri_org, rep, approve, complete_schemes
):
    approve(agri_org)
    client.force_login(rep)
    values = {n: (e["points"], e["evidence"]) for n, e in _entries_for_new_sheet(agri_org, rep).items()}
    response = client.post(form_url(agri_org), post_data(agri_org, values, action="submit"), **EN)
    assert response.status_code == 302
    sheet = ScoreSheet.objects.get(organisation=agri_org, year=YEAR)
    assert (sheet.status, sheet.total, sheet.klass, sheet.submitted_by) == ("submitted", 89, "tot", rep)
    body = client.get(form_url(agri_org), **EN).content.decode()
    assert 'data-testid="submitted-note"' in body and 'data-testid="confirm"' not in body


def _entries_for_new_sheet(org, actor):
    """The manual entries of a sheet, read from a throwaway draft (rolled back)."""
    from django.db import transaction

    class Rollback(Exception):
        pass

    out = {}
    try:
        with transaction.atomic():
            sheet, _ = services.score_compute(organisation=org, year=YEAR, actor=actor)
            out = manual_entries(sheet)
            raise Rollback
    except Rollback:
        pass
    return out


def test_errors_are_shown_at_the_criterion_and_nothing_is_saved(
    client, agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    client.force_login(people.commune)
    response = client.post(
        form_url(agri_org), post_data(agri_org, {"1.4": ("7", "x"), "5": ("2", "Giấy khen")}), **EN
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="form-errors"' in body
    assert "less than or equal to 5" in body
    assert not ScoreSheet.objects.exists()


def test_submitting_an_incomplete_sheet_names_the_missing_criteria(
    client, agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    client.force_login(people.commune)
    response = client.post(form_url(agri_org), post_data(agri_org, {"1.4": ("5", "")}, action="submit"), **EN)
    body = response.content.decode()
    assert 'data-testid="error-1.4"' in body and "give the evidence" in body
    assert "Criterion 6 is not scored." in body
    assert not ScoreSheet.objects.exists()  # the save and the submission are one transaction


def test_the_live_check_gives_the_total_and_the_class(client, agri_org, approve, complete_schemes, people):
    approve(agri_org)
    client.force_login(people.commune)
    values = {
        n: (e["points"], e["evidence"]) for n, e in _entries_for_new_sheet(agri_org, people.commune).items()
    }
    body = client.post(check_url(agri_org), post_data(agri_org, values), **EN).content.decode()
    assert (
        'hx-swap-oob="true"' in body
        and re.search(r'data-testid="total">89<', body)
        and 'data-class="tot"' in body
    )
    values["3"] = ("0", "")
    values["2.2"] = ("0", "")
    body = client.post(check_url(agri_org), post_data(agri_org, values, fined="on"), **EN).content.decode()
    assert (
        re.search(r'data-testid="total">60<', body)
        and 'data-class="yeu"' in body
        and 'data-testid="forced"' in body
    )
    assert not ScoreSheet.objects.exists()


def test_the_officer_confirms_sends_back_and_reopens_from_the_page(
    client, agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    sheet = services.score_save(
        sheet=sheet, actor=people.commune, entries=manual_entries(sheet), expected_version=sheet.version
    )
    sheet = services.score_submit(sheet=sheet, actor=people.commune)
    client.force_login(people.commune)
    response = client.post(
        form_url(agri_org), {"action": "send_back", "reason": "", "version": sheet.version}, **EN
    )
    assert 'data-testid="error-reason"' in response.content.decode()
    client.post(
        form_url(agri_org), {"action": "send_back", "reason": "Thiếu hồ sơ", "version": sheet.version}
    )
    sheet.refresh_from_db()
    assert sheet.status == "returned"
    sheet = services.score_submit(sheet=sheet, actor=people.commune)
    client.post(form_url(agri_org), {"action": "confirm", "version": sheet.version})
    sheet.refresh_from_db()
    assert sheet.status == "confirmed"
    client.post(form_url(agri_org), {"action": "reopen", "reason": "Sai điểm", "version": sheet.version})
    sheet.refresh_from_db()
    assert sheet.status == "draft" and sheet.reopened_reason == "Sai điểm"


def test_the_representative_cannot_confirm_from_the_page(
    client, agri_org, rep, approve, complete_schemes, people
):
    approve(agri_org)
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=rep)
    sheet = services.score_submit(
        sheet=services.score_save(
            sheet=sheet, actor=rep, entries=manual_entries(sheet), expected_version=sheet.version
        ),
        actor=rep,
    )
    client.force_login(rep)
    response = client.post(form_url(agri_org), {"action": "confirm", "version": sheet.version})
    assert response.status_code == 403
    sheet.refresh_from_db()
    assert sheet.status == "submitted"


def test_a_cooperative_founded_during_the_year_shows_not_rated(
    client, make_org, approve, complete_schemes, people
):
    org = make_org("HTX Mới", founded_on=datetime.date(YEAR, 5, 1))
    approve(org)
    client.force_login(people.commune)
    body = client.get(form_url(org), **EN).content.decode()
    assert 'data-testid="not-rated"' in body and "operated fewer than 12 months in 2024" in body
    assert 'data-testid="save"' not in body


@pytest.mark.parametrize("url", [form_url, check_url])
def test_out_of_scope_sheets_are_not_found(client, other_org, rep, approve, people, url):
    approve(other_org)
    for user in (people.commune, rep):
        client.force_login(user)
        assert client.get(form_url(other_org)).status_code == 404
        assert client.post(url(other_org), {"action": "save"}).status_code == 404
    assert not ScoreSheet.objects.exists()


def test_the_round_counts_states_and_classes_and_offers_bulk_scoring_to_officers(
    client, agri_org, other_org, trade_org, approve, complete_schemes, people, rep
):
    for org in (agri_org, trade_org):
        approve(org)
    approve(trade_org, year=YEAR - 1)
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    sheet = services.score_save(
        sheet=sheet, actor=people.commune, entries=manual_entries(sheet), expected_version=sheet.version
    )
    services.score_confirm(
        sheet=services.score_submit(sheet=sheet, actor=people.commune), actor=people.commune
    )
    client.force_login(people.commune)
    body = client.get(round_url(), **EN).content.decode()
    assert re.search(r'data-testid="count-confirmed">1<', body) and re.search(
        r'data-testid="count-missing">1<', body
    )
    assert re.search(r'data-testid="class-count-tot">1<', body)
    assert other_org.name not in body  # another commune
    assert 'data-testid="bulk-score"' in body
    response = client.post(reverse("scoring:round-compute", kwargs={"year": YEAR}), follow=True, **EN)
    assert "Bulk scoring for 2024: 0 scored, 1 need criteria entered by a person" in response.content.decode()
    client.force_login(rep)
    assert 'data-testid="bulk-score"' not in client.get(round_url(), **EN).content.decode()
    assert client.post(reverse("scoring:round-compute", kwargs={"year": YEAR})).status_code == 404


def test_the_round_costs_the_same_queries_for_few_or_many_cooperatives(client, make_org, people):
    client.force_login(people.province)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(round_url()).status_code == 200
        return len(ctx.captured_queries)

    make_org("HTX A", code="6204000001")
    few = count()
    for i in range(2, 9):
        make_org(f"HTX {i}", code=f"62040000{i:02d}")
    assert count() == few


def test_the_schemes_page_lists_criteria_points_and_what_is_unconfirmed(client, people):
    client.force_login(people.district_viewer)
    body = client.get(reverse("scoring:schemes"), **EN).content.decode()
    assert body.count('data-testid="scheme"') == 2
    assert "Thông tư 09/2017/TT-BNNPTNT" in body and "Thông tư 01/2020/TT-BKHĐT" in body
    assert "unconfirmed" in body and "Criteria without maximum points" in body
    assert "revenue / revenue_planned * 100" in body and "lawnet.vn" in body


def test_the_organisation_page_shows_classes_by_year_with_their_points(
    client, agri_org, approve, complete_schemes, people
):
    approve(agri_org)
    sheet, _ = services.score_compute(organisation=agri_org, year=YEAR, actor=people.commune)
    services.score_save(
        sheet=sheet,
        actor=people.commune,
        entries=manual_entries(sheet, {"3": 0}),
        expected_version=sheet.version,
    )
    client.force_login(people.district_viewer)
    body = client.get(
        reverse("registry:organisation-detail", kwargs={"pk": agri_org.pk}), **EN
    ).content.decode()
    assert 'data-testid="org-scores"' in body
    row = re.search(
        r'data-testid="org-score-row" data-year="2024" data-class="kha">(.*?)</tr>', body, re.S
    ).group(1)
    assert "74" in row and "1: 27/38" in row and "3: 0/15" in row and "Draft" in row


def test_the_index_sends_a_representative_to_his_sheet(client, agri_org, rep, people):
    client.force_login(rep)
    response = client.get(reverse("scoring:index"))
    assert response.status_code == 302 and response["Location"] == form_url(
        agri_org, timezone.localdate().year - 1
    )
