"""The change proposal workflow through the API: who may take each step (401, 403), in
which order (409), transitions recorded and append-only, next actions from the table."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from accounts.services import system_actor
from mergers import changes
from mergers.models import ChangeTransition, DivisionChange
from mergers.transitions import MACHINE

from .conftest import EFFECTIVE

URL = "/api/v1/division-changes"
RENAME = {"title": "保华镇更名", "kind": "rename", "effective_date": EFFECTIVE.isoformat(),
          "operations": [{"op": "rename", "unit": "520201105", "name": "保华新镇"}]}
DOCUMENT = {"approval_document": "黔府函〔2024〕3号", "approving_authority": "贵州省人民政府"}


def post(client, url, body, user=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.post(url, body, content_type="application/json")


def draft(client, people, **extra) -> int:
    response = post(client, URL, RENAME | extra, people["planner"])
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_it_asks_for_a_signed_in_user(demo, client, db):
    assert post(client, URL, RENAME).status_code == 401
    assert client.get(URL).status_code == 401


def test_it_lets_only_a_planner_draft_and_only_an_approver_approve_and_execute(
        demo, client, people):
    assert post(client, URL, RENAME | DOCUMENT, people["approver"]).status_code == 403
    assert post(client, URL, RENAME | DOCUMENT, people["clerk"]).status_code == 403
    cid = draft(client, people, **DOCUMENT)
    refused = post(client, f"{URL}/{cid}/approve", {}, people["planner"])
    assert refused.status_code == 403 and "approver" in refused.json()["detail"]
    assert post(client, f"{URL}/{cid}/approve", {}, people["approver"]).status_code == 200
    assert post(client, f"{URL}/{cid}/execute", {}, people["planner"]).status_code == 403
    assert post(client, f"{URL}/{cid}/withdraw", {}, people["planner"]).status_code == 403
    done = post(client, f"{URL}/{cid}/execute", {"note": "按批复实施"}, people["approver"])
    assert done.status_code == 200 and done.json()["state"] == "executed"
    assert done.json()["result"]["events"]


def test_it_refuses_steps_out_of_order(demo, client, people):
    cid = draft(client, people, **DOCUMENT)
    out_of_order = post(client, f"{URL}/{cid}/execute", {}, people["approver"])
    assert out_of_order.status_code == 409 and "draft" in out_of_order.json()["detail"]
    assert post(client, f"{URL}/{cid}/withdraw", {}, people["planner"]).status_code == 200
    assert post(client, f"{URL}/{cid}/approve", {}, people["approver"]).status_code == 409
    client.force_login(people["planner"])
    assert client.patch(f"{URL}/{cid}", {"title": "x"},
                        content_type="application/json").status_code == 409


def test_it_wants_the_approval_document_before_approval(demo, client, people):
    cid = draft(client, people)
    refused = post(client, f"{URL}/{cid}/approve", {}, people["approver"])
    assert refused.status_code == 409 and "批准文号" in refused.json()["detail"]
    client.force_login(people["planner"])
    assert client.patch(f"{URL}/{cid}", DOCUMENT,
                        content_type="application/json").status_code == 200
    assert post(client, f"{URL}/{cid}/approve", {}, people["approver"]).status_code == 200


def test_it_refuses_a_malformed_operation(demo, client, people):
    bad = RENAME | {"operations": [{"op": "merge", "townships": ["520201101"], "name": "x",
                                    "kind": "镇"}]}
    response = post(client, URL, bad, people["planner"])
    assert response.status_code in (400, 422)


def test_it_records_every_transition_and_offers_what_it_enforces(demo, client, people):
    cid = draft(client, people, **DOCUMENT)
    client.force_login(people["planner"])
    assert client.get(f"{URL}/{cid}").json()["actions"] == ["update", "withdraw"]
    post(client, f"{URL}/{cid}/approve", {}, people["approver"])
    body = client.get(f"{URL}/{cid}").json()
    assert body["actions"] == ["execute", "withdraw"]
    post(client, f"{URL}/{cid}/execute", {}, people["approver"])
    body = client.get(f"{URL}/{cid}").json()
    assert [(t["action"], t["from_state"], t["to_state"], t["actor"])
            for t in body["transitions"]] == [
        ("create", "", "draft", people["planner"].username),
        ("approve", "draft", "approved", people["approver"].username),
        ("execute", "approved", "executed", people["approver"].username)]
    assert body["actions"] == []
    change = DivisionChange.objects.get(pk=cid)
    for user in people.values():
        offered = set(changes.next_actions(user, change))
        assert offered <= set(MACHINE.actions)


def test_it_keeps_the_transitions_append_only(demo, db, people):
    change = changes.division_change_create(actor=people["planner"], **{
        k: v for k, v in RENAME.items() if k != "effective_date"}, effective_date=EFFECTIVE)
    row = ChangeTransition.objects.get(change=change)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE mergers_changetransition SET note = 'rewritten' WHERE id = %s",
                    [row.id])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM mergers_changetransition WHERE id = %s", [row.id])


@pytest.mark.as_owner
def test_it_refuses_even_the_owner_an_edit_of_a_transition(demo, db):
    actor = system_actor()
    change = changes.division_change_create(actor=actor, effective_date=EFFECTIVE, **{
        k: v for k, v in RENAME.items() if k != "effective_date"})
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cur:
        cur.execute("UPDATE mergers_changetransition SET note = 'x' WHERE change_id = %s",
                    [change.id])
