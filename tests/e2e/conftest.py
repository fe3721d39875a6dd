"""End-to-end fixtures: one headless Debian Chromium per session, driven by Playwright's sync API.

The tests run against pytest-django's `live_server`. Without /usr/bin/chromium they are
skipped, unless REQUIRE_E2E=1 (as in CI): then a missing browser is an error.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API keeps its asyncio loop marked as running in this thread between calls
# (asyncio._set_running_loop), which trips Django's async-safety check on every ORM call made by
# the test code. The live server runs in its own thread and is not affected.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Wide enough that Bootstrap's navbar (navbar-expand-lg) is expanded.
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000


def _missing_browser_message(path):
    return (
        f"Chromium nicht gefunden ({path}): End-to-End-Tests übersprungen. Installieren mit: apt-get install chromium"
    )


@pytest.fixture(scope="session")
def browser():
    path = CHROMIUM_PATH
    if not Path(path).is_file() or not os.access(path, os.X_OK):
        message = _missing_browser_message(path)
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail(message + " (REQUIRE_E2E=1: Fehler statt Überspringen)", pytrace=False)
        pytest.skip(message)

    from django.db import connections
    from playwright.sync_api import sync_playwright

    # With a running loop, Django's connection handler (an asgiref Local) looks connections up in
    # context-local instead of thread-local storage, i.e. the test code would silently get fresh
    # connection objects, without the test database's serialized contents. Serialized rollback
    # would then restore nothing. Keep using the same connection objects.
    existing = {alias: connections[alias] for alias in connections}
    playwright = sync_playwright().start()
    for alias, connection in existing.items():
        connections[alias] = connection
    try:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield browser
    browser.close()
    playwright.stop()


class BrowserSession:
    """Opens pages against the live server and records what the console reports about the CSP."""

    def __init__(self, browser, base_url):
        self.browser = browser
        self.base_url = base_url
        self.contexts = []
        self.csp_violations = []
        self.page_errors = []

    def new_page(self, viewport=VIEWPORT):
        """A page in a fresh context, i.e. with its own cookies (one person per context)."""
        context = self.browser.new_context(base_url=self.base_url, locale="de-DE", viewport=viewport)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        return page

    def _on_console(self, message):
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{message.type}: {message.text} ({message.location.get('url', '')})")

    def login(self, page, username, password=None):
        """Log in through the login form; passwords follow the `people` fixture ("pw-" + username)."""
        page.goto("/anmelden/")
        page.get_by_label("Benutzername").fill(username)
        page.get_by_label("Passwort").fill(password or "pw-" + username)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(lambda url: "/anmelden/" not in url)
        return page

    def assert_clean_console(self):
        assert not self.csp_violations, "CSP-Verstöße in der Konsole:\n" + "\n".join(self.csp_violations)
        assert not self.page_errors, "JavaScript-Fehler auf der Seite:\n" + "\n".join(self.page_errors)

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def e2e(browser, live_server):
    session = BrowserSession(browser, live_server.url)
    yield session
    session.close()
