"""Journey (3) in chromium: the clerk registers a marker on 钟水线 on its map (a click on
the map sets the position, the exact coordinates typed over it); side A starts the
survey, records a hazard where it clicks on the map, uploads its GeoPackage
through the drop zone's file input, reads the preview (format, CRS, findings, the file
drawn over the registered line) and confirms it; side B's survey is confirmed too; A
reconciles and signs, B signs, and the joint report opens: in Chinese on 钟水线, in English
(switched with the page's menu) on 六枝特区 | 水城区. Also: the workspace at phone width.
Fails on any console error or request to another host; screenshots on the way."""

import re

import pytest
from django.utils import translation

from boundaries.models import BoundaryMarker
from inspections.models import State
from jobs.models import JobState
from tests.inspections.support import SHUICHENG, ZHONGSHAN, gk, line_in_gk, on_line, write_gpkg
from tests.support import demo_loaded, run_job

from .serving import between_answers
from .support import browser_session, needs_chromium, sign_in, switch_language
from .workspace_data import PASSWORD, line_inspection, line_markers, zhongshui_inspection

pytestmark = [pytest.mark.django_db, needs_chromium]
HAZARD = "新修道路压占界线"
LIUZHI = "520203000000"
# language: the line's sides (left | right), their teams, its marker numbers' prefix
LINES = {"zh-hans": (ZHONGSHAN, SHUICHENG, "钟山区联检组", "水城区联检组", "钟水"),
         "en": (LIUZHI, SHUICHENG, "六枝特区联检组", "水城区联检组", "六水")}


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def survey_file(path, line, markers: dict, shift_m: float):
    points = {n: gk(position) for n, position in markers.items()}
    points = {n: (x + shift_m, y) for n, (x, y) in points.items()}
    return write_gpkg(path, points, line_in_gk(line))


def click(page, selector):
    with page.expect_navigation():  # the answer's page, not the one already loaded
        page.click(selector)


def upload(b, url, path, side):
    page = b.page
    page.goto(url)
    page.set_input_files("#id_file", str(path))  # the drop zone's input, by keyboard too
    page.select_option("#id_side", side)
    b.shot(f"upload-{side}")
    click(page, "#upload-button")
    page.wait_for_url(re.compile(r"/surveys/\d+/$"))
    page.wait_for_selector("#preview-map[data-drawn]")


def signed_in(b, base, username, language):
    """Sign in afresh (the cookies cleared: signed out), in the language chosen before."""
    b.page.context.clear_cookies()
    b.page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    sign_in(b, base, username, PASSWORD)


def said(language, choices, value) -> str:
    with translation.override(language):
        return str(dict(choices)[value])


def register_marker(server, inspection, line, clerk, prefix, language) -> tuple[str, str]:
    """The clerk opens the line's markers from the inspection and registers one: a click on
    the map sets the position, the exact coordinates are typed over it. A session of its
    own: the ORM is not used while the browser runs (Playwright's loop owns the thread)."""
    taken = set(line_markers(line))
    number = next(f"{prefix}{n:02d}" for n in range(30, 99) if f"{prefix}{n:02d}" not in taken)
    at = on_line(line, 0.3)
    with browser_session(server, f"inspection_journey_marker_{language}") as b:
        page = b.page
        page.set_default_timeout(20_000)
        sign_in(b, server, clerk.username, PASSWORD)
        if language != "zh-hans":
            switch_language(b, language)
        page.goto(f"{server}/inspections/{inspection.id}/")
        click(page, "#markers-link")
        page.wait_for_selector("#markers-map[data-drawn]")
        page.click("#markers-map", position={"x": 200, "y": 150})
        picked = page.get_attribute("#markers-map", "data-picked")
        page.fill("#id_number", number)
        page.select_option("#id_type", "single")
        page.fill("#id_lon", f"{at.x:.7f}")  # typed over the click: exactly on the line
        page.fill("#id_lat", f"{at.y:.7f}")
        page.fill("#id_material", "花岗岩")
        # set years ago: the accepted inspection gives it a state today, after its first
        page.fill("#id_installed", "2015-05-01")
        b.shot("register-marker")
        page.click("#register-button")  # htmx: the answer sends the browser to the marker
        page.wait_for_url(re.compile(r"/inspections/markers/\d+/$"))
        page.wait_for_selector("#marker-map[data-drawn]")
        shown = page.inner_text("#marker-number")
        b.shot("marker")
    assert picked and picked.count(",") == 1  # the click filled longitude and latitude
    return number, shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_it_takes_a_survey_from_upload_to_the_signed_report(server, tmp_path, language):
    left, right, team_a, team_b, prefix = LINES[language]
    line, inspection, users = line_inspection(left, right, team_a, team_b,
                                              users="ws" if language == "zh-hans" else "ws-en")
    url = f"{server}/inspections/{inspection.id}/"
    number, shown = register_marker(server, inspection, line, users["clerk"], prefix, language)
    markers = line_markers(line)  # the demo's own and the one just registered
    a_file = survey_file(tmp_path / "side-a.gpkg", line, markers, 0.3)
    b_file = survey_file(tmp_path / "side-b.gpkg", line, markers, -0.2)
    with browser_session(server, f"inspection_journey_{language}") as b:
        page = b.page
        page.set_default_timeout(20_000)
        signed_in(b, server, users["a1"].username, language)
        page.goto(server + "/inspections/")
        click(page, f"#inspections a[href='/inspections/{inspection.id}/']")
        page.wait_for_selector("#inspection-map[data-drawn]")
        click(page, "#do-start_survey")
        page.wait_for_selector("#inspection-map[data-drawn]")
        page.click("#inspection-map", position={"x": 160, "y": 120})  # where the hazard is
        page.fill("#id_description", HAZARD)
        page.select_option("#id_severity", "medium")
        click(page, "#hazard-button")
        hazards = page.inner_text("#hazards")
        upload(b, url, a_file, "A")
        detected = (page.inner_text("#format"), page.inner_text("#crs"))
        known = page.inner_text("#markers-registered")
        drawn = int(page.get_attribute("#preview-map", "data-drawn"))
        b.shot("preview")
        click(page, "#confirm-button")

        signed_in(b, server, users["b1"].username, language)
        upload(b, url, b_file, "B")
        click(page, "#confirm-button")
        click(page, "#do-reconcile")  # a job: its page follows it, then sends us on
        page.wait_for_url(re.compile(rf"/inspections/{inspection.id}/jobs/\d+$"))
        job_state = page.inner_text("#job-state")
        b.shot("reconcile-queued")
        job = between_answers(lambda: run_job(int(page.url.rsplit("/", 1)[1])))
        page.wait_for_url(url)  # the polling fragment's HX-Redirect, once the job is done
        page.wait_for_selector("#markers tbody tr")
        verdicts = page.locator("#markers tbody tr").count()
        page.wait_for_selector("#inspection-map[data-drawn]")
        colours = page.evaluate("""[...document.querySelectorAll(
            '#inspection-map path.leaflet-interactive')].map(p => p.getAttribute('stroke'))""")
        no_sign_a = page.locator("#do-sign_a").count()  # B's member signs for B only
        click(page, "#do-sign_b")
        b.shot("signed-b")

        signed_in(b, server, users["a1"].username, language)
        page.goto(url)
        click(page, "#do-sign_a")
        state = page.inner_text("#state")
        click(page, "#report-link")
        report = page.inner_text("body")
        b.shot("report")
    assert HAZARD in hazards
    assert HAZARD in report  # the joint report lists it
    assert shown == number
    assert number in markers
    assert detected[0] == "geopackage"
    assert "4523" in detected[1]
    assert set(markers) <= set(known.replace(" ", "").split(","))
    assert drawn > 1 + len(markers)  # the line, its markers and the file's features
    assert job_state == said(language, JobState.choices, "queued")  # run later
    assert (job.state, job.done, job.total) == ("succeeded", 8, 8), job.error
    assert verdicts == len(markers)
    assert colours.count("#2a8a2a") == len(markers)  # intact: green, as the legend says
    assert no_sign_a == 0
    inspection.refresh_from_db()
    assert inspection.state == "signed"
    assert state == said(language, State.choices, inspection.state)
    assert min(markers) in report


FITS = """[document.documentElement.scrollWidth - window.innerWidth,
    [...document.querySelectorAll('main input, main select, main textarea')]
      .filter(el => el.type !== 'hidden')
      .every(el => el.labels.length > 0 || !!el.getAttribute('aria-label'))]"""


def test_it_fits_the_workspace_pages_to_a_phone(server):
    """The inspection page (a side's member: upload, hazards), the line's markers and a
    marker's page (the clerk: the register, state and move forms) at phone width, every
    input labelled."""
    line, inspection, users = zhongshui_inspection()
    marker = next(iter(line_markers_ids(line)))
    found = {}
    with browser_session(server, "inspection_phone", width=390) as b:
        page = b.page
        page.set_default_timeout(20_000)
        for who, path, drawn in [
                ("a1", f"/inspections/{inspection.id}/", "#inspection-map"),
                ("clerk", f"/inspections/lines/{line.id}/markers/", "#markers-map"),
                ("clerk", f"/inspections/markers/{marker}/", "#marker-map")]:
            page.context.clear_cookies()
            sign_in(b, server, users[who].username, PASSWORD)
            page.goto(server + path)
            page.wait_for_selector(f"{drawn}[data-drawn]")
            found[path] = page.evaluate(FITS)
            b.shot(drawn.strip("#"))
    assert all(overflow <= 0 for overflow, _ in found.values()), found
    assert all(labelled for _, labelled in found.values()), found


def line_markers_ids(line) -> list[int]:
    return list(BoundaryMarker.objects.filter(lines=line, retired_on__isnull=True)
                .order_by("number").values_list("id", flat=True))
