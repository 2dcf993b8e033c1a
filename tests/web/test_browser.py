"""The public journeys in a real browser: Debian's chromium driven by Playwright, against
the pages served from this test's own transaction (the demo), with every request to
another host refused and counted.

The server runs in a thread on the test's database connection, so it sees the demo the
module loaded inside a transaction that is rolled back at the end; Django's per-request
connection clean-up is switched off meanwhile (it would close that shared connection).
"""

import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import close_old_connections, connections

from tests.support import demo_loaded

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get "
                       "install chromium; make test installs it)"),
]
# What a browser on a closed network must not try, started as the machine's probe does.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


@pytest.fixture(scope="module")
def server(demo, django_db_blocker):
    """The site on a free loopback port, answering from the test's connection."""
    shared = connections["default"]  # the wrapper itself, not the thread-local proxy
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    httpd = WSGIServer(("127.0.0.1", 0), QuietHandler, ipv6=False)
    httpd.set_app(StaticFilesHandler(WSGIHandler()))

    def serve():
        connections["default"] = shared
        httpd.serve_forever(poll_interval=0.05)

    shared.inc_thread_sharing()
    thread = threading.Thread(target=serve, daemon=True)
    with django_db_blocker.unblock():
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            thread.join()
            shared.dec_thread_sharing()
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@contextmanager
def browser_page(base: str):
    """A chromium page that may reach only ``base``; yields (page, what it tried elsewhere)."""
    from playwright.sync_api import sync_playwright

    elsewhere: list[str] = []
    # Playwright's sync API runs an event loop in this thread; the ORM is used around it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(locale="zh-CN")
            ours = urlparse(base).netloc

            def guard(route):
                if urlparse(route.request.url).netloc == ours:
                    route.continue_()
                else:
                    elsewhere.append(route.request.url)
                    route.abort()

            page.route("**/*", guard)
            try:
                yield page, elsewhere
            finally:
                browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def test_it_draws_the_registry_layers_as_the_map_without_another_host(server):
    with browser_page(server) as (page, elsewhere):
        page.goto(server + "/")
        page.wait_for_selector(".leaflet-overlay-pane path", timeout=15_000)
        page.wait_for_selector(".division-label", timeout=15_000)
        polygons = page.locator(".leaflet-overlay-pane path").count()
        labels = page.locator(".division-label").all_inner_texts()
    assert polygons > 10
    assert "钟山区" in labels
    assert elsewhere == []


def test_it_finds_a_division_as_you_type_and_opens_its_page(server):
    with browser_page(server) as (page, elsewhere):
        page.goto(server + "/")
        page.fill("#q", "zhongshan")
        page.wait_for_selector("#hits a.division", timeout=10_000)
        page.locator("#hits a.division", has_text="钟山区").first.click()
        page.wait_for_url(re.compile(r"/divisions/520201/$"))
        crumbs = page.inner_text("#crumbs")
        children = page.locator("#children li").count()
        page.wait_for_selector("#division-map path", timeout=10_000)
    assert "六盘水市" in crumbs
    assert children >= 5
    assert elsewhere == []


def test_it_redraws_a_division_page_for_another_date(server):
    with browser_page(server) as (page, _):
        page.goto(server + "/divisions/520222/")
        before = page.inner_text("h1")
        page.fill("#as-of-form input[name=as_of]", "2016-06-01")
        page.click("#as-of-form button")
        page.wait_for_url(re.compile(r"as_of=2016-06-01"))
        after = page.inner_text("h1")
        banner = page.locator("#not-in-force").count()
    assert "盘县" in before  # the retired code shows its last version, marked
    assert "盘县" in after
    assert banner == 0


def test_it_lists_the_divisions_at_a_clicked_point(server):
    with browser_page(server) as (page, _):
        page.goto(server + "/")
        page.wait_for_selector(".leaflet-overlay-pane path", timeout=15_000)
        box = page.locator("#map").bounding_box()  # its centre is in 钟山区
        page.click("#map", position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_selector("#where a", timeout=10_000)
        found = page.locator("#where a").all_inner_texts()
    assert len(found) >= 3  # province, prefecture, county at least
    assert any("贵州省" in text for text in found)


def test_it_switches_the_interface_to_english(server):
    with browser_page(server) as (page, _):
        page.goto(server + "/")
        chinese = page.inner_text("label[for=q]")
        page.select_option("#language select", "en")
        page.wait_for_load_state("load")
        english = page.inner_text("label[for=q]")
    assert chinese == "查询区划和地名"
    assert english == "Search divisions and places"


def test_it_signs_a_staff_member_in(server):
    User.objects.create_user("browser-clerk", password="pw-browser-clerk")
    with browser_page(server) as (page, _):
        page.goto(server + "/accounts/login/")
        page.fill("input[name=username]", "browser-clerk")
        page.fill("input[name=password]", "pw-browser-clerk")
        page.click("#login-form button")
        page.wait_for_url(re.compile(r"/accounts/profile/$"))
        shown = page.inner_text("#profile-link")
    assert shown == "browser-clerk"
