"""Browser journeys: pytest-playwright driving Debian's Chromium against pytest-django's live server.

No `playwright install`: the browser is the system's /usr/bin/chromium. Everything in this folder is
marked `browser` (`pytest -m "not browser"` leaves it out). Without Chromium the folder is skipped on a
laptop, but fails in CI (env var CI set), where a silently skipped journey would hide a broken page.

live_server needs transactional database access, and every transactional test ends by flushing all
tables: the units loaded once per session by tests/conftest.py (and the sectors of migration 0002) are
gone afterwards. `reference_data` loads them again inside the test's own database access.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = Path(os.environ.get("HOPTAC_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "_artifacts"
HERE = Path(__file__).resolve().parent

# The sandbox and CI runners have no network: without these Chromium stalls on background connections
# (component updates, QUIC probes, sync) and the first navigation times out.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # containers give /dev/shm 64 MB; Chromium crashes on big pages
]


# pytest-playwright 0.10's own `base_url` fixture trips a pytest 9 deprecation; nothing for us to fix.
BASE_URL_WARNING = pytest.mark.filterwarnings(
    "ignore:Session-scoped fixtures defined as instance methods:pytest.PytestRemovedIn10Warning"
)


# A loaded CI runner can take a few seconds to start the live server's first response.
expect.set_options(timeout=10_000)


def _in_ci() -> bool:
    return bool(os.environ.get("CI"))


@pytest.hookimpl(tryfirst=True)  # before `-m "not browser"` deselects by marker
def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: touch only the ones in this folder.
    skip = None
    if not CHROMIUM.exists() and not _in_ci():
        skip = pytest.mark.skip(
            reason=f"no Chromium at {CHROMIUM} (apt-get install chromium); CI fails instead"
        )
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(BASE_URL_WARNING)
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.fail(f"CI is set but there is no Chromium at {CHROMIUM}: install the chromium package")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "viewport": {"width": 1366, "height": 900},
        "locale": "vi-VN",
        "timezone_id": "Asia/Ho_Chi_Minh",
    }


@pytest.fixture
def page(page):
    """The pytest-playwright page, failing the test on any uncaught JavaScript error or missing static file."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} for {r.url}") if "/static/" in r.url and r.status >= 400 else None
        ),
    )
    page.set_default_timeout(10_000)
    yield page
    assert not errors, "\n".join(errors)


@pytest.fixture
def shot(page, request):
    """shot("03-search-typed"): a full-page screenshot in tests/_artifacts/<test name>/, numbered per step."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.originalname)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()

    def take(step: str) -> Path:
        path = folder / f"{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def reference_data(transactional_db):
    """Units and sectors, reloaded: an earlier transactional test may have flushed them."""
    from hoptac.registry.sectors import sectors_load
    from hoptac.returns.models import ValidationRule
    from hoptac.returns.validation import rules_load
    from hoptac.units.services import units_load

    units_load()
    sectors_load()
    rules_load(ValidationRule)
