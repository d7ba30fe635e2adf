"""Browser tests: Playwright (Python) drives Debian's chromium, launched by path, against the live server.

No browser is ever downloaded: `scripts/system-deps` installs the `chromium` package and the tests
launch /usr/bin/chromium. Every test gets a fresh 1366x768 context (no shared cookies); the browser
itself is started once per test module. Screenshots go to var/screenshots/<name>.png (not committed).
"""
from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("HOTLINE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1366, "height": 768}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "pw-12345678"  # tests/factories.py UserFactory


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Module-scoped, not session-scoped: only one sync Playwright may run on
    a thread, and other test directories start their own; a browser that is already running is reused."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"{CHROMIUM} missing: run scripts/system-deps as root (Debian package chromium)")
    from playwright.sync_api import Browser, Error, sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous, so allow them explicitly.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    try:
        driver = sync_playwright().start()
    except Error:
        running = next((o for o in gc.get_objects() if type(o) is Browser and o.is_connected()), None)
        if running is None:
            raise
        yield running
        return
    b = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield b
    finally:
        b.close()
        driver.stop()


@pytest.fixture
def page(browser: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def desk_login(page: Any, live_server: Any, user: Any, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would; lands on the user's desk."""
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "/login/" not in page.url, f"login failed for {user.username}"


def logout(page: Any) -> None:
    page.context.clear_cookies()


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under var/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
