"""Issue 2 in a real browser: a commune officer finds a cooperative without typing accents and records
its dissolution; the language switch in the top bar."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "Than-Uyen-2024"
TARGET = "HTX Nông nghiệp Mường Cang"
# In another commune, and matching the same search: the search must not leak it.
OTHER_COMMUNE_ORG = "HTX Dịch vụ Mường Cang Tân Uyên"
AGRICULTURE_VI, AGRICULTURE_EN = "Nông, lâm, ngư nghiệp", "Agriculture, forestry and fisheries"
OWN_COMMUNE_ORGS = [
    TARGET,
    "HTX Chè Mường Than",
    "HTX Xây dựng Than Uyên",
    "Tổ hợp tác Rau an toàn Phúc Than",
]


@dataclass
class Registry:
    officer: object
    target: object
    other_commune_org: object


@pytest.fixture
def registry(reference_data):
    """A commune officer of Xã Than Uyên (03595), four organisations there, one in Xã Tân Uyên (03598)."""
    from hoptac.accounts.models import Role, User
    from hoptac.registry.models import Sector
    from hoptac.registry.services import organisation_create
    from hoptac.units.models import Unit

    def commune(code):
        return Unit.objects.get(era="current", level="commune", code=code)

    than_uyen, tan_uyen = commune("03595"), commune("03598")
    admin = User.objects.create_user(username="admin", password=PASSWORD, role=Role.ADMIN, is_superuser=True)
    officer = User.objects.create_user(
        username="thanuyen",
        password=PASSWORD,
        role=Role.COMMUNE,
        unit=than_uyen,
        first_name="Lò Văn",
        last_name="Minh",
    )
    sector = {s.code: s for s in Sector.objects.filter(parent__isnull=True)}

    def make(name, unit, *, kind="htx", sector_code="nong-nghiep", founded_on=datetime.date(2019, 6, 1)):
        return organisation_create(
            actor=admin, name=name, unit=unit, kind=kind, sector=sector[sector_code], founded_on=founded_on
        )

    target = make(TARGET, than_uyen, founded_on=datetime.date(2018, 3, 1))
    make("HTX Chè Mường Than", than_uyen, founded_on=datetime.date(2020, 9, 15))
    make("HTX Xây dựng Than Uyên", than_uyen, sector_code="xay-dung")
    make("Tổ hợp tác Rau an toàn Phúc Than", than_uyen, kind="tht")
    other = make(OTHER_COMMUNE_ORG, tan_uyen, sector_code="thuong-mai")
    return Registry(officer=officer, target=target, other_commune_org=other)


def log_in(page: Page, live_server, username: str, shot=None) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    if shot:
        shot("01-login-page")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    if shot:
        shot("02-login-filled")
    # The top bar's language buttons are submit buttons too: take the login form's own.
    page.locator("form:has(#id_username) [type=submit]").click()
    # An officer lands on the dashboard; the registry is in the top bar.
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    page.locator("nav.mainnav a[href='/registry/']").click()
    expect(page).to_have_url(re.compile(r"/registry/$"))


def test_commune_officer_finds_organisation_without_accents_and_records_its_dissolution(
    page: Page, live_server, registry, shot
):
    from hoptac.registry.models import Organisation, Status

    rows = page.locator("tr[data-testid=org-row]")

    log_in(page, live_server, "thanuyen", shot)
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(rows).to_have_count(len(OWN_COMMUNE_ORGS))
    for name in OWN_COMMUNE_ORGS:
        expect(rows.filter(has_text=name)).to_have_count(1)
    expect(page.get_by_text(OTHER_COMMUNE_ORG)).to_have_count(0)
    shot("03-registry-list")

    # Typed key by key, as a person does, so htmx's keyup/input triggers fire.
    page.locator("#id_q").press_sequentially("muong cang", delay=40)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TARGET)
    expect(page.get_by_text(OTHER_COMMUNE_ORG)).to_have_count(0)
    shot("04-search-typed")

    page.locator("#id_q").press("Enter")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TARGET)
    expect(page.locator("#id_q")).to_have_value("muong cang")
    expect(page.get_by_text(OTHER_COMMUNE_ORG)).to_have_count(0)
    shot("05-search-submitted")

    # What a submit without JavaScript (or a shared link) loads: the search rendered by the server.
    page.goto(f"{live_server.url}/registry/?q=muong+cang")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TARGET)
    expect(page.locator("#id_q")).to_have_value("muong cang")
    expect(page.get_by_text(OTHER_COMMUNE_ORG)).to_have_count(0)

    rows.first.get_by_role("link", name=TARGET).click()
    expect(page).to_have_url(re.compile(rf"/registry/{registry.target.pk}/$"))
    expect(page.locator("main")).to_contain_text(TARGET)
    expect(page.locator("main")).to_contain_text("01/03/2018")
    shot("06-organisation-detail")

    page.locator("[data-testid=change-status]").click()
    status = page.locator("select[name=status]")
    expect(status).to_be_visible()
    shot("07-status-form")
    status.select_option("dissolved")
    page.locator("[name=effective_on]").fill("15/10/2024")
    page.locator("[name=decision_number]").fill("45/QĐ-UBND")
    page.locator("[name=reason]").fill("Đại hội thành viên quyết định giải thể do không còn hoạt động.")
    shot("08-status-form-filled")
    page.locator("[data-testid=submit]").click()

    history = page.locator("[data-testid=status-history]")
    expect(history).to_contain_text("15/10/2024")
    expect(history).to_contain_text("45/QĐ-UBND")
    expect(page).to_have_url(re.compile(rf"/registry/{registry.target.pk}/$"))
    shot("09-after-dissolution")

    org = Organisation.objects.get(pk=registry.target.pk)
    assert org.status == Status.DISSOLVED
    assert org.ended_on == datetime.date(2024, 10, 15)
    change = org.status_changes.order_by("-effective_on", "-id").first()
    assert change.status == Status.DISSOLVED
    assert change.effective_on == datetime.date(2024, 10, 15)
    assert change.decision_number == "45/QĐ-UBND"
    assert change.reason == "Đại hội thành viên quyết định giải thể do không còn hoạt động."
    assert change.recorded_by == registry.officer
    other = Organisation.objects.get(pk=registry.other_commune_org.pk)
    assert other.status == Status.ACTIVE and other.status_changes.count() == 1


def test_language_switch_turns_the_page_english_and_back(page: Page, live_server, registry, shot):
    # Sector names are data with both languages, so they switch whatever the state of the .po files.
    rows = page.locator("tr[data-testid=org-row]")
    log_in(page, live_server, "thanuyen")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(rows.filter(has_text=TARGET)).to_contain_text(AGRICULTURE_VI)
    shot("01-vietnamese")

    page.locator("[data-testid=lang-en]").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/registry/$"))
    expect(rows.filter(has_text=TARGET)).to_contain_text(AGRICULTURE_EN)
    expect(page.get_by_text(AGRICULTURE_VI)).to_have_count(0)
    shot("02-english")

    page.locator("[data-testid=lang-vi]").click()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page).to_have_url(re.compile(r"/registry/$"))
    expect(rows.filter(has_text=TARGET)).to_contain_text(AGRICULTURE_VI)
    shot("03-vietnamese-again")
