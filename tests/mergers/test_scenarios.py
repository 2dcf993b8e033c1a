"""Scenarios: create, list, detail, recompute, delete, by their author; roles; compare."""

import pytest

pytestmark = pytest.mark.django_db

DAHE, DAWAN, WANGJIAZHAI = "520201101", "520201103", "520201102"
URL = "/api/v1/mergers/scenarios"


def create(client, operations, status=201, scope="520201", title="方案"):
    response = client.post(URL, {"title": title, "scope": scope, "operations": operations},
                           content_type="application/json")
    assert response.status_code == status, response.content
    return response.json()


MERGE = {"op": "merge", "townships": [DAHE, DAWAN], "name": "大河镇", "kind": "镇"}


def test_it_creates_a_scenario_with_the_plan_totals(planner_client):
    rename = {"op": "rename", "unit": WANGJIAZHAI, "name": "汪家镇"}
    body = create(planner_client, [MERGE, rename])
    plan = body["metrics"]["plan"]
    assert plan["townships_after"] == plan["townships_before"] - 1
    assert plan["village_clashes"] >= 1 and plan["merged_units"] == 1
    assert body["metrics"]["renames"][0]["to"] == "汪家镇"
    assert body["author"] == "planner" and body["computed_at"]


def test_it_totals_a_whole_prefecture_plan(planner_client):
    merge_sc = {"op": "merge", "townships": ["520204001", "520204002"], "name": "尖山街道",
                "kind": "街道"}
    body = create(planner_client, [MERGE, merge_sc], scope="5202")
    totals = body["metrics"]["totals"]
    assert totals["scope"]["after"]["townships"] == totals["scope"]["before"]["townships"] - 2
    changed = {c["code"][:6] for c in totals["counties"]
               if c["after"]["townships"] != c["before"]["townships"]}
    assert changed == {"520201", "520204"}


def test_it_refuses_an_operation_outside_the_scope(planner_client):
    body = create(planner_client, [{**MERGE, "townships": ["520204001", "520204002"]}],
                  status=400)
    assert "outside the scope 520201" in body["detail"]


def test_it_lists_shows_recomputes_and_deletes_for_its_author(client, people):
    client.force_login(people["planner"])
    made = create(client, [MERGE])
    assert [s["id"] for s in client.get(URL).json()["items"]] == [made["id"]]
    again = client.post(f"{URL}/{made['id']}/recompute").json()
    assert again["computed_at"] >= made["computed_at"]
    client.force_login(people["planner2"])
    assert client.delete(f"{URL}/{made['id']}").status_code == 403
    assert client.post(f"{URL}/{made['id']}/recompute").status_code == 403
    client.force_login(people["approver"])
    assert client.get(f"{URL}/{made['id']}").json()["metrics"]["plan"]["merged_units"] == 1
    create(client, [MERGE], status=403)
    client.force_login(people["planner"])
    assert client.delete(f"{URL}/{made['id']}").status_code == 204
    assert client.get(f"{URL}/{made['id']}").status_code == 404


def test_it_answers_401_to_anonymous_and_403_to_other_roles(client, people):
    assert client.get(URL).status_code == 401
    assert client.get("/api/v1/mergers/compare?ids=1,2").status_code == 401
    client.force_login(people["clerk"])
    assert client.get(URL).status_code == 403
    create(client, [MERGE], status=403)


def test_it_compares_and_names_the_best_on_each_metric(planner_client):
    clashing = create(planner_client, [MERGE], title="clash")
    clean = create(planner_client, [{**MERGE, "townships": [DAHE, WANGJIAZHAI]}],
                   title="clean")
    body = planner_client.get(f"/api/v1/mergers/compare?ids={clashing['id']},{clean['id']}"
                              ).json()
    metrics = {m["metric"]: m for m in body["metrics"]}
    clashes = metrics["village_clashes"]
    assert clashes["values"][0] > clashes["values"][1]
    assert clashes["best"] == [clean["id"]]
    worst = metrics["worst_seat_distance_m"]
    assert worst["best"] == [[clashing["id"], clean["id"]][worst["values"].index(
        min(worst["values"]))]]
    assert metrics["townships_after"]["best"] is None


def test_it_refuses_malformed_compare_ids(planner_client):
    response = planner_client.get("/api/v1/mergers/compare?ids=1,x")
    assert response.status_code == 400 and "ids" in response.json()["detail"]
    assert planner_client.get("/api/v1/mergers/compare?ids=999998,999999").status_code == 404
