"""Refusals of the inspection workflow and of the survey reader reach the pages in the
page's language (zh-hans first, English by the language switch); the API's ``detail``
stays English."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inspections import hazards, services
from inspections.models import SurveyUpload
from tests.support import demo_loaded
from tests.web.workspace_data import zhongshui_inspection

from .test_pages import upload

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def not_a_survey(client, inspection, language):
    client.cookies["django_language"] = language
    return client.post(f"/inspections/{inspection.id}/surveys", {
        "side": "A", "file": SimpleUploadedFile("notes.txt", b"just some notes\n")})


def test_it_says_a_refused_survey_file_on_the_upload_page_in_its_language(client):
    _, inspection, users = zhongshui_inspection()
    services.inspection_start_survey(actor=users["a1"], inspection_id=inspection.id)
    client.force_login(users["a1"])
    chinese, english = not_a_survey(client, inspection, "zh-hans"), \
        not_a_survey(client, inspection, "en")
    api = client.post(f"/api/v1/inspections/{inspection.id}/surveys", {
        "side": "A", "file": SimpleUploadedFile("notes.txt", b"just some notes\n")})
    assert chinese.status_code == english.status_code == api.status_code == 400
    assert "不是可读取的测量成果文件（Shapefile 压缩包、.shp" in chinese.content.decode()
    assert "not a survey file the reader knows" not in chinese.content.decode()
    assert "not a survey file the reader knows (zipped Shapefile" in english.content.decode()
    assert api.json()["detail"].endswith(
        ": not a survey file the reader knows (zipped Shapefile, .shp, GeoPackage, GeoJSON, "
        "KML, KMZ, GPX, DXF or a CSV of marker coordinates)")
    assert not SurveyUpload.objects.filter(inspection=inspection).exists()


def test_it_says_a_forbidden_step_in_the_pages_language_and_english_in_the_api(client,
                                                                             tmp_path):
    line, inspection, users = zhongshui_inspection()
    services.inspection_start_survey(actor=users["a1"], inspection_id=inspection.id)
    mine = upload(users, inspection, line, tmp_path, "a.gpkg")
    client.force_login(users["b1"])
    url = f"/inspections/{inspection.id}/surveys/{mine.id}/withdraw"
    chinese = client.post(url, {"reason": "x"})
    client.cookies["django_language"] = "en"
    english = client.post(url, {"reason": "x"})
    api = client.post(f"/api/v1/inspections/{inspection.id}/surveys/{mine.id}/withdraw",
                      {"reason": "x"}, content_type="application/json")
    assert chinese.status_code == english.status_code == api.status_code == 403
    assert "A方的撤回测量成果由该方联检组 钟山区联检组 的成员办理" in chinese.content.decode()
    assert ("withdrawing a survey for side A is for members of its team 钟山区联检组"
            in english.content.decode())
    assert api.json()["detail"] == ("withdrawing a survey for side A is for members of its "
                                    "team 钟山区联检组")


def test_it_says_a_hazards_status_by_its_label_on_the_page(client):
    line, inspection, users = zhongshui_inspection()
    hazard = hazards.hazard_record(actor=users["a1"], inspection_id=inspection.id,
                                    location=(104.85, 26.55), description="采石场逼近界桩",
                                    severity="medium")
    client.force_login(users["a1"])
    chinese = client.post(f"/hazards/{hazard.id}/status", {"status": "open", "note": ""})
    api = client.post(f"/api/v1/hazards/{hazard.id}/status", {"status": "open"},
                      content_type="application/json")
    assert chinese.status_code == api.status_code == 409
    assert f"纠纷隐患 {hazard.id} 已是“未处理”" in chinese.content.decode()
    assert api.json()["detail"] == f"hazard {hazard.id} is already open"
