"""The reporting round, the return form, its htmx check, the organisation's returns, the admin."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hoptac.returns import services
from hoptac.returns.models import AnnualReturn

from .conftest import GOOD, YEAR

Status = AnnualReturn.Status


def round_url(year=YEAR, **params):
    url = reverse("returns:round", kwargs={"year": year})
    if params:
        from django.utils.http import urlencode

        url += "?" + urlencode(params)
    return url


def form_url(org, year=YEAR):
    return reverse("returns:form", kwargs={"year": year, "org_pk": org.pk})


def count(body, key):
    match = re.search(rf'data-testid="count-{key}">(\d+)<', body)
    assert match, key
    return int(match.group(1))


def rows(body):
    return re.findall(r'data-testid="round-row" data-org="(\d+)" data-status="(\w+)"', body)


@pytest.fixture
def round_orgs(org, other_org, make_org, make_return, units):
    """In Xã Than Uyên: approved, submitted, draft, missing, ended during the year, founded after it,
    archived; in Xã Tân Uyên: one submitted."""
    from hoptac.registry.models import Organisation

    make_return(org, "approved")
    submitted = make_org("HTX Submitted")
    make_return(submitted, "submitted")
    draft = make_org("HTX Draft")
    make_return(draft)
    missing = make_org("HTX Missing")
    ended = make_org("HTX Ended")
    Organisation.objects.filter(pk=ended.pk).update(status="dissolved", ended_on=datetime.date(YEAR, 6, 30))
    make_org("HTX Founded Later", founded_on=datetime.date(YEAR + 1, 2, 1))
    archived = make_org("HTX Archived")
    Organisation.objects.filter(pk=archived.pk).update(archived=True)
    make_return(other_org, "submitted")
    return {"approved": org, "submitted": submitted, "draft": draft, "missing": missing, "ended": ended}


# The round --------------------------------------------------------------------------------------


def test_round_counts_and_rows_for_a_commune_officer(client, people, round_orgs, other_org):
    client.force_login(people.commune)
    body = client.get(round_url()).content.decode()
    assert {key: count(body, key) for key in ("approved", "submitted", "draft", "returned", "missing", "not_required")} == {
        "approved": 1, "submitted": 1, "draft": 1, "returned": 0, "missing": 1, "not_required": 1,
    }  # fmt: skip
    listed = dict(rows(body))
    assert listed == {str(o.pk): status for status, o in [
        ("approved", round_orgs["approved"]), ("submitted", round_orgs["submitted"]), ("draft", round_orgs["draft"]),
        ("missing", round_orgs["missing"]), ("not_required", round_orgs["ended"]),
    ]}  # fmt: skip
    assert other_org.name not in body and "HTX Founded Later" not in body and "HTX Archived" not in body
    assert "1 of 4 expected returns approved (25 %)" in body
    assert "15/12/2023" in body and "14/12/2024" in body


def test_round_filters_by_status_and_by_unit(client, people, round_orgs, other_org):
    client.force_login(people.province)
    body = client.get(round_url(status="missing")).content.decode()
    assert dict(rows(body)) == {str(round_orgs["missing"].pk): "missing"}
    body = client.get(round_url(unit="commune:03598")).content.decode()
    assert dict(rows(body)) == {str(other_org.pk): "submitted"}
    assert count(body, "submitted") == 1 and count(body, "approved") == 0


def test_round_ignores_a_unit_outside_the_scope_and_says_so(client, people, round_orgs):
    client.force_login(people.commune)
    body = client.get(round_url(unit="commune:03598")).content.decode()
    assert 'data-testid="filter-notices"' in body
    assert len(rows(body)) == 5  # the filter was dropped: his whole scope


def test_round_query_count_does_not_grow_with_organisations(client, people, make_org, make_return):
    client.force_login(people.commune)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(round_url()).status_code == 200
        return len(ctx.captured_queries)

    make_return(make_org("HTX 1"), "submitted")
    few = queries()
    for n in range(2, 6):
        make_return(make_org(f"HTX {n}"), "submitted")
    assert queries() == few


def test_bulk_approval_page_approves_what_it_may_and_reports_the_rest(client, people, round_orgs, other_org):
    mine = AnnualReturn.objects.get(organisation=round_orgs["submitted"])
    theirs = AnnualReturn.objects.get(organisation=other_org)
    draft = AnnualReturn.objects.get(organisation=round_orgs["draft"])
    client.force_login(people.commune)
    response = client.post(
        reverse("returns:round-approve", kwargs={"year": YEAR}),
        {"ids": [mine.pk, theirs.pk, draft.pk], "status": "submitted"},
        follow=True,
    )
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == round_url(status="submitted")
    assert "1 return(s) approved: HTX Submitted." in body
    assert f"No return {theirs.pk} in your area." in body
    assert "Not approved: HTX Draft" in body
    statuses = dict(
        AnnualReturn.objects.filter(pk__in=[mine.pk, theirs.pk, draft.pk]).values_list("pk", "status")
    )
    assert statuses == {mine.pk: Status.APPROVED, theirs.pk: Status.SUBMITTED, draft.pk: Status.DRAFT}


def test_round_offers_checkboxes_only_to_approvers_on_submitted_returns(client, people, round_orgs, rep):
    submitted = round_orgs["submitted"]
    client.force_login(people.commune)
    body = client.get(round_url()).content.decode()
    assert re.findall(r'data-testid="select-(\d+)"', body) == [str(submitted.pk)]
    client.force_login(people.district_viewer)
    body = client.get(round_url()).content.decode()
    assert 'data-testid="select-' not in body and 'data-testid="bulk-approve"' not in body


def test_a_representative_sees_only_his_organisation_in_the_round(client, rep, round_orgs):
    client.force_login(rep)
    body = client.get(round_url()).content.decode()
    assert dict(rows(body)) == {str(round_orgs["approved"].pk): "approved"}


def test_round_of_a_future_year_is_404(client, people):
    from django.utils import timezone

    client.force_login(people.province)
    assert client.get(round_url(timezone.localdate().year + 1)).status_code == 404


def test_index_sends_officers_to_the_round_and_representatives_to_their_return(client, people, rep, org):
    from django.utils import timezone

    year = timezone.localdate().year
    client.force_login(people.commune)
    assert client.get(reverse("returns:index"))["Location"] == round_url(year)
    client.force_login(rep)
    assert client.get(reverse("returns:index"))["Location"] == form_url(org, year)


# The form ---------------------------------------------------------------------------------------


def test_another_communes_return_is_404_everywhere(client, people, other_org, make_return):
    ret = make_return(other_org, "submitted")
    client.force_login(people.commune)
    url = form_url(other_org)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "save", "version": ret.version, "workers": 1}).status_code == 404
    assert client.post(url, {"action": "approve", "version": ret.version}).status_code == 404
    assert (
        client.post(reverse("returns:check", kwargs={"year": YEAR, "org_pk": other_org.pk})).status_code
        == 404
    )
    assert AnnualReturn.objects.get(pk=ret.pk).status == Status.SUBMITTED


def test_form_shows_grouped_fields_and_last_years_values_in_vietnamese_number_format(
    client, people, org, make_return
):
    make_return(org, "approved", year=YEAR - 1, **{**GOOD, "revenue": 987654})
    client.force_login(people.commune)
    body = client.get(form_url(org), headers={"accept-language": "vi"}).content.decode()
    for group in ("members", "workers", "finance", "managers", "practices", "credit", "assessment"):
        assert f'id="group-{group}"' in body
    assert 'name="version" value="0"' in body
    assert re.search(r'data-testid="prev-revenue">987\.654<', body)
    assert 'name="bad_debt_ratio"' not in body  # credit cooperatives only
    assert "35 tuổi trở xuống" in body


def test_saving_from_the_form_reads_vietnamese_numbers_creates_the_return_and_shows_warnings(
    client, people, org
):
    client.force_login(people.commune)
    data = {"action": "save", "version": 0, "members_individual": "3", "revenue": "1.250,5", "workers": "4"}
    response = client.post(form_url(org), data, follow=True, headers={"accept-language": "vi"})
    body = response.content.decode()
    ret = AnnualReturn.objects.get(organisation=org, year=YEAR)
    assert (ret.members_individual, str(ret.revenue), ret.version) == (3, "1250.5", 1)
    assert 'data-code="htx-2023-min-members"' in body  # the warning, inline after the save
    assert 'name="version" value="1"' in body


def test_a_blocking_error_on_the_form_saves_nothing(client, people, org):
    client.force_login(people.commune)
    response = client.post(
        form_url(org), {"action": "save", "version": 0, "workers": "2", "workers_members": "5"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="form-errors"' in body
    assert 'data-testid="error-workers_members"' in body
    assert not AnnualReturn.objects.filter(organisation=org).exists()


def test_a_stale_form_is_refused_and_keeps_what_the_user_typed(client, people, org, make_return):
    ret = make_return(org, actor=people.commune)
    services.return_save(ret=ret, actor=people.province, data={"workers": 9}, expected_version=ret.version)
    client.force_login(people.commune)
    response = client.post(form_url(org), {"action": "save", "version": ret.version, "workers": "12"})
    body = response.content.decode()
    assert (
        response.status_code == 409
        and 'data-testid="stale"' in body
        and "province changed this return" in body
    )
    assert 'value="12"' in body
    assert AnnualReturn.objects.get(pk=ret.pk).workers == 9


def test_representative_saves_and_submits_but_has_no_approval_buttons(client, rep, org):
    client.force_login(rep)
    response = client.post(form_url(org), {"action": "submit", "version": 0, **GOOD}, follow=True)
    body = response.content.decode()
    ret = AnnualReturn.objects.get(organisation=org, year=YEAR)
    assert ret.status == Status.SUBMITTED and ret.submitted_by == rep
    assert 'data-testid="approve"' not in body and 'data-testid="save"' not in body
    assert client.post(form_url(org), {"action": "approve", "version": ret.version}).status_code == 403
    assert AnnualReturn.objects.get(pk=ret.pk).status == Status.SUBMITTED


def test_officer_sends_back_with_a_reason_and_the_representative_reads_it(
    client, people, rep, org, make_return
):
    ret = make_return(org, "submitted", actor=rep)
    client.force_login(people.commune)
    body = client.get(form_url(org)).content.decode()
    assert 'data-testid="approve"' in body and 'data-testid="send-back"' in body
    no_reason = client.post(form_url(org), {"action": "send_back", "version": ret.version, "reason": " "})
    assert 'data-testid="error-reason"' in no_reason.content.decode()
    assert AnnualReturn.objects.get(pk=ret.pk).status == Status.SUBMITTED
    client.post(
        form_url(org), {"action": "send_back", "version": ret.version, "reason": "Thiếu doanh thu kế hoạch"}
    )
    assert AnnualReturn.objects.get(pk=ret.pk).status == Status.RETURNED
    client.force_login(rep)
    body = client.get(form_url(org)).content.decode()
    assert 'data-testid="returned-reason"' in body and "Thiếu doanh thu kế hoạch" in body
    assert 'data-testid="submit"' in body


def test_approve_and_reopen_from_the_form(client, people, org, make_return):
    ret = make_return(org, "submitted")
    client.force_login(people.commune)
    client.post(form_url(org), {"action": "approve", "version": ret.version})
    ret = AnnualReturn.objects.get(pk=ret.pk)
    assert ret.status == Status.APPROVED
    body = client.get(form_url(org)).content.decode()
    assert 'data-testid="reopen"' in body and 'data-testid="save"' not in body and "disabled" in body
    client.post(form_url(org), {"action": "reopen", "version": ret.version, "reason": "Sai số thành viên"})
    assert AnnualReturn.objects.get(pk=ret.pk).status == Status.DRAFT


def test_a_viewer_reads_the_form_without_any_button(client, people, org, make_return):
    make_return(org, "submitted")
    client.force_login(people.district_viewer)
    response = client.get(form_url(org))
    body = response.content.decode()
    assert response.status_code == 200 and "disabled" in body
    for button in ("save", "submit", "approve", "send-back", "reopen"):
        assert f'data-testid="{button}"' not in body
    assert client.post(form_url(org), {"action": "save", "version": 1, "workers": 1}).status_code == 404


def test_form_for_a_year_before_the_organisation_was_founded_is_404(client, people, org):
    client.force_login(people.commune)
    assert client.get(form_url(org, 2017)).status_code == 404


def test_htmx_check_reports_findings_out_of_band_without_saving(client, people, org):
    client.force_login(people.commune)
    url = reverse("returns:check", kwargs={"year": YEAR, "org_pk": org.pk})
    response = client.post(
        url, {"version": 0, "workers": "2", "workers_members": "5", "members_individual": "abc"}
    )
    body = response.content.decode()
    assert 'id="findings-workers_members" class="findings"' in body and 'hx-swap-oob="true"' in body
    assert 'data-code="workers-members-exceed-workers"' in body
    assert 'data-code="format"' in body  # "abc" is not a number
    assert not AnnualReturn.objects.filter(organisation=org).exists()


# The organisation page's fragment, the admin ----------------------------------------------------


def test_returns_for_organisation_lists_years_with_status(rf, people, org, make_return):
    from django.template.loader import render_to_string

    from hoptac.returns.queries import returns_for_organisation

    make_return(org, "approved", year=YEAR)
    make_return(org, "submitted", year=YEAR - 1)
    block = returns_for_organisation(people.commune, org)
    by_year = {row.year: row.status for row in block.rows}
    assert by_year[YEAR] == "approved" and by_year[YEAR - 1] == "submitted" and by_year[YEAR - 2] == "missing"
    assert min(by_year) >= 2018 and block.can_enter
    html = render_to_string("returns/_organisation_returns.html", {"org_returns": block})
    assert f'data-year="{YEAR}" data-status="approved"' in html
    assert form_url(org) in html


def test_admin_changes_figures_through_the_services(client, org, make_return, people):
    admin_client = client
    admin_client.force_login(people.admin)
    ret = make_return(org)
    url = reverse("admin:returns_annualreturn_change", args=[ret.pk])
    page = admin_client.get(url)
    assert page.status_code == 200
    data = {name: "" for name in ("members_household", "members_legal_entity")}
    data.update({"members_individual": "9", "workers": "8", "workers_members": "2", "expected_version": ret.version,
                 "high_technology": "unknown", "value_chain_link": "unknown", "land_use_certificate": "unknown",
                 "credit_access": "unknown"})  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    after = AnnualReturn.objects.get(pk=ret.pk)
    assert after.workers == 8 and after.version == ret.version + 1
    assert after.history.latest().history_change_reason == "save"
    # A stale version is a form error, not a crash.
    data["expected_version"] = ret.version
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "changed this return" in response.content.decode()


def test_admin_cannot_delete_an_approved_return(client, org, make_return, people):
    ret = make_return(org, "approved")
    client.force_login(people.admin)
    response = client.get(reverse("admin:returns_annualreturn_delete", args=[ret.pk]))
    assert response.status_code == 403
    assert AnnualReturn.objects.filter(pk=ret.pk).exists()


def test_admin_adds_a_return_and_approves_through_the_bulk_service(client, org, people, make_return):
    client.force_login(people.admin)
    add = reverse("admin:returns_annualreturn_add")
    assert client.get(add).status_code == 200
    data = {"organisation": org.pk, "year": YEAR - 1, "workers": "5", "expected_version": ""}
    data.update(
        dict.fromkeys(
            ("high_technology", "value_chain_link", "land_use_certificate", "credit_access"), "unknown"
        )
    )
    assert client.post(add, data).status_code == 302
    created = AnnualReturn.objects.get(organisation=org, year=YEAR - 1)
    assert created.workers == 5 and created.version == 1
    submitted = make_return(org, "submitted")
    changelist = reverse("admin:returns_annualreturn_changelist")
    client.post(changelist, {"action": "approve_selected", "_selected_action": [submitted.pk, created.pk]})
    assert AnnualReturn.objects.get(pk=submitted.pk).status == Status.APPROVED
    assert AnnualReturn.objects.get(pk=created.pk).status == Status.DRAFT  # a draft is refused, not approved
