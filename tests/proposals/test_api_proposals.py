"""The proposals API: authentication (session, hashed tokens), 401/403/404/409, timeline."""

from datetime import date, timedelta

import pytest

from accounts.models import ApiToken
from accounts.services import token_create

from .support import drive

pytestmark = pytest.mark.django_db

NEW = {"kind": "naming", "name": "凉都大道", "class": "road", "division_code": "520201"}


def post(client, url, body, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url, body, content_type="application/json", **headers)


@pytest.fixture
def tokens(staff):
    return {name: token_create(user=user, name="test")[1] for name, user in staff.items()}


def test_it_needs_authentication(client, staff):
    assert post(client, "/api/v1/proposals", NEW).status_code == 401
    assert client.get("/api/v1/proposals").status_code == 401
    assert post(client, "/api/v1/proposals", NEW, token="forged").status_code == 401


def test_it_stores_tokens_hashed_and_honours_revocation(client, staff):
    token, plain = token_create(user=staff["applicant"], name="cli")
    stored = ApiToken.objects.get(id=token.id)
    assert plain not in (stored.digest, stored.prefix * 2)
    assert len(stored.digest) == 64
    assert post(client, "/api/v1/proposals", NEW, token=plain).status_code == 201
    ApiToken.objects.filter(id=token.id).update(revoked=True)
    assert post(client, "/api/v1/proposals", NEW, token=plain).status_code == 401


def test_it_runs_a_proposal_through_the_api(client, staff, tokens):
    created = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"])
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "submitted"
    assert body["findings"] == []
    assert body["actions"] == []
    pid = body["id"]
    accepted = post(client, f"/api/v1/proposals/{pid}/accept", {}, token=tokens["clerk"]).json()
    assert accepted["state"] == "accepted"
    assert "start_review" in accepted["actions"]
    client.force_login(staff["clerk"])  # a session works as well as a token
    detail = client.get(f"/api/v1/proposals/{pid}").json()
    assert [t["action"] for t in detail["timeline"]] == ["submit", "accept"]
    assert detail["timeline"][1]["actor"] == "clerk"


def test_it_answers_403_for_the_wrong_role_and_409_out_of_order(client, staff, tokens):
    pid = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"]).json()["id"]
    wrong_role = post(client, f"/api/v1/proposals/{pid}/accept", {}, token=tokens["expert1"])
    assert wrong_role.status_code == 403
    assert "clerk" in wrong_role.json()["detail"]
    early = post(client, f"/api/v1/proposals/{pid}/approve", {}, token=tokens["chair"])
    assert early.status_code == 409
    assert "submitted" in early.json()["detail"]
    unknown = post(client, f"/api/v1/proposals/{pid}/bless", {}, token=tokens["chair"])
    assert unknown.status_code == 400
    assert "bless" in unknown.json()["detail"]


def test_it_refuses_approval_during_the_consultation_with_409(client, staff, tokens):
    from proposals.models import Proposal

    pid = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"]).json()["id"]
    drive(Proposal.objects.get(id=pid), "consultation", staff, today_in_consultation=True)
    response = post(client, f"/api/v1/proposals/{pid}/approve", {}, token=tokens["chair"])
    assert response.status_code == 409
    assert "consultation" in response.json()["detail"]


def test_it_shows_applicants_only_their_own_proposals(client, staff, tokens):
    from django.contrib.auth.models import Group, User

    other = User.objects.create(username="other")
    other.groups.add(Group.objects.get(name="applicant"))
    theirs = token_create(user=other, name="t")[1]
    pid = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"]).json()["id"]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {theirs}"}
    assert client.get(f"/api/v1/proposals/{pid}", **headers).status_code == 404
    assert client.get("/api/v1/proposals", **headers).json()["count"] == 0
    clerk = {"HTTP_AUTHORIZATION": f"Bearer {tokens['clerk']}"}
    listed = client.get("/api/v1/proposals?state=submitted&division=5202", **clerk).json()
    assert [p["id"] for p in listed["items"]] == [pid]


@pytest.mark.parametrize("body, status, fragment", [
    ({**NEW, "class": "castle"}, 400, "castle"),
    ({**NEW, "division_code": "52x"}, 400, "code"),
    ({**NEW, "name": " "}, 400, "name"),
    ({"kind": "renaming", "name": "新路", "place_id": 999999}, 400, "place_id"),
    ({**NEW, "kind": "merge"}, 400, "kind"),
    ({**NEW, "geometry": {"type": "Point", "coordinates": "x"}}, 400, "geometry"),
    ({**NEW, "reason": "因为\u0000"}, 400, "control character"),
    ({**NEW, "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1],
                                                              [0, 0]]]}}, 400, "invalid"),
    ({**NEW, "geometry": {"type": "Point", "coordinates": [500000, 3000000]}}, 400, "longitude"),
])
def test_it_rejects_malformed_proposals(client, staff, tokens, body, status, fragment):
    response = post(client, "/api/v1/proposals", body, token=tokens["applicant"])
    assert response.status_code == status, response.content
    assert fragment in response.json()["detail"]


def test_it_returns_the_checks_findings_with_the_proposal(client, staff, tokens):
    body = post(client, "/api/v1/proposals", {**NEW, "name": "维也纳花园路"},
                token=tokens["applicant"]).json()
    assert body["blocking"] >= 1
    assert any(f["rule"] == "banned_pattern" for f in body["findings"])


def test_it_lists_consultation_dates_and_votes(client, staff, tokens):
    from proposals.models import Proposal

    pid = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"]).json()["id"]
    drive(Proposal.objects.get(id=pid), "approved", staff)
    body = client.get(f"/api/v1/proposals/{pid}",
                      HTTP_AUTHORIZATION=f"Bearer {tokens['chair']}").json()
    assert body["state"] == "approved"
    assert len(body["votes"]) == 3
    assert len(body["opinions"]) == 3
    assert date.fromisoformat(body["consultation_end"]) < date.today() + timedelta(days=1)
    published = post(client, f"/api/v1/proposals/{pid}/publish",
                     {"announcement_number": "公告9号", "announcement_date": str(date.today())},
                     token=tokens["clerk"]).json()
    assert published["state"] == "published"
    assert published["published_place_id"]
    place = client.get(f"/api/v1/places/{published['published_place_id']}").json()
    assert place["name"] == "凉都大道"
    assert place["romanization"] == "Liangdu Dadao"


def test_it_lists_open_consultations_to_anyone(client, staff, tokens):
    from proposals.models import Proposal

    pid = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"]).json()["id"]
    other = post(client, "/api/v1/proposals", {**NEW, "name": "荷城路"},
                 token=tokens["applicant"]).json()["id"]
    drive(Proposal.objects.get(id=pid), "consultation", staff, today_in_consultation=True)
    drive(Proposal.objects.get(id=other), "consultation", staff)  # its period is over
    body = client.get("/api/v1/consultations").json()
    assert [(c["id"], c["name"]) for c in body] == [(pid, "凉都大道")]
    assert client.get("/api/v1/consultations?division=4419").json() == []
    assert client.get("/api/v1/consultations?division=x").status_code == 400


def test_it_lets_a_user_make_list_and_revoke_their_tokens(client, staff, tokens):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['clerk']}"}
    made = client.post("/api/v1/tokens", {"name": "gis"}, content_type="application/json",
                       **auth)
    assert made.status_code == 201
    plain = made.json()["token"]
    assert made.json()["prefix"] == plain[:8]
    listed = client.get("/api/v1/tokens", **auth).json()
    assert {t["name"] for t in listed} == {"test", "gis"}
    assert "token" not in listed[0]
    revoked = client.post(f"/api/v1/tokens/{made.json()['id']}/revoke", **auth)
    assert revoked.json()["revoked"] is True
    assert client.get("/api/v1/tokens", HTTP_AUTHORIZATION=f"Bearer {plain}").status_code == 401
    other = client.post(f"/api/v1/tokens/{made.json()['id']}/revoke",
                        HTTP_AUTHORIZATION=f"Bearer {tokens['chair']}")
    assert other.status_code == 404  # not the chair's token


def test_it_publishes_a_proposal_with_its_geometry(client, staff, tokens, lps_polygons):
    from proposals.models import Proposal
    from tests.support import inside

    p = inside("520204")
    body = {**NEW, "division_code": "520204",
            "geometry": {"type": "LineString", "coordinates": [[p.x, p.y], [p.x + 0.01, p.y]]}}
    pid = post(client, "/api/v1/proposals", body, token=tokens["applicant"]).json()["id"]
    drive(Proposal.objects.get(id=pid), "published", staff)
    place_id = Proposal.objects.get(id=pid).published_place_id
    place = client.get(f"/api/v1/places/{place_id}").json()
    assert place["geometry"]["type"] == "LineString"
    assert "520204000000" in {d["code"] for d in place["divisions"]}


def test_it_keeps_authenticated_answers_out_of_shared_caches(client, staff, tokens):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['clerk']}"}
    pid = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"]).json()["id"]
    for url in ("/api/v1/proposals", f"/api/v1/proposals/{pid}", "/api/v1/tokens"):
        response = client.get(url, **auth)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
    assert "public" in client.get("/api/v1/consultations")["Cache-Control"]


def test_it_offers_no_actions_to_a_read_scope_token(client, staff, tokens):
    pid = post(client, "/api/v1/proposals", NEW, token=tokens["applicant"]).json()["id"]
    post(client, f"/api/v1/proposals/{pid}/accept", {}, token=tokens["clerk"])
    _, read_only = token_create(user=staff["clerk"], name="viewer", scope="read")
    read = client.get(f"/api/v1/proposals/{pid}", HTTP_AUTHORIZATION=f"Bearer {read_only}")
    full = client.get(f"/api/v1/proposals/{pid}", HTTP_AUTHORIZATION=f"Bearer {tokens['clerk']}")
    assert read.status_code == 200
    assert read.json()["actions"] == []
    assert "start_review" in full.json()["actions"]
