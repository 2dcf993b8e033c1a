"""The pages as `make run` serves them: DEBUG off and the static files collected
(collectstatic into a directory of the test's own) and served by WhiteNoise from its
manifest of hashed names, not from the finders as in the other browser tests. A page
naming a file the manifest lacks is a 500 there and only there; a script or stylesheet
missing is a console error. Every main page, public and staff, is opened in chromium and
must load without a console error or any answer of 400 or more (the icon browsers ask
for by themselves too)."""

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.test import override_settings

from boundaries.models import BoundaryLine
from gazetteer.models import Place
from proposals.models import Proposal
from tests.inspections.support import SHUICHENG, ZHONGSHAN
from tests.support import demo_loaded

from .serving import serving
from .support import browser_session, needs_chromium, sign_in
from .workspace_data import PASSWORD, with_password

pytestmark = [pytest.mark.django_db, needs_chromium]
MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """The production static settings, with the files collected as `make static` does."""
    root = tmp_path_factory.mktemp("static")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}
    with override_settings(DEBUG=False, STATIC_ROOT=root, STORAGES=storages,
                           WHITENOISE_USE_FINDERS=False, WHITENOISE_AUTOREFRESH=False):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


@pytest.fixture(scope="module")
def production(collected, demo, django_db_blocker):
    """No StaticFilesHandler: WhiteNoise's middleware serves the collected files."""
    with serving(WSGIHandler(), django_db_blocker) as url:
        yield url


def pages() -> tuple[list[str], list[str]]:
    """The public pages and the staff's, on the demo (read before the browser starts)."""
    place = Place.objects.filter(name="钟山路").first()
    proposal = Proposal.objects.order_by("id").first()
    line = BoundaryLine.objects.get(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG,
                                    valid_to__isnull=True)
    public = ["/", "/divisions/520201/?as_of=2016-06-01", f"/places/{place.id}/",
              "/changes/", "/names/check/", "/archives/", "/api/docs"]
    staff = ["/proposals/", f"/proposals/{proposal.id}/", "/inspections/",
             f"/inspections/lines/{line.id}/markers/", "/hazards/",
             "/mergers/?county=520201", "/accounts/profile/"]
    return public, staff


def test_it_serves_the_main_pages_with_collected_static_files_and_no_errors(production):
    public, staff = pages()
    with_password("prod-staff", "clerk", "planner")
    failed: list[str] = []
    with browser_session(production, "production_pages") as b:
        page = b.page
        page.on("response", lambda r: r.status >= 400 and failed.append(f"{r.status} {r.url}"))
        for path in public:
            page.goto(production + path, wait_until="networkidle")
        b.shot("public")
        icon = page.request.get(production + "/favicon.ico")  # as browsers ask by themselves
        sign_in(b, production, "prod-staff", PASSWORD)
        for path in staff:
            page.goto(production + path, wait_until="networkidle")
        b.shot("staff")
        stylesheet = page.evaluate(
            "[...document.styleSheets].map(s => s.href).find(h => h && h.includes('site'))")
    assert failed == []
    assert (icon.status, icon.headers["content-type"]) == (200, "image/svg+xml")
    assert "/static/registry/site." in stylesheet and not stylesheet.endswith("site.css")
