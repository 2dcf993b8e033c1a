"""The marker API on the derived 钟水线: register, list and detail as of a date, record a
state, move with its reason; the office's role for writes (401 / 403), 400s that say why."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from pyproj import Transformer

from accounts.services import token_create
from boundaries.lines import boundary_lines_derive
from boundaries.models import BoundaryLine, BoundaryMarker, MarkerState

from .test_markers import SHUICHENG, ZHONGSHAN, distance_m, far_point, off_line, on_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def line(demo_registry) -> BoundaryLine:
    boundary_lines_derive(level=3, commit=True)
    return BoundaryLine.objects.get(left_code=ZHONGSHAN, right_code=SHUICHENG,
                                    valid_to__isnull=True)


@pytest.fixture
def tokens(db) -> dict[str, str]:
    """A clerk (the office), an expert (committee staff, not the office), nobody's token."""
    out = {}
    for name, role in [("clerk", "clerk"), ("expert", "expert")]:
        user = User.objects.create(username=f"marker-{name}")
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        out[name] = token_create(user=user, name="test")[1]
    return out


def post(client, url, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, body, content_type="application/json", **headers)


def body_for(line, number="钟水01", fraction=0.3, **kw) -> dict:
    p = on_line(line, fraction)
    return {"number": number, "type": "single", "lines": [line.id],
            "position": {"lon": p.x, "lat": p.y}, "material": "花岗岩",
            "installed": "2010-05-01", "source": "2010 年界桩成果表"} | kw


def test_it_registers_a_marker_for_the_office(client, line, tokens):
    response = post(client, "/api/v1/markers", body_for(line), tokens["clerk"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["lines"], body["synthetic"]) == ("钟水01", [line.id], False)
    assert body["current"]["status"] == "newly_set"
    assert body["current"]["source"] == "2010 年界桩成果表"
    assert body["current"]["valid_from"] == "2010-05-01"
    stored = MarkerState.objects.get(marker_id=body["id"])
    assert stored.actor.username == "marker-clerk"


def test_it_needs_credentials_and_the_office_role(client, line, tokens):
    assert post(client, "/api/v1/markers", body_for(line)).status_code == 401
    refused = post(client, "/api/v1/markers", body_for(line), tokens["expert"])
    assert refused.status_code == 403
    assert "place-name office" in refused.json()["detail"]
    assert not BoundaryMarker.objects.exists()


def test_it_takes_a_position_in_another_crs(client, line, tokens):
    p = on_line(line, 0.5)
    east, north = Transformer.from_crs(4490, 4523, always_xy=True).transform(p.x, p.y)
    body = body_for(line, position={"lon": east, "lat": north, "crs": 4523})
    response = post(client, "/api/v1/markers", body, tokens["clerk"])
    assert response.status_code == 201, response.content
    lon, lat = response.json()["current"]["position"]["coordinates"]
    assert (lon, lat) == pytest.approx((p.x, p.y), abs=1e-8)


def test_it_refuses_a_datum_that_needs_parameters(client, line, tokens):
    p = on_line(line, 0.5)
    response = post(client, "/api/v1/markers",
                    body_for(line, position={"lon": p.x, "lat": p.y, "crs": 4610}),
                    tokens["clerk"])
    assert response.status_code == 400
    assert "Xian 1980" in response.json()["detail"]


def test_it_names_the_distance_of_a_position_off_its_line(client, line, tokens):
    far = far_point(line)
    response = post(client, "/api/v1/markers",
                    body_for(line, position={"lon": far.x, "lat": far.y}), tokens["clerk"])
    assert response.status_code == 400
    metres = round(distance_m(far, line))
    assert f"is {metres} m from 钟水线" in response.json()["detail"]


@pytest.mark.parametrize(("change", "words"), [
    ({"number": "钟水1"}, "number"), ({"type": "quadruple"}, "type"),
    ({"lines": [0]}, "no border line"), ({"status": "lost"}, "status"),
    ({"installed": "2099-01-01"}, "future"), ({"lines": []}, "lines"),
])
def test_it_says_what_is_wrong_with_a_registration(client, line, tokens, change, words):
    response = post(client, "/api/v1/markers", body_for(line, **change), tokens["clerk"])
    assert response.status_code == 400, response.content
    assert words in response.json()["detail"]


def test_it_refuses_a_number_taken_on_the_line(client, line, tokens):
    assert post(client, "/api/v1/markers", body_for(line), tokens["clerk"]).status_code == 201
    again = post(client, "/api/v1/markers", body_for(line, fraction=0.6), tokens["clerk"])
    assert again.status_code == 400
    assert "already has a marker in service" in again.json()["detail"]


def register(client, line, tokens, **kw) -> dict:
    response = post(client, "/api/v1/markers", body_for(line, **kw), tokens["clerk"])
    assert response.status_code == 201, response.content
    return response.json()


def test_it_records_states_and_answers_them_as_of_a_date(client, line, tokens):
    marker = register(client, line, tokens)
    url = f"/api/v1/markers/{marker['id']}/states"
    for status, on in [("damaged", "2016-03-01"), ("restored", "2018-06-01")]:
        response = post(client, url, {"status": status, "on": on, "note": "联检"},
                        tokens["clerk"])
        assert response.status_code == 201, response.content
    now = client.get(f"/api/v1/markers/{marker['id']}").json()
    assert [h["status"] for h in now["history"]] == ["newly_set", "damaged", "restored"]
    assert now["current"]["status"] == "restored"
    then = client.get(f"/api/v1/markers/{marker['id']}?as_of=2017-01-01").json()
    assert then["current"]["status"] == "damaged"
    assert len(then["history"]) == 2
    before = client.get(f"/api/v1/markers?line={line.id}&as_of=2009-12-31").json()
    assert before["count"] == 0


def test_it_sets_a_restored_marker_where_it_was_registered(client, line, tokens):
    marker = register(client, line, tokens)
    found = off_line(line, 0.3, 30)
    url = f"/api/v1/markers/{marker['id']}/states"
    displaced = post(client, url, {"status": "displaced", "on": "2016-03-01",
                                   "position": {"lon": found.x, "lat": found.y}},
                     tokens["clerk"])
    assert displaced.json()["current"]["position"]["coordinates"] == pytest.approx(
        [found.x, found.y])
    restored = post(client, url, {"status": "restored", "on": "2017-03-01"}, tokens["clerk"])
    assert restored.json()["current"]["position"] == marker["current"]["position"]


def test_it_refuses_a_new_position_outside_a_move(client, line, tokens):
    marker = register(client, line, tokens)
    p = off_line(line, 0.3, 20)
    response = post(client, f"/api/v1/markers/{marker['id']}/states",
                    {"status": "intact", "on": "2016-03-01",
                     "position": {"lon": p.x, "lat": p.y}}, tokens["clerk"])
    assert response.status_code == 400
    assert "move" in response.json()["detail"]
    relocated = post(client, f"/api/v1/markers/{marker['id']}/states",
                     {"status": "relocated", "on": "2016-03-01"}, tokens["clerk"])
    assert relocated.status_code == 400
    assert "reason" in relocated.json()["detail"]


def test_it_moves_a_marker_as_a_new_state_with_its_reason(client, line, tokens):
    marker = register(client, line, tokens)
    first = MarkerState.objects.get(marker_id=marker["id"])
    to = off_line(line, 0.3, 25)
    url = f"/api/v1/markers/{marker['id']}/move"
    move = {"position": {"lon": to.x, "lat": to.y}, "on": "2020-07-01",
            "reason": "公路改线，双方同意移设"}
    assert post(client, url, move | {"reason": ""}, tokens["clerk"]).status_code == 400
    assert post(client, url, move, tokens["expert"]).status_code == 403
    response = post(client, url, move, tokens["clerk"])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["current"]["status"] == "relocated"
    assert body["current"]["note"] == "公路改线，双方同意移设"
    assert body["current"]["position"]["coordinates"] == pytest.approx([to.x, to.y])
    # the old state is the same row, ended, its position untouched
    first_now = MarkerState.objects.get(pk=first.pk)
    assert first_now.valid_to == date(2020, 7, 1)
    assert first_now.position.equals_exact(first.position, 0)
    far = far_point(line)
    too_far = post(client, url, move | {"position": {"lon": far.x, "lat": far.y},
                                        "on": "2021-01-01"}, tokens["clerk"])
    assert too_far.status_code == 400
    assert "m from 钟水线" in too_far.json()["detail"]
    same = post(client, url, move | {"on": "2021-01-01"}, tokens["clerk"])
    assert same.status_code == 400
    assert "already stands" in same.json()["detail"]


def test_it_lists_markers_by_line_and_division(client, line, tokens):
    register(client, line, tokens, number="钟水02", fraction=0.6)
    register(client, line, tokens, number="钟水01", fraction=0.2)
    by_line = client.get(f"/api/v1/markers?line={line.id}").json()
    assert by_line["count"] == 2
    assert [m["number"] for m in by_line["items"]] == ["钟水01", "钟水02"]
    by_division = client.get("/api/v1/markers?division=520201").json()
    assert [m["number"] for m in by_division["items"]] == ["钟水01", "钟水02"]
    other = client.get("/api/v1/markers?division=520281").json()  # 盘州市: not on 钟水线
    assert other["count"] == 0
    assert client.get("/api/v1/markers?division=529999").status_code == 404
    assert client.get("/api/v1/markers?line=0").status_code == 404
    assert client.get("/api/v1/markers/0").status_code == 404
