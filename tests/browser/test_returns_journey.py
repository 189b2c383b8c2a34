"""Issue 3 in a real browser, with two people at once: a cooperative's representative submits his
yearly return, the commune officer sends it back with a reason, the representative corrects and
resubmits it, the officer approves it; and two officers saving the same return lose nothing."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "Than-Uyen-2024"
YEAR = 2025
ORG_NAME = "HTX Chè Tân Uyên"
# Without a return: the round must count it as missing beside ours.
OTHER_ORG_NAME = "HTX Xây dựng Than Uyên"
REASON = "Số lao động thường xuyên chưa khớp với danh sách"
OFFICER_NAME = "Lò Văn Minh"
PROVINCE_OFFICER_NAME = "Nguyễn Thị Hoa"
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"


@dataclass
class People:
    officer: object
    province_officer: object
    representative: object
    org: object
    other_org: object


@pytest.fixture
def people_and_org(reference_data):
    """Xã Than Uyên (03595): its commune officer, a 2023-law HTX with its representative, another HTX
    there; and a province officer of Lai Châu."""
    from hoptac.accounts.models import Role, User
    from hoptac.registry.models import Sector
    from hoptac.registry.services import organisation_create
    from hoptac.units.models import Unit

    than_uyen = Unit.objects.get(era="current", level="commune", code="03595")
    lai_chau = Unit.objects.get(era="current", level="province", code="12")
    admin = User.objects.create_user(username="admin", password=PASSWORD, role=Role.ADMIN, is_superuser=True)
    agriculture = Sector.objects.get(code="nong-nghiep", parent__isnull=True)

    def make_org(name, *, sector=agriculture, **fields):
        return organisation_create(
            actor=admin,
            name=name,
            unit=than_uyen,
            kind="htx",
            sector=sector,
            founded_on=datetime.date(2019, 5, 10),
            **fields,
        )

    org = make_org(ORG_NAME, code="6201000123", law="2023")
    other = make_org(OTHER_ORG_NAME, sector=Sector.objects.get(code="xay-dung", parent__isnull=True))

    def make_user(username, role, first_name, last_name, **kw):
        user = User.objects.create_user(
            username=username, password=PASSWORD, role=role, first_name=first_name, last_name=last_name, **kw
        )
        user.full_clean(exclude=["password"])
        return user

    return People(
        officer=make_user("thanuyen", Role.COMMUNE, "Lò Văn", "Minh", unit=than_uyen),
        province_officer=make_user("laichau", Role.PROVINCE, "Nguyễn Thị", "Hoa", unit=lai_chau),
        representative=make_user("chetanuyen", Role.COOPERATIVE, "Vàng A", "Dế", organisation=org),
        org=org,
        other_org=other,
    )


def _watch(page: Page, errors: list[str]) -> Page:
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} for {r.url}") if "/static/" in r.url and r.status >= 400 else None
        ),
    )
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def second_page(browser: Browser, browser_context_args) -> Iterator[Page]:
    """A page in a browser context of its own: a second person, with his own session cookie."""
    context = browser.new_context(**browser_context_args)
    errors: list[str] = []
    yield _watch(context.new_page(), errors)
    context.close()
    assert not errors, "\n".join(errors)


@pytest.fixture
def snap(request) -> Callable[[Page, str], Path]:
    """snap(page, "03-saved"): a full-page screenshot of either person's page in tests/_artifacts/<test>/."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.originalname)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()

    def take(page: Page, step: str) -> Path:
        path = folder / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def log_in(page: Page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    # The top bar's language buttons are submit buttons too: take the login form's own.
    page.locator("form:has(#id_username) [type=submit]").click()
    # Officers land on the dashboard, a cooperative's representative on the registry (his organisation).
    expect(page).to_have_url(re.compile(r"/(dashboard|registry)/$"))


def open_yearly_returns(page: Page) -> None:
    """The top bar's "Yearly returns" link (by its address: the label depends on the language)."""
    page.locator("nav.mainnav a[href='/returns/']").click()


def form_url(org_pk: int, year: int = YEAR) -> re.Pattern:
    return re.compile(rf"/returns/{year}/org/{org_pk}/$")


def status_of(page: Page):
    return page.locator(".page-head [data-testid=return-status]")


def test_return_goes_submitted_returned_resubmitted_approved(
    page: Page, second_page: Page, live_server, people_and_org, snap
):
    from hoptac.returns.models import AnnualReturn
    from hoptac.returns.queries import current_reporting_year

    rep, officer = page, second_page
    org = people_and_org.org

    # The representative: the top bar takes him straight to his own return of the current round.
    log_in(rep, live_server, "chetanuyen")
    snap(rep, "01-representative-logged-in")
    open_yearly_returns(rep)
    expect(rep).to_have_url(form_url(org.pk, current_reporting_year()))
    # Then back, year by year, to 2025 (the round of this test, whatever today's date).
    for year in range(current_reporting_year() - 1, YEAR - 1, -1):
        rep.locator(".page-head nav.years a[rel=prev]").click()
        expect(rep).to_have_url(form_url(org.pk, year))
    expect(rep.locator("[data-testid=return-title]")).to_contain_text(ORG_NAME)
    expect(rep.locator("[data-testid=return-title]")).to_contain_text(str(YEAR))
    expect(status_of(rep)).to_have_attribute("data-status", "missing")
    expect(rep.locator("[data-testid=save]")).to_be_visible()
    snap(rep, "02-representative-empty-return")

    rep.locator("[name=members_individual]").fill("4")
    rep.locator("[name=workers]").fill("12")
    rep.locator("[name=workers_members]").fill("3")
    rep.locator("[name=revenue]").fill("1.250,5")
    rep.locator("[name=profit]").fill("180")
    rep.locator("[name=income_member]").fill("48")
    rep.locator("[name=income_worker]").fill("42,5")
    # The htmx check shows the 2023 law's minimum of 5 official members beside the field, unsaved.
    members_findings = rep.locator("[data-testid=findings-members_individual] .finding-warning")
    expect(members_findings).to_have_attribute("data-code", "htx-2023-min-members")
    snap(rep, "03-representative-figures-typed-warning-inline")

    rep.locator("[data-testid=save]").click()
    # A warning does not block: the return is saved, and the warning is still shown beside the field.
    expect(status_of(rep)).to_have_attribute("data-status", "draft")
    expect(rep).to_have_url(form_url(org.pk))
    expect(members_findings).to_have_attribute("data-code", "htx-2023-min-members")
    expect(rep.locator("[data-testid=findings-members_individual]")).to_contain_text("4")
    expect(rep.locator(".messages .msg-warning")).to_be_visible()
    expect(rep.locator("[name=revenue]")).to_have_value("1.250,5")
    expect(rep.locator("[name=income_worker]")).to_have_value("42,50")
    expect(rep.locator("[data-testid=form-errors]")).to_have_count(0)
    snap(rep, "04-representative-saved-with-warning")

    rep.locator("[data-testid=submit]").click()
    expect(status_of(rep)).to_have_attribute("data-status", "submitted")
    expect(rep.locator("[data-testid=submitted-note]")).to_contain_text("Vàng A Dế")
    expect(rep.locator("[data-testid=save]")).to_have_count(0)
    expect(rep.locator("[data-testid=submit]")).to_have_count(0)
    # A representative never reviews, not even his own return.
    expect(rep.locator("[data-testid=approve]")).to_have_count(0)
    expect(rep.locator("[name=workers]")).to_be_disabled()
    snap(rep, "05-representative-submitted")

    # The commune officer: the round of 2025, through the top bar and the year links.
    log_in(officer, live_server, "thanuyen")
    open_yearly_returns(officer)
    expect(officer).to_have_url(re.compile(rf"/returns/{current_reporting_year()}/$"))
    officer.locator(f".page-head nav.years a[href='/returns/{YEAR}/']").click()
    expect(officer).to_have_url(re.compile(rf"/returns/{YEAR}/$"))
    rows = officer.locator("[data-testid=round-row]")
    expect(rows).to_have_count(2)
    row = rows.filter(has_text=ORG_NAME)
    expect(row).to_have_attribute("data-status", "submitted")
    expect(row.locator("[data-testid=return-status]")).to_have_attribute("data-status", "submitted")
    expect(row.locator(f"[data-testid=select-{org.pk}]")).to_be_visible()
    expect(rows.filter(has_text=OTHER_ORG_NAME)).to_have_attribute("data-status", "missing")
    expect(officer.locator("[data-testid=count-submitted]")).to_have_text("1")
    expect(officer.locator("[data-testid=count-missing]")).to_have_text("1")
    expect(officer.locator("[data-testid=count-approved]")).to_have_text("0")
    expect(officer.locator("[data-testid=count-returned]")).to_have_text("0")
    expect(officer.locator("[data-testid=bulk-approve]")).to_be_visible()
    snap(officer, "06-officer-round-one-submitted")

    row.get_by_role("link", name=ORG_NAME).click()
    expect(officer).to_have_url(form_url(org.pk))
    expect(status_of(officer)).to_have_attribute("data-status", "submitted")
    expect(officer.locator("[name=workers]")).to_have_value("12")
    expect(officer.locator("[data-testid=approve]")).to_be_visible()
    expect(officer.locator("[data-testid=save]")).to_have_count(0)
    snap(officer, "07-officer-opens-submitted-return")

    # Sending back without a reason: the browser refuses the required field and takes him to it
    # (the server's own refusal is tested in tests/returns).
    reason = officer.locator("textarea[name=reason]")
    officer.locator("[data-testid=send-back]").click()
    expect(reason).to_be_focused()
    expect(officer.locator("textarea[name=reason]:invalid")).to_have_count(1)
    expect(status_of(officer)).to_have_attribute("data-status", "submitted")
    snap(officer, "08-officer-send-back-without-reason-refused")
    # Blanks pass the browser's check, not the server's: the page answers with the error at the field.
    reason.fill("   ")
    officer.locator("[data-testid=send-back]").click()
    expect(officer.locator("[data-testid=error-reason]")).to_be_visible()
    expect(status_of(officer)).to_have_attribute("data-status", "submitted")
    snap(officer, "09-officer-blank-reason-refused")
    reason.fill(REASON)
    snap(officer, "10-officer-reason-typed")
    officer.locator("[data-testid=send-back]").click()
    expect(status_of(officer)).to_have_attribute("data-status", "returned")
    expect(officer.locator("[data-testid=returned-reason]")).to_contain_text(REASON)
    expect(officer.locator("[data-testid=approve]")).to_have_count(0)
    snap(officer, "11-officer-sent-back")

    # The representative reloads his page: the reason, who gave it, and the form open again.
    rep.reload()
    expect(status_of(rep)).to_have_attribute("data-status", "returned")
    returned = rep.locator("[data-testid=returned-reason]")
    expect(returned).to_contain_text(REASON)
    expect(returned).to_contain_text(OFFICER_NAME)
    expect(rep.locator("[name=workers]")).to_be_enabled()
    expect(rep.locator("[name=workers]")).to_have_value("12")
    snap(rep, "12-representative-sees-reason")

    rep.locator("[name=workers]").fill("15")
    rep.locator("[data-testid=save]").click()
    expect(rep.locator("[name=workers]")).to_have_value("15")
    # Saved, still to be resubmitted: the reason stays in view until then.
    expect(status_of(rep)).to_have_attribute("data-status", "returned")
    expect(rep.locator("[data-testid=returned-reason]")).to_contain_text(REASON)
    snap(rep, "13-representative-corrected-and-saved")
    rep.locator("[data-testid=submit]").click()
    expect(status_of(rep)).to_have_attribute("data-status", "submitted")
    expect(rep.locator("[data-testid=returned-reason]")).to_have_count(0)
    expect(rep.locator("[data-testid=save]")).to_have_count(0)
    snap(rep, "14-representative-resubmitted")

    # The officer, who still has the return open, reloads it and approves.
    officer.reload()
    expect(status_of(officer)).to_have_attribute("data-status", "submitted")
    expect(officer.locator("[name=workers]")).to_have_value("15")
    snap(officer, "15-officer-sees-resubmitted")
    officer.locator("[data-testid=approve]").click()
    expect(status_of(officer)).to_have_attribute("data-status", "approved")
    expect(officer.locator("[data-testid=approved-note]")).to_contain_text(OFFICER_NAME)
    expect(officer.locator("[data-testid=approve]")).to_have_count(0)
    expect(officer.locator("[data-testid=reopen]")).to_be_visible()
    history = officer.locator("[data-testid=return-history]")
    expect(history).to_contain_text(REASON)
    snap(officer, "16-officer-approved")

    officer.goto(f"{live_server.url}/returns/{YEAR}/")
    expect(officer.locator("[data-testid=count-approved]")).to_have_text("1")
    expect(officer.locator("[data-testid=count-submitted]")).to_have_text("0")
    expect(rows.filter(has_text=ORG_NAME)).to_have_attribute("data-status", "approved")
    expect(officer.locator(f"[data-testid=select-{org.pk}]")).to_have_count(0)
    snap(officer, "17-officer-round-approved")

    # The representative: approved and locked.
    rep.reload()
    expect(status_of(rep)).to_have_attribute("data-status", "approved")
    expect(rep.locator("[data-testid=approved-note]")).to_contain_text(OFFICER_NAME)
    expect(rep.locator("[data-testid=save]")).to_have_count(0)
    expect(rep.locator("[data-testid=submit]")).to_have_count(0)
    expect(rep.locator("[data-testid=reopen]")).to_have_count(0)
    expect(rep.locator("[name=workers]")).to_be_disabled()
    snap(rep, "18-representative-sees-approved-locked")

    ret = AnnualReturn.objects.get(organisation=org, year=YEAR)
    assert ret.status == AnnualReturn.Status.APPROVED
    assert ret.approved_by == people_and_org.officer
    assert ret.submitted_by == people_and_org.representative
    assert ret.returned_by == people_and_org.officer
    assert ret.returned_reason == REASON
    assert (ret.members_individual, ret.workers, ret.workers_members) == (4, 15, 3)
    assert (ret.revenue, ret.profit) == (Decimal("1250.5"), Decimal("180"))
    assert (ret.income_member, ret.income_worker) == (Decimal("48"), Decimal("42.5"))
    steps = [
        (h.history_change_reason, h.history_user_id)
        for h in ret.history.order_by("history_date", "history_id")
        if h.history_change_reason in ("submit", "send_back", "approve", "reopen")
    ]
    rep_id, officer_id = people_and_org.representative.pk, people_and_org.officer.pk
    assert steps == [
        ("submit", rep_id),
        ("send_back", officer_id),
        ("submit", rep_id),
        ("approve", officer_id),
    ]
    assert not AnnualReturn.objects.filter(organisation=people_and_org.other_org).exists()


def test_second_save_of_the_same_return_is_refused_and_writes_nothing(
    page: Page, second_page: Page, live_server, people_and_org, snap
):
    from hoptac.returns import services
    from hoptac.returns.models import AnnualReturn

    org, commune_officer = people_and_org.org, people_and_org.officer
    ret, _created = services.return_create_or_get(organisation=org, year=YEAR, actor=commune_officer)
    ret, _warnings = services.return_save(
        ret=ret,
        actor=commune_officer,
        data={"members_individual": 9, "workers": 12, "workers_members": 3, "revenue": 900},
        expected_version=ret.version,
    )
    version = ret.version

    first, second = page, second_page
    log_in(first, live_server, "thanuyen")
    log_in(second, live_server, "laichau")
    for person in (first, second):
        person.goto(f"{live_server.url}/returns/{YEAR}/org/{org.pk}/")
        expect(status_of(person)).to_have_attribute("data-status", "draft")
        expect(person.locator("[name=workers]")).to_have_value("12")
    snap(first, "01-commune-officer-opens-draft")
    snap(second, "02-province-officer-opens-same-draft")

    first.locator("[name=workers]").fill("14")
    first.locator("[data-testid=save]").click()
    expect(first.locator(".messages .msg-success")).to_be_visible()
    expect(first.locator("[name=workers]")).to_have_value("14")
    snap(first, "03-commune-officer-saved")

    second.locator("[name=workers]").fill("25")
    second.locator("[name=revenue]").fill("1.000")
    second.locator("[data-testid=save]").click()
    stale = second.locator("[data-testid=stale]")
    expect(stale).to_be_visible()
    # Who changed it, so that he knows whom to ask; and his own figures kept on the page to redo.
    expect(stale).to_contain_text(OFFICER_NAME)
    expect(second.locator("[name=workers]")).to_have_value("25")
    snap(second, "04-province-officer-save-refused-stale")

    ret = AnnualReturn.objects.get(pk=ret.pk)
    assert ret.workers == 14
    assert ret.revenue == Decimal("900")
    assert ret.version == version + 1
    assert ret.updated_by == commune_officer
    assert not ret.history.filter(history_user=people_and_org.province_officer).exists()

    # Reloaded (a GET: reload() would post the refused form again), the page shows the other's figure
    # and takes his change on top of it.
    second.goto(f"{live_server.url}/returns/{YEAR}/org/{org.pk}/")
    expect(second.locator("[data-testid=stale]")).to_have_count(0)
    expect(second.locator("[name=workers]")).to_have_value("14")
    second.locator("[name=revenue]").fill("1.000")
    second.locator("[data-testid=save]").click()
    expect(second.locator(".messages .msg-success")).to_be_visible()
    snap(second, "05-province-officer-saves-after-reload")
    ret = AnnualReturn.objects.get(pk=ret.pk)
    assert (ret.workers, ret.revenue, ret.updated_by) == (
        14,
        Decimal("1000"),
        people_and_org.province_officer,
    )
