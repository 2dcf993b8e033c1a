"""Proposals filed and filtered by six-digit GB/T 2260 codes of prefectures and provinces."""

import pytest

from accounts.services import token_create
from proposals.models import Proposal

from .support import drive

pytestmark = pytest.mark.django_db

NEW = {"kind": "naming", "name": "凉都大道", "class": "road"}


def post(client, body, token):
    return client.post("/api/v1/proposals", body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def token(staff):
    return token_create(user=staff["applicant"], name="test")[1]


@pytest.mark.parametrize("code, stored", [("520200", "520200000000"), ("5202", "520200000000"),
                                          ("520201", "520201000000"),
                                          ("520201011", "520201011000")])
def test_it_files_a_proposal_under_any_form_of_a_code_and_stores_12_digits(client, token,
                                                                           code, stored):
    response = post(client, NEW | {"division_code": code}, token)
    assert response.status_code == 201, response.content
    assert Proposal.objects.get(id=response.json()["id"]).division_code == stored


@pytest.mark.parametrize("division", ["520200", "5202", "520000", "52", "520200000000"])
def test_it_lists_proposals_and_consultations_under_a_six_digit_code(client, staff, token,
                                                                     division):
    pid = post(client, NEW | {"division_code": "520201"}, token).json()["id"]
    drive(Proposal.objects.get(id=pid), "consultation", staff, today_in_consultation=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/v1/proposals", {"division": division}, **auth)
    assert listed.status_code == 200, listed.content
    assert [p["id"] for p in listed.json()["items"]] == [pid]
    open_ = client.get("/api/v1/consultations", {"division": division})
    assert [c["id"] for c in open_.json()] == [pid]


@pytest.mark.parametrize("division", ["529900", "5299", "520299", "999999999"])
def test_it_answers_an_unknown_division_filter_with_404_naming_it(client, token, division):
    post(client, NEW | {"division_code": "520201"}, token)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for url, headers in (("/api/v1/proposals", auth), ("/api/v1/consultations", {})):
        response = client.get(url, {"division": division}, **headers)
        assert response.status_code == 404, (url, response.content)
        assert division in response.json()["detail"]
