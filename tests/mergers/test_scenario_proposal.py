"""A scenario becomes a change proposal: its operations copied, then approved and executed."""

import pytest

from boundaries.models import DivisionVersion
from mergers.models import DivisionChange

pytestmark = pytest.mark.django_db

DAHE, DAWAN = "520201101", "520201103"
MERGE = {"op": "merge", "townships": [DAHE, DAWAN], "name": "大河镇", "kind": "镇"}
PROPOSAL = {"kind": "merge", "effective_date": "2025-01-01",
            "approval_document": "黔府函〔2024〕9号", "approving_authority": "贵州省人民政府"}


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


@pytest.fixture
def scenario(client, people):
    client.force_login(people["planner"])
    made = post(client, "/api/v1/mergers/scenarios",
                {"title": "钟山区撤并方案", "scope": "520201", "operations": [MERGE]})
    assert made.status_code == 201, made.content
    return made.json()


def test_it_drafts_a_proposal_with_the_scenarios_operations(client, scenario):
    drafted = post(client, f"/api/v1/mergers/scenarios/{scenario['id']}/propose", PROPOSAL)
    body = drafted.json()
    assert drafted.status_code == 201, drafted.content
    assert body["scenario_id"] == scenario["id"]
    assert body["title"] == "钟山区撤并方案"
    assert body["operations"][0]["townships"] == [DAHE, DAWAN]
    assert body["state"] == "draft"


def test_it_carries_a_proposed_scenario_out_through_approval(client, people, scenario):
    cid = post(client, f"/api/v1/mergers/scenarios/{scenario['id']}/propose", PROPOSAL).json()["id"]
    client.force_login(people["approver"])
    assert post(client, f"/api/v1/division-changes/{cid}/approve").status_code == 200
    executed = post(client, f"/api/v1/division-changes/{cid}/execute")
    assert executed.status_code == 200, executed.content
    ended = DivisionVersion.objects.filter(code__startswith=DAHE, level=4).get(
        valid_to__isnull=False)
    assert str(ended.valid_to) == "2025-01-01"
    assert DivisionChange.objects.get(id=cid).state == "executed"


def test_it_lets_only_a_planner_propose_a_scenario(client, people, scenario):
    client.force_login(people["approver"])
    refused = post(client, f"/api/v1/mergers/scenarios/{scenario['id']}/propose", PROPOSAL)
    assert refused.status_code == 403
    assert DivisionChange.objects.count() == 0
