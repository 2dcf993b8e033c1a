"""Browser helpers for the journeys: Debian's chromium driven by Playwright, reaching only
the test's own server, failing on any console error or uncaught exception, saving
screenshots under the test's output directory."""

import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium; "
                                  "make test installs it)")
# What a browser on a closed network must not try, started as the machine's probe does.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def screenshot_dir(test_name: str) -> Path:
    base = Path(os.environ.get("PYTEST_OUTPUT") or "/tmp/registry-screenshots")
    folder = base / re.sub(r"[^\w.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Session:
    """What the browser did: requests it tried elsewhere, console errors, screenshots."""

    page: object
    shots: Path
    elsewhere: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        path = self.shots / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)
        return path


@contextmanager
def browser_session(base: str, test_name: str = "browser", *, width: int = 1280):
    """A chromium page that may reach only ``base``. On leaving, fails on any console
    error, uncaught page error or request to another host, and prints where the
    screenshots are."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM is used around it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(locale="zh-CN", viewport={"width": width, "height": 900})
            session = Session(page, screenshot_dir(test_name))
            ours = urlparse(base).netloc

            def guard(route):
                if urlparse(route.request.url).netloc == ours:
                    route.continue_()
                else:
                    session.elsewhere.append(route.request.url)
                    route.abort()

            page.route("**/*", guard)
            page.on("console", lambda msg: msg.type == "error" and session.errors.append(
                f"console: {msg.text} ({msg.location.get('url', '')})"))
            page.on("pageerror", lambda exc: session.errors.append(f"pageerror: {exc}"))
            try:
                yield session
            finally:
                browser.close()
                if session.taken:
                    print(f"screenshots: {session.shots}")
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    assert session.elsewhere == [], f"requests to another host: {session.elsewhere}"
    assert session.errors == [], f"browser errors: {session.errors}"


def sign_in(session: Session, base: str, username: str, password: str) -> None:
    page = session.page
    page.goto(base + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-form button")
    page.wait_for_url(re.compile(r"/accounts/profile/$"))


def switch_language(session: Session, code: str) -> None:
    """Through the header's language switch, as a user does (it submits on change)."""
    with session.page.expect_navigation():
        session.page.select_option("#language select", code)
    session.page.wait_for_load_state("load")


def sign_out(session: Session) -> None:
    with session.page.expect_navigation():  # wait for the signed-out page, not the old one
        session.page.click("header.top form[action$='/logout/'] button")
    session.page.wait_for_load_state("load")
