"""Minimal browser fixtures for the desks-a browser tests, until tests/browser/conftest.py (desks-c) is in main.

Playwright drives Debian's chromium, launched by path (no browser download), headless, 1366x768, against
pytest-django's live_server. Screenshots go to var/screenshots/ (not committed). Import the fixtures
into a test module: `from tests.desks.browser_fixtures import chromium, desk_page  # noqa: F401`.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "pw-12345678"  # tests/factories.py UserFactory


@pytest.fixture(scope="module")
def chromium(request: pytest.FixtureRequest) -> Any:
    """A chromium for one test module, stopped at its end: only one sync Playwright may run on a thread, and
    another suite's session fixture (tests/browser) may start its own after this module."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} missing: install Debian's chromium package")
    playwright = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop on this thread; the test's own ORM calls stay synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        pw = playwright.sync_playwright().start()
    except playwright.Error:
        # Another suite's fixture (tests/browser) already runs Playwright on this thread: use its browser.
        running = _running_browser(playwright.Browser)
        if running is None:
            raise
        return running
    browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)

    def stop() -> None:
        browser.close()
        pw.stop()
    request.addfinalizer(stop)
    return browser


def _running_browser(kind: type) -> Any:
    import gc
    # type(), not isinstance(): isinstance would evaluate every lazy object (request.csp_nonce ...) on the heap.
    return next((o for o in gc.get_objects() if type(o) is kind and o.is_connected()), None)


@pytest.fixture
def desk_page(chromium: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    context = chromium.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def login(page: Any, live_server: Any, user: Any) -> None:
    """Log in through the login form as a person would; lands on the user's desk."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login/" not in page.url, f"login failed for {user.username}"


def shot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
