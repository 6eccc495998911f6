"""A real browser for the admin: Playwright driving Debian's Chromium (never a browser that
Playwright downloads). CHROMIUM_PATH names the executable; otherwise chromium is looked up on
PATH. Without one, the browser tests skip with a visible reason (.ci/run installs it)."""

from __future__ import annotations

import os
import shutil

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_executable() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium():
    executable = chromium_executable()
    if executable is None:
        pytest.skip("needs Chromium: apt-get install chromium, or set CHROMIUM_PATH (.ci/run installs it)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package (requirements.txt)")
    # Playwright's sync API keeps an event loop running in this thread while it is started,
    # and Django refuses ORM calls under a running loop; the tests' own ORM calls are
    # synchronous all the same. Module scope: the variable is gone before other tests run
    # (a subprocess would inherit it: `check --deploy` refuses it).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launched(sync_api, executable)
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launched(sync_api, executable: str):
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            # As root (CI containers) Chromium refuses to start with its sandbox on.
            args=["--no-sandbox", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()
