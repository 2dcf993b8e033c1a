"""Lines due for inspection, the inspection list's filters, and the hazard register."""

import io
from datetime import date

import pytest
from django.db import IntegrityError, transaction

from boundaries.models import BoundaryLine
from boundaries.temporal import add_years
from inspections import services
from inspections.models import HazardChange

pytestmark = pytest.mark.django_db


def post(client, url, body, user):
    client.force_login(user)
    return client.post(url, body, content_type="application/json")


def test_it_lists_lines_not_inspected_for_five_years(client, line, people):
    other = BoundaryLine.objects.filter(level=3, valid_to__isnull=True).exclude(
        pk=line.pk).order_by("id").first()
    long_ago, recently = date(2019, 6, 1), add_years(date.today(), -2)
    services.inspection_record_previous(actor=people["clerk"], line=line, round=3,
                                        completed_on=long_ago)
    services.inspection_record_previous(actor=people["clerk"], line=other, round=1,
                                        completed_on=recently)
    client.force_login(people["clerk"])  # the lists are the office's (and staff, teams)
    body = client.get("/api/v1/boundaries/overdue?level=county&limit=500").json()
    items = {i["line_id"]: i for i in body["items"]}
    lines_in_force = BoundaryLine.objects.filter(level=3, valid_to__isnull=True).count()
    assert body["count"] == lines_in_force - 1
    assert len(items) == body["count"]
    assert other.id not in items
    mine = items[line.id]
    assert mine["due_date"] == add_years(long_ago, 5).isoformat()
    assert mine["overdue_days"] == (date.today() - add_years(long_ago, 5)).days
    assert mine["last_round"] == 3
    assert mine["left_code"] == "520201"
    never = [i for i in body["items"] if i["last_inspected"] is None]
    assert len(never) == lines_in_force - 2
    assert all(i["due_date"] is None for i in never)
    # never inspected first, then the longest overdue
    assert body["items"][-1]["line_id"] == line.id
    assert client.get("/api/v1/boundaries/overdue?level=city").status_code == 400

    planned = services.inspection_plan(actor=people["clerk"], line=line, year=2026,
                                       team_a="钟山区联检组", team_b="水城区联检组")
    again = client.get("/api/v1/boundaries/overdue?level=county&limit=500").json()
    assert {i["line_id"]: i for i in again["items"]}[line.id]["open_inspection"] == {
        "id": planned.id, "state": "planned", "round": 4}
    history = client.get(f"/api/v1/boundaries/{line.id}").json()["properties"]["inspections"]
    assert [(h["round"], h["state"]) for h in history] == [(4, "planned"), (3, "archived")]
    late = client.get("/api/v1/inspections?overdue=true").json()
    assert [i["id"] for i in late["items"]] == [planned.id]
    assert client.get("/api/v1/inspections?overdue=false&state=planned").json()["count"] == 0
    assert client.get(f"/api/v1/inspections?line={line.id}").json()["count"] == 2
    assert client.get("/api/v1/inspections?state=done").status_code == 400
    assert client.get("/api/v1/inspections")["Cache-Control"] == "private, no-store"


@pytest.mark.as_owner  # the trigger itself (the app role may not even try)
def test_it_keeps_the_history_of_a_hazard(client, line, people):
    body = {"line_id": line.id, "lon": 104.86, "lat": 26.61, "description": "采石场越界开采",
            "severity": "high"}
    assert post(client, "/api/v1/hazards", body, people["a1"]).status_code == 403
    created = post(client, "/api/v1/hazards", body, people["clerk"])
    assert created.status_code == 201, created.content
    hid = created.json()["id"]
    assert created.json()["status"] == "open"
    assert created.json()["location"] == [104.86, 26.61]
    for status in ("mediation", "resolved"):
        moved = post(client, f"/api/v1/hazards/{hid}/status",
                     {"status": status, "note": f"→ {status}"}, people["clerk"])
        assert moved.json()["status"] == status
    again = post(client, f"/api/v1/hazards/{hid}/status", {"status": "resolved"},
                 people["clerk"])
    assert again.status_code == 409
    assert post(client, f"/api/v1/hazards/{hid}/status", {"status": "mediation"},
                people["outsider"]).status_code == 403
    assert client.get(f"/api/v1/hazards/{hid}").status_code == 403  # nor may they read it
    client.force_login(people["clerk"])
    history = client.get(f"/api/v1/hazards/{hid}").json()["history"]
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("", "open"), ("open", "mediation"), ("mediation", "resolved")]
    assert client.get(f"/api/v1/hazards?line={line.id}&status=resolved").json()["count"] == 1
    assert client.get(f"/api/v1/hazards?line={line.id}&status=open").json()["count"] == 0
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        HazardChange.objects.filter(hazard_id=hid).delete()


@pytest.mark.parametrize("body, fragment", [
    ({"lon": 104.86, "lat": 26.61, "description": "x", "severity": "high"}, "line_id"),
    ({"lon": 10.0, "lat": 26.61, "description": "x", "severity": "high"}, "location"),
    ({"lon": 104.86, "lat": 26.61, "description": " ", "severity": "high"}, "description"),
    ({"lon": 104.86, "lat": 26.61, "description": "x", "severity": "dire"}, "severity"),
])
def test_it_rejects_malformed_hazards(client, line, people, body, fragment):
    if fragment != "line_id":
        body = body | {"line_id": line.id}
    response = post(client, "/api/v1/hazards", body, people["clerk"])
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_it_plans_through_the_api_with_clear_refusals(client, line, people):
    body = {"line_id": line.id, "year": 2026, "team_a": "钟山区联检组", "team_b": "水城区联检组"}
    assert client.post("/api/v1/inspections", body,
                       content_type="application/json").status_code == 401
    assert post(client, "/api/v1/inspections", body, people["a1"]).status_code == 403
    same = post(client, "/api/v1/inspections", body | {"team_b": "钟山区联检组"}, people["clerk"])
    assert same.status_code == 400
    assert "two different teams" in same.json()["detail"]
    unknown = post(client, "/api/v1/inspections", body | {"team_a": "无此组"}, people["clerk"])
    assert unknown.status_code == 400
    assert "无此组" in unknown.json()["detail"]
    created = post(client, "/api/v1/inspections", body, people["clerk"]).json()
    # the clerk is in neither team, but the office may start the survey too
    assert created["actions"] == ["start_survey"]
    client.force_login(people["a1"])
    assert client.get(f"/api/v1/inspections/{created['id']}").json()["actions"] == [
        "start_survey"]
    bad = post(client, f"/api/v1/inspections/{created['id']}/bless", {}, people["a1"])
    assert bad.status_code == 404
    assert "start_survey" in bad.json()["detail"]
    assert client.get("/api/v1/inspections/999999").status_code == 404


def test_it_answers_a_refused_upload_with_400_and_the_reason(client, line, people):
    inspection = services.inspection_plan(actor=people["clerk"], line=line, year=2026,
                                          team_a="钟山区联检组", team_b="水城区联检组")
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    client.force_login(people["a1"])
    evil = io.BytesIO(b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
                      b"<kml><Placemark><name>&e;</name></Placemark></kml>")
    evil.name = "../../survey.kml"
    response = client.post(f"/api/v1/inspections/{inspection.id}/surveys",
                           {"side": "A", "file": evil})
    assert response.status_code == 400
    assert "DOCTYPE" in response.json()["detail"] or "ENTITY" in response.json()["detail"]
    assert not inspection.uploads.exists()
