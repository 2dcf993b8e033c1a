"""The archive office in chromium: the archivist uploads an approval through the form,
corrects it with a second version and publishes it; a visitor finds it in the catalogue
as they type (htmx) and sees both versions. Fails on any console error or request to
another host; screenshots on the way."""

import pytest

from archives.models import Document
from tests.archives.support import pdf
from tests.support import demo_loaded

from .support import browser_session, needs_chromium, sign_in, sign_out
from .workspace_data import PASSWORD, with_password

pytestmark = [pytest.mark.django_db, needs_chromium]
TITLE = "六盘水市人民政府关于青松路命名的批复"


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def test_it_files_corrects_publishes_and_finds_a_document(server):
    archivist = with_password("ws-archivist", "archivist")
    with browser_session(server, "archive_journey") as b:
        page = b.page
        sign_in(b, server, archivist.username, PASSWORD)
        page.goto(server + "/archives/")
        page.click("#upload-link")
        page.set_input_files("#id_file", files=[{"name": "批复.pdf", "mimeType":
                                                  "application/pdf", "buffer": pdf("v1")}])
        page.fill("#id_title", TITLE)
        page.fill("#id_number", "六盘水府函〔2026〕9号")
        page.select_option("#id_category", "approval")
        page.select_option("#id_retention", "permanent")
        page.click("#upload-form button")
        page.wait_for_url("**/archives/*/")
        b.shot("uploaded")
        page.set_input_files("#version-form input[name=file]", files=[{
            "name": "批复-更正.pdf", "mimeType": "application/pdf", "buffer": pdf("v2")}])
        page.fill("#version-form input[name=note]", "更正附件页码")
        with page.expect_navigation():  # the form's answer, not the page already loaded
            page.click("#version-form button")
        assert page.locator("#versions tbody tr").count() == 2
        with page.expect_navigation():
            page.click("#publish")
        sign_out(b)
        page.goto(server + "/archives/")
        page.fill("#id_q", "青松路")
        # the demo's public documents are listed first; typing narrows them to this one
        page.wait_for_function("document.querySelectorAll('#documents tbody tr').length == 1"
                               " && document.querySelector('#documents').innerText"
                               ".includes('青松路')")
        page.wait_for_url("**/archives/?*q=*")  # the search is in the address (hx-push-url)
        b.shot("found")
        page.click(f"text={TITLE}")
        page.wait_for_url("**/archives/*/")  # the document, not the catalogue
        assert page.locator("#versions tbody tr").count() == 2
        assert page.locator("#versions a[download]").count() == 2
    document = Document.objects.get(title=TITLE)
    assert document.published_on is not None
    assert [v.note for v in document.versions.order_by("version")] == ["", "更正附件页码"]
