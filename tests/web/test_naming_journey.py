"""Journey (2) in chromium: an applicant pre-checks a street name and submits it, the
clerk accepts it, three experts review it, the consultation is held and closed, the
members vote, the chair approves and publishes, and the name is found by the public
search. In Chinese (the default) and in English, switched as a user does. Fails on any
console error or request to another host; screenshots on the way."""

import re
from datetime import timedelta

import pytest
from django.utils import translation

from boundaries.temporal import today
from gazetteer.models import PlaceClass
from proposals.models import Proposal, State
from tests.support import demo_loaded

from .support import browser_session, needs_chromium, sign_in, switch_language
from .workspace_data import PASSWORD, with_password

pytestmark = [pytest.mark.django_db, needs_chromium]
NAMES = {"zh-hans": "青松路", "en": "翠柏路"}  # one name a run: the first is standard after it


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def act(b, base, username, proposal_id, action, fields=None):
    """Sign in as ``username``, open the proposal and take ``action`` with its form."""
    page = b.page
    language = next((c["value"] for c in page.context.cookies()
                     if c["name"] == "django_language"), "zh-hans")
    page.context.clear_cookies()  # signed out; the language chosen stays
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    sign_in(b, base, username, PASSWORD)
    page.goto(f"{base}/proposals/{proposal_id}/")
    form = page.locator(f"#action-{action}")
    assert form.count() == 1, page.inner_text("#actions")
    for name, value in (fields or {}).items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    with page.expect_navigation():
        form.locator("button").click()
    assert page.locator("h1").count() == 1, page.content()[:600]


def state_label(language: str, state: str) -> str:
    with translation.override(language):
        return str(dict(State.choices)[state])


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_takes_a_name_from_precheck_to_public_search(server, language):
    name = NAMES[language]
    applicant = with_password("ws-applicant", "applicant")
    staff = ["demo-clerk", "demo-expert1", "demo-expert2", "demo-expert3", "demo-member1",
             "demo-member2", "demo-chair"]
    for username in staff:
        with_password(username)
    road = PlaceClass.objects.get(slug="road").code
    with browser_session(server, f"naming_journey_{language}") as b:
        page = b.page
        sign_in(b, server, applicant.username, PASSWORD)
        if language != "zh-hans":  # the page's own switch; Chinese is the default
            switch_language(b, language)
        page.goto(server + "/names/check/")
        page.fill("#id_name", name)
        page.select_option("#id_place_class", road)
        page.fill("#id_division_code", "520201")
        page.fill("#id_meaning", "取青松常绿之意")
        page.press("#id_division_code", "Enter")  # the form works from the keyboard
        page.wait_for_selector("#check-result")
        blocking = page.locator("#findings .finding.block").count()
        b.shot("precheck")
        page.click("#submit-proposal")
        page.wait_for_url(re.compile(r"/proposals/\d+/$"))
        pid = int(page.url.rstrip("/").rsplit("/", 1)[1])
        submitted = page.inner_text("#state")
        assert page.locator("#actions form").count() == 0  # the applicant takes no action
        b.shot("submitted")

        act(b, server, "demo-clerk", pid, "accept")
        act(b, server, "demo-clerk", pid, "start_review")
        for n in (1, 2, 3):
            act(b, server, f"demo-expert{n}", pid, "opinion",
                {"recommendation": "approve", "opinion": f"专家{n}：名称规范"})
        b.shot("reviewed")
        start = today() - timedelta(days=30)  # held in the past, so it may close now
        act(b, server, "demo-clerk", pid, "open_consultation",
            {"consultation_start": str(start),
             "consultation_end": str(start + timedelta(days=15))})
        act(b, server, "demo-clerk", pid, "close_consultation", {"note": "无异议"})
        for member in ("demo-member1", "demo-member2", "demo-chair"):
            act(b, server, member, pid, "vote", {"choice": "approve"})
        b.shot("voted")
        act(b, server, "demo-chair", pid, "approve")
        act(b, server, "demo-chair", pid, "publish",
            {"announcement_number": "六盘水市地名委公告〔2026〕9号",
             "announcement_date": str(today())})
        state = page.inner_text("#state")
        votes = page.locator("#votes li").count()
        opinions = page.locator("#opinions li").count()
        b.shot("published")

        page.context.clear_cookies()
        page.goto(server + "/")
        page.fill("#q", name)
        page.wait_for_selector("#hits a.place", timeout=10_000)
        hits = page.locator("#hits a.place").all_inner_texts()
        b.shot("found")
    assert blocking == 0
    assert submitted == state_label(language, "submitted")
    assert state == state_label(language, "published")
    assert state != state_label("en" if language == "zh-hans" else "zh-hans", "published")
    assert (votes, opinions) == (3, 3)
    assert any(name in hit for hit in hits)
    published = Proposal.objects.get(id=pid)
    assert published.published_place.name == name
