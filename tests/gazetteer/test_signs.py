"""Signs through the API: registered by the office with the sign check's findings, their
states recorded, replaced with the old one's period ended; the history is append-only."""

import json
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, InternalError, connection, transaction

from accounts.services import system_actor
from gazetteer import selectors, services
from gazetteer.models import SignState
from tests.support import inside

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk():
    user, _ = User.objects.get_or_create(username="sign-clerk")
    user.groups.set(Group.objects.filter(name="clerk"))
    return user


@pytest.fixture
def road(make_place):
    place = make_place("东风路", valid_from=date(1990, 1, 1))
    return services.place_rename(place_id=place.id, new_name="凉都大道",
                                 effective_date=date(2012, 1, 1), document_number="",
                                 reason="统一命名", actor=system_actor())


def post(client, user, url, body):
    client.force_login(user)
    return client.post(url, body, content_type="application/json")


def point(code="520201"):
    return json.loads(inside(code).geojson)


def test_it_registers_a_sign_and_returns_the_checks_findings(client, clerk, road):
    response = post(client, clerk, f"/api/v1/places/{road.id}/signs", {
        "location": point(), "text": "东风路", "romanization": "Dongfeng Road",
        "kind": "street", "installed_on": "2013-05-01"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert {f["rule"] for f in body["findings"]} == {"sign_text", "sign_romanization"}
    assert "former name" in next(f for f in body["findings"]
                                 if f["rule"] == "sign_text")["message"]
    assert "road" in next(f for f in body["findings"]
                          if f["rule"] == "sign_romanization")["message"]
    sign = body["sign"]
    assert (sign["code"], sign["shows_former_name"], sign["mismatch"]) == (
        f"{road.id}-01", True, True)
    assert [(s["status"], s["on"], s["actor"]) for s in sign["states"]] == [
        ("installed", "2013-05-01", "sign-clerk")]
    good = post(client, clerk, f"/api/v1/places/{road.id}/signs", {
        "code": "LPS-9", "location": point(), "installed_on": "2013-05-02"}).json()
    assert good["findings"] == []
    assert (good["sign"]["text"], good["sign"]["romanization"]) == ("凉都大道", "Liangdu Dadao")


def test_it_replaces_a_sign_keeping_the_old_one_in_the_history(client, clerk, road):
    post(client, clerk, f"/api/v1/places/{road.id}/signs", {
        "code": "OLD", "location": point(), "text": "东风路", "installed_on": "2005-03-01"})
    response = post(client, clerk, "/api/v1/signs/OLD/replace",
                    {"code": "NEW", "installed_on": "2013-01-01"})
    assert response.status_code == 201, response.content
    new = response.json()
    assert (new["sign"]["replaces"], new["sign"]["text"], new["findings"]) == (
        "OLD", "凉都大道", [])
    assert new["sign"]["location"] == point()
    standing = client.get(f"/api/v1/places/{road.id}/signs").json()["items"]
    assert [s["code"] for s in standing] == ["NEW"]
    every = client.get(f"/api/v1/places/{road.id}/signs?history=1").json()["items"]
    old = next(s for s in every if s["code"] == "OLD")
    assert (old["status"], old["installed_on"], old["removed_on"]) == (
        "removed", "2005-03-01", "2013-01-01")
    assert [s["status"] for s in old["states"]] == ["installed", "removed"]
    assert client.get("/api/v1/signs?flag=former_name").json()["items"] == []
    again = post(client, clerk, "/api/v1/signs/OLD/replace", {"installed_on": "2014-01-01"})
    assert again.status_code == 409
    assert "removed" in again.json()["detail"]


def test_it_records_states_in_order(client, clerk, road):
    post(client, clerk, f"/api/v1/places/{road.id}/signs", {
        "code": "S1", "location": point(), "installed_on": "2015-01-01"})
    damaged = post(client, clerk, "/api/v1/signs/S1/states",
                   {"status": "damaged", "on": "2020-06-01", "note": "被车撞弯"})
    assert damaged.status_code == 200, damaged.content
    assert damaged.json()["status"] == "damaged"
    early = post(client, clerk, "/api/v1/signs/S1/states",
                 {"status": "installed", "on": "2019-01-01"})
    assert early.status_code == 400
    assert "2020-06-01" in early.json()["detail"]
    post(client, clerk, "/api/v1/signs/S1/states", {"status": "removed", "on": "2021-01-01"})
    after = post(client, clerk, "/api/v1/signs/S1/states",
                 {"status": "installed", "on": "2022-01-01"})
    assert after.status_code == 409
    states = client.get(f"/api/v1/places/{road.id}/signs?history=1").json()["items"][0]
    assert [s["status"] for s in states["states"]] == ["installed", "damaged", "removed"]


def test_it_lets_only_the_office_write_signs(client, road):
    applicant, _ = User.objects.get_or_create(username="someone")
    applicant.groups.set(Group.objects.filter(name="applicant"))
    refused = post(client, applicant, f"/api/v1/places/{road.id}/signs",
                   {"location": point(), "installed_on": "2013-05-01"})
    assert refused.status_code == 403
    assert "clerk" in refused.json()["detail"]
    client.logout()
    anonymous = client.post(f"/api/v1/places/{road.id}/signs",
                            {"location": point(), "installed_on": "2013-05-01"},
                            content_type="application/json")
    assert anonymous.status_code == 401
    assert client.get(f"/api/v1/places/{road.id}/signs").status_code == 200


@pytest.mark.parametrize("body, status, word", [
    ({"location": {"type": "LineString", "coordinates": [[104.8, 26.5], [104.9, 26.6]]},
      "installed_on": "2013-05-01"}, 400, "point"),
    ({"location": {"type": "Point", "coordinates": [104.8, 26.5]}}, 400, "installed_on"),
    ({"location": {"type": "Point", "coordinates": [104.8, 26.5]}, "kind": "billboard",
      "installed_on": "2013-05-01"}, 400, "kind"),
])
def test_it_refuses_a_malformed_sign(client, clerk, road, body, status, word):
    response = post(client, clerk, f"/api/v1/places/{road.id}/signs", body)
    assert response.status_code == status
    assert word in response.json()["detail"]


def test_it_refuses_a_sign_for_a_cancelled_place_or_a_taken_code(client, clerk, make_place,
                                                                 road):
    gone = make_place("红旗巷", cls="lane", valid_from=date(1970, 1, 1))
    services.place_cancel(place_id=gone.id, effective_date=date(2008, 1, 1),
                          document_number="", reason="旧城改造", actor=system_actor())
    body = {"code": "T1", "location": point(), "installed_on": "2013-05-01"}
    assert post(client, clerk, f"/api/v1/places/{gone.id}/signs", body).status_code == 409
    assert post(client, clerk, f"/api/v1/places/{road.id}/signs", body).status_code == 201
    assert post(client, clerk, f"/api/v1/places/{road.id}/signs", body).status_code == 409
    assert post(client, clerk, "/api/v1/places/999999/signs", body).status_code == 404


@pytest.mark.as_owner
def test_it_keeps_sign_states_append_only(client, clerk, road):
    post(client, clerk, f"/api/v1/places/{road.id}/signs", {
        "code": "S1", "location": point(), "installed_on": "2015-01-01"})
    state = SignState.objects.get(sign__code="S1")
    for statement in ("UPDATE gazetteer_signstate SET note = 'x' WHERE id = %s",
                      "DELETE FROM gazetteer_signstate WHERE id = %s"):
        with pytest.raises((InternalError, IntegrityError), match="append-only"), \
                transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [state.id])


def test_it_accepts_the_approved_romanization_in_capitals_and_nothing_looser(client, clerk,
                                                                            road):
    approved = road.display_romanization
    answers = {shown: post(client, clerk, f"/api/v1/places/{road.id}/signs", {
        "location": point(), "romanization": shown, "installed_on": "2013-05-01"}).json()
        for shown in (approved.upper(), approved.lower(), approved.replace(" ", ""))}
    capitals, lower, run_together = answers.values()
    assert (capitals["findings"], capitals["sign"]["mismatch"]) == ([], False)
    for wrong in (lower, run_together):
        assert [f["rule"] for f in wrong["findings"]] == ["sign_romanization"]
        assert wrong["sign"]["mismatch"] is True
    listed = set(selectors.signs_mismatched().filter(place=road).values_list("code", flat=True))
    assert listed == {lower["sign"]["code"], run_together["sign"]["code"]}
