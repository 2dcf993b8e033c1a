"""The public journeys in a real browser: Debian's chromium driven by Playwright, against
the pages served from this test's own transaction (the demo), with every request to
another host refused and counted.

The server (tests/web/conftest.py) runs in a thread on the test's database connection, so
it sees the demo the module loaded inside a transaction that is rolled back at the end.
Every test fails on a console error too, and leaves screenshots (tests/web/support.py).
"""

import re

import pytest
from django.contrib.auth.models import User

from tests.support import demo_loaded

from .support import browser_session, needs_chromium, switch_language

pytestmark = [pytest.mark.django_db, needs_chromium]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def test_it_draws_the_registry_layers_as_the_map_without_another_host(server):
    with browser_session(server, "map_layers") as b:
        page = b.page
        page.goto(server + "/")
        page.wait_for_selector(".leaflet-overlay-pane path", timeout=15_000)
        page.wait_for_selector(".division-label", timeout=15_000)
        # townships come as vector tiles (/tiles/townships/...), drawn in their own pane
        page.wait_for_selector(".leaflet-vector-tiles-pane path", timeout=15_000)
        polygons = page.locator(".leaflet-overlay-pane path").count()
        townships = page.locator(".leaflet-vector-tiles-pane path").count()
        labels = page.locator(".division-label").all_inner_texts()
        # a label on one line (Leaflet's 12 px divIcon wrapped 钟山区 a character a line)
        tallest = page.evaluate("""Math.max(...[...document.querySelectorAll(
            '.division-label')].map(el => el.getBoundingClientRect().height))""")
        # every map button shows something (django-leaflet's reset-view was a blank box)
        blank = page.evaluate("""[...document.querySelectorAll('.leaflet-control a')]
            .filter(a => !a.textContent.trim()
                    && getComputedStyle(a).backgroundImage === 'none').length""")
        b.shot("map")
    assert polygons > 10
    assert townships > 20
    assert "钟山区" in labels
    assert tallest < 24
    assert blank == 0


def test_it_draws_the_places_as_vector_tiles_when_zoomed_in(server):
    streets = '.leaflet-vector-tiles-pane path[stroke="#7d3c98"]'  # the places' style
    with browser_session(server, "map_places_tiles") as b:
        page = b.page
        statuses: list[int] = []
        page.on("response", lambda r: "/tiles/places/" in r.url and statuses.append(r.status))
        page.goto(server + "/")
        page.wait_for_selector(".leaflet-vector-tiles-pane path", timeout=15_000)
        before = page.locator(streets).count()
        for _ in range(5):  # from zoom 7 to 12, over 钟山区
            page.click(".leaflet-control-zoom-in")
            page.wait_for_timeout(400)
        page.wait_for_selector(streets, timeout=15_000)
        after = page.locator(streets).count()
        b.shot("places")
    assert before == 0  # places only from zoom 10
    assert after > 10  # the demo's streets of 钟山区
    assert statuses and set(statuses) == {200}, statuses


def test_it_finds_a_division_as_you_type_and_opens_its_page(server):
    with browser_session(server, "test_it_finds_a_division_as_you_type_and_opens_its_page") as b:
        page = b.page
        page.goto(server + "/")
        page.fill("#q", "zhongshan")
        page.wait_for_selector("#hits a.division", timeout=10_000)
        page.locator("#hits a.division", has_text="钟山区").first.click()
        page.wait_for_url(re.compile(r"/divisions/520201/$"))
        crumbs = page.inner_text("#crumbs")
        children = page.locator("#children li").count()
        page.wait_for_selector("#division-map path", timeout=10_000)
        b.shot("division")
    assert "六盘水市" in crumbs
    assert children >= 5


def test_it_redraws_a_division_page_for_another_date(server):
    with browser_session(server, "test_it_redraws_a_division_page_for_another_date") as b:
        page = b.page
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
    with browser_session(server, "test_it_lists_the_divisions_at_a_clicked_point") as b:
        page = b.page
        page.goto(server + "/")
        page.wait_for_selector(".leaflet-overlay-pane path", timeout=15_000)
        box = page.locator("#map").bounding_box()  # its centre is in 钟山区
        page.click("#map", position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_selector("#where a", timeout=10_000)
        found = page.locator("#where a").all_inner_texts()
    assert len(found) >= 3  # province, prefecture, county at least
    assert any("贵州省" in text for text in found)


def test_it_switches_the_interface_to_english(server):
    with browser_session(server, "test_it_switches_the_interface_to_english") as b:
        page = b.page
        page.goto(server + "/")
        chinese = page.inner_text("label[for=q]")
        switch_language(b, "en")  # waits for the page the switch loads, not the old one
        english = page.inner_text("label[for=q]")
    assert chinese == "查询区划和地名"
    assert english == "Search divisions and places"


def test_it_signs_a_staff_member_in(server):
    User.objects.create_user("browser-clerk", password="pw-browser-clerk")
    with browser_session(server, "test_it_signs_a_staff_member_in") as b:
        page = b.page
        page.goto(server + "/accounts/login/")
        page.fill("input[name=username]", "browser-clerk")
        page.fill("input[name=password]", "pw-browser-clerk")
        page.click("#login-form button")
        page.wait_for_url(re.compile(r"/accounts/profile/$"))
        shown = page.inner_text("#profile-link")
        b.shot("profile")
    assert shown == "browser-clerk"


def test_it_runs_the_public_journey_in_english(server):
    """Journey (1) with the language switched to English: search, the division page on
    2016-06-01 (its neighbour still 水城县), the divisions at a clicked point."""
    with browser_session(server, "public_journey_en") as b:
        page = b.page
        page.set_default_timeout(15_000)
        page.goto(server + "/")
        switch_language(b, "en")
        search_label = page.inner_text("label[for=q]")
        page.fill("#q", "钟山")
        page.wait_for_selector("#hits a.division")
        page.locator("#hits a.division", has_text="钟山区").first.click()
        page.wait_for_url(re.compile(r"/divisions/520201/$"))
        headings = {h.split(" (")[0].strip() for h in page.locator("main h3").all_inner_texts()}
        page.fill("#as-of-form input[name=as_of]", "2016-06-01")
        page.click("#as-of-form button")
        page.wait_for_url(re.compile(r"as_of=2016-06-01"))
        neighbours = page.inner_text("#neighbours")
        b.shot("division-2016")
        page.goto(server + "/")
        page.wait_for_selector(".leaflet-overlay-pane path")
        box = page.locator("#map").bounding_box()
        page.click("#map", position={"x": box["width"] / 2, "y": box["height"] / 2})
        page.wait_for_selector("#where a")
        where = page.inner_text("#side")
        nav = page.inner_text("header.top nav")
        b.shot("where")
    assert search_label == "Search divisions and places"
    assert {"Subdivisions", "Neighbours", "History"} <= headings
    assert "水城县" in neighbours
    assert "Divisions at the point you click" in where
    assert "贵州省" in where
    assert "Sign in" in nav and "登录" not in nav
