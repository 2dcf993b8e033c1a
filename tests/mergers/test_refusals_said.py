"""The division change refusals on the planners' pages in the page's language: an
out-of-order step said by its label and the states by theirs, a role by its name; the
API's detail stays English."""

from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from config.errors import BadRequest
from config.said import in_language
from mergers import simulation
from mergers.models import DivisionChange, Scenario
from tests.support import page_in

pytestmark = pytest.mark.django_db

MERGE = {"county": "520201", "townships": ["520201101", "520201103"], "name": "大河镇",
         "kind": "镇"}


def a_draft(planner_client) -> DivisionChange:
    planner_client.post("/mergers/scenarios/new", MERGE | {"title": "方案丁"})
    scenario = Scenario.objects.get(title="方案丁")
    planner_client.post(f"/mergers/scenarios/{scenario.id}/propose", {
        "kind": "merge", "effective_date": "2025-01-01", "approval_document": "黔府函〔2024〕3号",
        "approving_authority": "贵州省人民政府"})
    return DivisionChange.objects.get(scenario=scenario)


def post(client, url, language):
    response = page_in(client, url, language, {})
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("language, said, unsaid", [
    ("zh-hans", ["实施：", "区划变更", "“草案”", "“已批准”"], "possible only when"),
    ("en", ["execute: the division change is draft; this is possible only when it is "
            "approved"], "草案"),
])
def test_it_says_an_out_of_order_step_by_its_label(people, planner_client, language, said,
                                                   unsaid):
    change = a_draft(planner_client)
    approver = Client()
    approver.force_login(people["approver"])
    status, body = post(approver, f"/mergers/changes/{change.id}/execute", language)
    assert status == 409
    for words in said:
        assert words in body
    assert unsaid not in body
    api = approver.post(f"/api/v1/division-changes/{change.id}/execute", {},
                        content_type="application/json")
    assert api.status_code == 409
    assert api.json()["detail"] == ("execute: the division change is draft; this is "
                                    "possible only when it is approved")


def test_it_says_which_role_takes_a_step_in_the_pages_language(people, planner_client):
    change = a_draft(planner_client)
    status, zh = post(planner_client, f"/mergers/changes/{change.id}/approve", "zh-hans")
    assert status == 403
    assert "区划变更的“批准”只限区划审批人角色" in zh
    status, en = post(planner_client, f"/mergers/changes/{change.id}/approve", "en")
    assert "approve of a division change is for the division change approver role" in en
    api = planner_client.post(f"/api/v1/division-changes/{change.id}/approve", {},
                              content_type="application/json")
    assert api.json()["detail"] == "approve of a division change is for the approver role"


def test_it_says_a_county_that_is_none_in_the_pages_language(planner_client):
    planner_client.cookies["django_language"] = "zh-hans"
    zh = planner_client.get("/mergers/?county=5202")
    assert zh.status_code == 400
    assert "县 5202：六盘水市 不是县级行政区划" in zh.content.decode()
    planner_client.cookies["django_language"] = "en"
    en = planner_client.get("/mergers/?county=5202").content.decode()
    assert "county 5202: 六盘水市 is not a county-level division" in en


def test_it_says_every_problem_of_the_townships_in_the_pages_language(demo, db):
    with pytest.raises(BadRequest) as refused:
        simulation.resolve_townships(["520201101", "520201999", "52a"], date(2024, 1, 1))
    english = ("townships: 52a: code '52a': expected 2, 4, 6, 9 or 12 digits (e.g. 520200, "
               "520201 or 520201000000); 520201999: no township has this code")
    assert str(refused.value) == english
    with translation.override("zh-hans"):
        zh = in_language(refused.value.said())
    assert zh == ("乡镇：52a：代码 '52a'：应为 2、4、6、9 或 12 位数字（如 520200、520201 或 "
                  "520201000000）；520201999：没有使用这个代码的乡镇")
    with translation.override("en"):
        assert in_language(refused.value.said()) == english
