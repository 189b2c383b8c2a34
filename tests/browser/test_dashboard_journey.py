"""Issue 4 in a real browser: a province officer lands on the dashboard, opens a target card, follows the
commune that pulls it down to its page, and from a figure there reaches the organisations behind it; the
choropleth map, drawn from the project's sample layer, leads to a commune's page too. Screenshots of
every step go to tests/_artifacts/<test name>/."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "Lai-Chau-2025"
YEAR = 2024
# Xã Than Uyên (from the former Thị trấn Than Uyên): cooperatives rated good or fair.
GOOD = ["HTX Chè Than Uyên", "HTX Xây dựng Mường Cang", "HTX Dịch vụ Than Uyên"]
# Xã Mường Than (from the former Xã Phúc Than): weak ones, which pull the province's share down.
WEAK = ["HTX Lúa Phúc Than", "HTX Cá Phúc Than"]


@dataclass
class World:
    officer: object
    muong_than: object


@pytest.fixture
def world(reference_data):
    """Lai Châu's plan of seed 000, a province officer, five cooperatives with approved returns."""
    from hoptac.accounts.models import Role, User
    from hoptac.indicators.services import indicators_load, plan_load
    from hoptac.registry.models import Sector
    from hoptac.registry.services import organisation_create
    from hoptac.returns import services as returns
    from hoptac.units.models import Unit

    indicators_load()  # a transactional test before this one may have flushed the migration's rows
    admin = User.objects.create_user(username="admin", password=PASSWORD, role=Role.ADMIN, is_superuser=True)
    province = Unit.objects.get(era="current", level="province", code="12")
    officer = User.objects.create_user(
        username="laichau",
        password=PASSWORD,
        role=Role.PROVINCE,
        unit=province,
        first_name="Nguyễn Thị",
        last_name="Hoa",
    )
    plan_load(slug="lai-chau-ktt-2021-2030")
    sectors = {s.code: s for s in Sector.objects.filter(parent__isnull=True)}
    tt_than_uyen = Unit.objects.get(era="legacy", level="commune", code="03595")
    phuc_than = Unit.objects.get(era="legacy", level="commune", code="03618")

    def cooperative(name, unit, klass, sector="nong-nghiep", founded=2019):
        org = organisation_create(
            actor=admin,
            name=name,
            unit=unit,
            kind="htx",
            sector=sectors[sector],
            founded_on=datetime.date(founded, 4, 1),
        )
        for year in (YEAR - 1, YEAR):
            ret, _created = returns.return_create_or_get(organisation=org, year=year, actor=admin)
            figures = {
                "members_individual": 20,
                "workers": 9,
                "income_member": 45,
                "income_worker": 52,
                "self_classification": klass,
            }
            ret, _warnings = returns.return_save(
                ret=ret, actor=admin, data=figures, expected_version=ret.version
            )
            ret = returns.return_submit(ret=ret, actor=admin)
            returns.return_approve(ret=ret, actor=admin)
        return org

    cooperative(GOOD[0], tt_than_uyen, "tot", founded=2018)
    cooperative(GOOD[1], tt_than_uyen, "kha", sector="xay-dung")
    cooperative(GOOD[2], tt_than_uyen, "tot", sector="thuong-mai", founded=2021)
    for name in WEAK:
        cooperative(name, phuc_than, "yeu")
    return World(officer=officer, muong_than=Unit.objects.get(era="current", level="commune", code="03618"))


def log_in_at_home(page: Page, live_server, username: str) -> None:
    """Open the site's address, log in, and land where the site sends an officer: the dashboard."""
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("form:has(#id_username) [type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))


def test_overview_to_a_target_card_to_a_commune_to_the_organisations_behind_a_figure(
    page: Page, live_server, world, shot
):
    log_in_at_home(page, live_server, "laichau")
    expect(page.get_by_test_id("dash-area")).to_have_text("Tỉnh Lai Châu")
    cards = page.get_by_test_id("target-card")
    expect(cards.first).to_be_visible()
    assert cards.count() == 44  # every target of the plan of seed 000
    # The sparklines come from the JSON endpoint, the bars from the page.
    expect(page.locator("[data-testid=targets][data-loaded='1']")).to_have_count(1)
    expect(page.locator("canvas.sparkline[data-drawn='1']").first).to_be_attached()
    expect(page.locator("#flows-chart[data-drawn='1']")).to_have_count(1)
    statuses = set(cards.evaluate_all("els => els.map(e => e.dataset.status)"))
    assert statuses <= {"achieved", "on_track", "at_risk", "off_track", "no_data"} and len(statuses) >= 2
    shot("01-overview")

    # A target card: the share of effective cooperatives, with how its status was found.
    card = page.locator("[data-testid=target-card][data-indicator='htx-effective-share']").first
    card.scroll_into_view_if_needed()
    expect(card.get_by_test_id("card-actual")).to_have_text("60,00")  # 3 of 5 rated good or fair
    card.get_by_test_id("card-details").locator("summary").click()
    details = card.get_by_test_id("card-details")
    expect(details).to_contain_text("2023–2024")  # how the status was found: the years of the trend …
    expect(details).to_contain_text("> 70")  # … and the target
    laggard = card.get_by_test_id("laggard-link")
    expect(laggard).to_have_count(1)
    expect(laggard).to_have_text("Xã Mường Than")
    shot("02-target-card-open")

    # The commune that pulls it down: its own page.
    laggard.click()
    expect(page).to_have_url(re.compile(r"/dashboard/unit/commune:03618/\?year=2024$"))
    expect(page.get_by_test_id("dash-area")).to_have_text("Xã Mường Than")
    share = page.locator("[data-testid=indicator-row][data-code='htx-effective-share'] td").first
    expect(share).to_have_text("0,00")
    existing = page.locator(
        "[data-testid=indicator-row][data-code='htx-existing'] [data-testid=indicator-value]"
    )
    expect(existing).to_have_text("2")
    expect(page.get_by_test_id("breakdown-sector")).to_contain_text("Nông, lâm, ngư nghiệp")
    shot("03-commune-page")

    # The organisations behind a figure: exactly the two weak cooperatives.
    existing.click()
    expect(page).to_have_url(
        re.compile(r"/registry/\?indicator=htx-existing&unit=commune%3A03618&year=2024$")
    )
    expect(page.get_by_test_id("population-note")).to_contain_text("Xã Mường Than")
    rows = page.get_by_test_id("org-row")
    expect(rows).to_have_count(2)
    for name in WEAK:
        expect(rows.filter(has_text=name)).to_have_count(1)
    expect(page.get_by_test_id("org-count").first).to_have_text("2")
    shot("04-organisations-behind-the-figure")


def test_the_map_colours_the_communes_and_leads_to_a_communes_page(
    page: Page, live_server, world, shot, settings, tmp_path
):
    from hoptac.web.services import geolayer_load_sample

    settings.MEDIA_ROOT = tmp_path / "media"
    geolayer_load_sample()
    log_in_at_home(page, live_server, "laichau")
    page.get_by_role("link", name=re.compile("Map|Bản đồ")).first.click()
    expect(page).to_have_url(re.compile(r"/dashboard/map/"))
    expect(page.get_by_test_id("sample-note")).to_be_visible()
    expect(page.locator("#map[data-loaded='1']")).to_have_count(1)
    shapes = page.locator("#map path[data-testid=commune-shape]")
    expect(shapes).to_have_count(38)
    expect(page.get_by_test_id("map-legend")).to_contain_text("2024")
    shot("01-map")
    # The legend sits over the south-east: the click is sent to the shape itself.
    page.locator("#map path[data-code='03595']").dispatch_event("click")
    expect(page).to_have_url(re.compile(r"/dashboard/unit/commune:03595/\?year=2024$"))
    expect(page.get_by_test_id("dash-area")).to_have_text("Xã Than Uyên")
    shot("02-commune-from-the-map")
