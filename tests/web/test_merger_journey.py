"""Journey 4 in the browser: a planner picks two townships, sees the 大箐村 clash, saves two
scenarios, compares them and drafts a change proposal from one."""

import pytest
from django.contrib.auth.models import Group, User

from mergers.models import DivisionChange
from tests.support import demo_loaded

from .support import browser_session, needs_chromium, sign_in, switch_language

pytestmark = [pytest.mark.django_db, needs_chromium]


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def save_scenario(page, base: str, codes: list[str], name: str, title: str) -> None:
    page.goto(base + "/mergers/?county=520201")
    for code in codes:
        page.check(f"#townships input[value='{code}']")
    page.fill("#merge-name", name)
    page.fill("input[name=title]", title)
    page.click("#save-scenario")
    page.wait_for_selector("#scenario-title")


# The journey in Chinese (the default) and with the language switched to English.
HEADING = {"zh-hans": "撤并模拟", "en": "Merger sandbox"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_runs_a_merger_from_the_map_to_a_proposal(server, language):
    planner = User.objects.create_user("browser-planner", password="pw-planner-1")
    planner.groups.add(Group.objects.get_or_create(name="planner")[0])
    with browser_session(server, f"merger_journey_{language}") as b:
        page = b.page
        sign_in(b, server, "browser-planner", "pw-planner-1")
        if language != "zh-hans":
            switch_language(b, language)
        page.goto(server + "/mergers/?county=520201")
        heading = page.inner_text("main h2")
        buttons = (page.inner_text("#simulate"), page.inner_text("#save-scenario"))
        page.wait_for_selector("#sandbox-map path", timeout=15_000)
        page.check("#townships input[value='520201101']")
        page.check("#townships input[value='520201103']")
        page.fill("#merge-name", "大河镇")
        page.click("#simulate")
        page.wait_for_selector("#clashes", timeout=15_000)
        clashes = page.inner_text("#clashes")
        picked = page.locator("#sandbox-map path[stroke='#c0392b']").count()
        b.shot("simulated")
        save_scenario(page, server, ["520201101", "520201103"], "大河镇", "方案甲")
        save_scenario(page, server, ["520201101", "520201102"], "汪家寨镇", "方案乙")
        page.goto(server + "/mergers/?county=520201")
        for box in page.locator("#scenarios input[type=checkbox]").all():
            box.check()
        page.click("#compare-form button")
        page.wait_for_selector("#comparison")
        compared = page.inner_text("#comparison")
        b.shot("compared")
        page.locator("#comparison a", has_text="方案甲").click()
        page.fill("#propose-form input[name=effective_date]", "2025-01-01")
        page.click("#propose-form button")
        page.wait_for_selector("#change-state")
        state = page.inner_text("#change-state")
        b.shot("proposed")
    change = DivisionChange.objects.get()
    assert heading == HEADING[language]
    assert buttons == {"zh-hans": ("模拟", "保存为方案"),
                       "en": ("Simulate", "Save as scenario")}[language]
    assert clashes.count("大箐村") >= 2
    assert picked == 2
    assert "方案乙" in compared
    assert change.state == "draft"
    assert state == {"zh-hans": "草案", "en": "draft"}[language]
    assert change.scenario.title == "方案甲"
