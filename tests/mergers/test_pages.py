"""The planners' pages on the demo through Django's client: the sandbox, a simulation, a
scenario saved, compared and proposed, and the proposal's steps by role."""

import re

import pytest
from django.test import Client

from mergers.models import DivisionChange, Scenario

pytestmark = pytest.mark.django_db

DAHE, DAWAN, WANGJIAZHAI = "520201101", "520201103", "520201102"
MERGE = {"county": "520201", "townships": [DAHE, DAWAN], "name": "大河镇", "kind": "镇"}


def page(client, url, status=200, **kw):
    response = client.get(url, **kw)
    assert response.status_code == status, response.content[:400]
    return response.content.decode()


def test_it_lists_the_countys_townships_in_the_sandbox(planner_client):
    html = page(planner_client, "/mergers/?county=520201")
    assert f'value="{DAHE}"' in html
    assert f'value="{DAWAN}"' in html


def test_it_shows_the_clash_of_the_two_daqing_villages(planner_client):
    fragment = planner_client.post("/mergers/simulate", MERGE, HTTP_HX_REQUEST="true")
    clashes = re.search(r'<ul id="clashes">(.*?)</ul>', fragment.content.decode(), re.S)
    assert fragment.status_code == 200
    assert clashes.group(1).count("大箐村") >= 2


def test_it_explains_a_refused_simulation_in_the_fragment(planner_client):
    bad = planner_client.post("/mergers/simulate", MERGE | {"townships": [DAHE]},
                              HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert 'role="alert"' in bad.content.decode()


def test_it_refuses_the_sandbox_to_other_roles(client, people):
    client.force_login(people["clerk"])
    assert client.get("/mergers/").status_code == 403
    client.logout()
    assert client.get("/mergers/").status_code == 302  # to the login page


def test_it_saves_compares_and_proposes_scenarios(planner_client, people):
    first = planner_client.post("/mergers/scenarios/new", MERGE | {"title": "方案甲"})
    second = planner_client.post("/mergers/scenarios/new", MERGE | {
        "townships": [DAHE, WANGJIAZHAI], "name": "汪家寨镇", "title": "方案乙"})
    a, b = Scenario.objects.get(title="方案甲"), Scenario.objects.get(title="方案乙")
    assert first.status_code == second.status_code == 302
    compared = page(planner_client, f"/mergers/compare?ids={a.id}&ids={b.id}")
    assert "方案甲" in compared
    assert "村名冲突数" in compared  # the figure by its name, not its key village_clashes
    assert "village_clashes" not in compared
    proposed = planner_client.post(f"/mergers/scenarios/{a.id}/propose", {
        "kind": "merge", "effective_date": "2025-01-01"})
    change = DivisionChange.objects.get(scenario=a)
    assert proposed.status_code == 302
    assert proposed["Location"] == f"/mergers/changes/{change.id}/"
    assert change.operations[0]["townships"] == [DAHE, DAWAN]


def test_it_offers_each_role_only_its_steps(people, planner_client):
    approver = Client()
    approver.force_login(people["approver"])
    planner_client.post("/mergers/scenarios/new", MERGE | {"title": "方案丙"})
    scenario = Scenario.objects.get(title="方案丙")
    planner_client.post(f"/mergers/scenarios/{scenario.id}/propose", {
        "kind": "merge", "effective_date": "2025-01-01", "approval_document": "黔府函〔2024〕3号",
        "approving_authority": "贵州省人民政府"})
    change = DivisionChange.objects.get(scenario=scenario)
    as_planner = page(planner_client, f"/mergers/changes/{change.id}/")
    as_approver = page(approver, f"/mergers/changes/{change.id}/")
    refused = planner_client.post(f"/mergers/changes/{change.id}/approve")
    approved = approver.post(f"/mergers/changes/{change.id}/approve")
    assert 'id="action-approve"' not in as_planner
    assert 'id="action-approve"' in as_approver
    assert refused.status_code == 403
    assert approved.status_code == 302
    assert DivisionChange.objects.get(id=change.id).state == "approved"


def test_it_lets_the_planner_complete_a_draft_on_its_page(planner_client):
    planner_client.post("/mergers/scenarios/new", MERGE | {"title": "方案丁"})
    scenario = Scenario.objects.get(title="方案丁")
    planner_client.post(f"/mergers/scenarios/{scenario.id}/propose", {
        "kind": "merge", "effective_date": "2025-01-01"})
    change = DivisionChange.objects.get(scenario=scenario)
    draft = page(planner_client, f"/mergers/changes/{change.id}/")
    updated = planner_client.post(f"/mergers/changes/{change.id}/update", {
        "effective_date": "2025-07-01", "approval_document": "黔府函〔2025〕7号",
        "approving_authority": "贵州省人民政府"})
    change.refresh_from_db()
    assert 'id="update-form"' in draft
    assert ">update<" not in draft  # the step's form, not a bare button named by its code
    assert updated.status_code == 302
    assert (str(change.effective_date), change.approval_document,
            change.approving_authority) == ("2025-07-01", "黔府函〔2025〕7号", "贵州省人民政府")
