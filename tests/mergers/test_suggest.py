"""POST /api/v1/mergers/suggest and the simulate_merger command on the demo's 六盘水."""

import io
import json

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def suggest(client, status=200, **body):
    response = client.post("/api/v1/mergers/suggest", {"prefecture": "5202"} | body,
                           content_type="application/json")
    assert response.status_code == status, response.content
    return response.json()


def test_it_reaches_the_target_with_contiguous_units_and_no_clash(planner_client):
    body = suggest(planner_client, target_townships=87)
    s = body["suggestion"]
    assert s["reached"] and s["units_after"] == 87
    assert body["metrics"]["totals"]["scope"]["after"]["townships"] == 87
    assert s["verified"]["every_unit_contiguous"]
    assert s["verified"]["village_clashes"] == 0
    assert all(u["contiguous"] for u in body["metrics"]["units"])
    assert s["objective"]["worst_seat_distance_m"] > 0 and "greedy" in s["method"]


def test_it_keeps_the_townships_it_is_told_to_keep(planner_client):
    first = suggest(planner_client, target_townships=87)["suggestion"]
    kept = first["operations"][0]["townships"][0]
    again = suggest(planner_client, target_townships=87, keep=[kept])["suggestion"]
    assert again["reached"]
    assert all(kept not in op["townships"] for op in again["operations"])


def test_it_answers_the_same_plan_for_the_same_seed(planner_client):
    one = suggest(planner_client, county="520201", prefecture=None, target_townships=12,
                  seed=7)["suggestion"]
    two = suggest(planner_client, county="520201", prefecture=None, target_townships=12,
                  seed=7)["suggestion"]
    assert one["operations"] == two["operations"] and one["seed"] == 7
    assert one["objective"] == two["objective"]


def test_it_saves_the_plan_as_a_scenario(planner_client):
    body = suggest(planner_client, target_townships=88, save_as="建议方案")
    saved = planner_client.get(f"/api/v1/mergers/scenarios/{body['scenario_id']}").json()
    assert saved["operations"] == body["suggestion"]["operations"]
    assert saved["plan"]["townships_after"] == 88


def test_it_says_min_population_is_not_applied_without_population(planner_client):
    s = suggest(planner_client, target_townships=90, min_population=10_000)["suggestion"]
    assert "not applied" in s["population"]


def test_the_command_answers_json(demo, db):
    out = io.StringIO()
    call_command("simulate_merger", "520201101", "520201103", "--name", "大河镇", "--json",
                 stdout=out)
    unit = json.loads(out.getvalue())["unit"]
    assert any("大箐村" in c["message"] for c in unit["village_clashes"])
    out = io.StringIO()
    call_command("simulate_merger", "--suggest", "5202", "--target", "87", "--json",
                 stdout=out)
    assert json.loads(out.getvalue())["suggestion"]["units_after"] == 87


def test_it_refuses_a_request_without_one_scope_or_beyond_the_townships(planner_client):
    assert "one of county or prefecture" in suggest(
        planner_client, status=400, prefecture=None, target_townships=5)["detail"]
    assert "only 92 townships" in suggest(planner_client, status=400,
                                          target_townships=200)["detail"]
