"""A side withdraws its survey or replaces it by a corrected file, with history, until the
inspection is accepted: marker duplicates are judged within each side's current survey,
a replacement voids a lone signature, only the side's team may do it (403), and not once
both sides have signed (409). Surveys are never deleted."""

import pytest
from django.db import IntegrityError, transaction

from config.errors import BadRequest, Conflict, Forbidden
from inspections import reconciling, services
from inspections.models import State, SurveyUpload

from .support import line_in_gk, write_gpkg
from .test_flow import post, upload
from .test_rules import at_registered, planned, survey, surveyed

pytestmark = pytest.mark.django_db


def test_it_judges_duplicates_within_the_current_survey_only(client, tmp_path, line, markers,
                                                             people):
    """The issue's case: a corrected second file of the same side made every marker it
    shares with the first a duplicate; withdrawn or replaced, the first no longer counts."""
    parts = line_in_gk(line)
    wrong = at_registered(markers, {"钟水02": (6.0, 0.0)})
    right = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, wrong, parts, right, parts)
    assert inspection.results["summary"]["verdicts"] == {"disputed": 1, "intact": 3}
    first = inspection.uploads.get(side="A")
    # both files confirmed: every marker A surveyed twice is a duplicate
    second = survey(inspection, "A", write_gpkg(tmp_path / "a2.gpkg", right, None),
                    people["a1"])
    results = reconciling.inspection_reconcile(actor=people["b1"],
                                            inspection_id=inspection.id).results
    assert results["summary"]["duplicates"] == sorted(markers)
    # A withdraws the first file through the API: the second alone is A's survey
    url = f"/api/v1/inspections/{inspection.id}/surveys/{first.id}/withdraw"
    assert post(client, url, {"reason": "钟水02 测错"}, people["b1"]).status_code == 403
    withdrawn = post(client, url, {"reason": "钟水02 测错"}, people["a1"])
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json() | {"status": "withdrawn", "withdrawn_by": "a1",
                               "withdrawal_reason": "钟水02 测错"} == withdrawn.json()
    assert post(client, url, {"reason": "again"}, people["a1"]).status_code == 409
    results = reconciling.inspection_reconcile(actor=people["b1"],
                                            inspection_id=inspection.id).results
    assert results["summary"]["duplicates"] == []
    assert results["summary"]["verdicts"] == {"intact": 4}
    # A withdrew its line with the first file: there is no line of A to compare now
    assert set(results["line"]) == {"B"}
    detail = client.get(f"/api/v1/inspections/{inspection.id}").json()
    assert {u["id"]: u["status"] for u in detail["uploads"]} == {
        first.id: "withdrawn", second.id: "confirmed",
        inspection.uploads.get(side="B").id: "confirmed"}
    [note] = [t for t in detail["transitions"] if t["action"] == "withdraw_survey"]
    assert note["actor"] == "a1"
    assert "钟水02 测错" in note["note"]
    assert SurveyUpload.objects.filter(pk=first.pk).exists()  # kept, with its features
    assert first.features.count() == len(markers) + 1


def test_it_replaces_a_survey_and_voids_the_signature_given(client, tmp_path, line, markers,
                                                            people):
    parts = line_in_gk(line)
    wrong = at_registered(markers, {"钟水02": (6.0, 0.0)})
    right = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, wrong, parts, right, parts)
    old = inspection.uploads.get(side="A")
    services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")
    client.force_login(people["a1"])
    assert "replace_survey" in client.get(
        f"/api/v1/inspections/{inspection.id}").json()["actions"]
    preview = upload(client, inspection.id, "A",
                     write_gpkg(tmp_path / "a-corrected.gpkg", right, parts), people["a1"])
    new_id = preview.json()["id"]
    url = f"/api/v1/inspections/{inspection.id}/surveys/{old.id}/replace"
    body = {"replacement_id": new_id, "reason": "钟水02 复测"}
    assert post(client, url, body, people["b1"]).status_code == 403
    assert post(client, url, {"replacement_id": inspection.uploads.get(side="B").id},
                people["a1"]).status_code == 400  # the other side's upload
    replaced = post(client, url, body, people["a1"])
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["status"], replaced.json()["replaces"]) == ("confirmed", old.id)
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id, old.withdrawn_by) == ("superseded", new_id,
                                                                  people["a1"])
    # B had signed the results the old file gave: B's signature is void
    inspection.refresh_from_db()
    assert (inspection.state, inspection.signed_b_at, inspection.results) == (
        State.RECONCILING, None, {})
    void = inspection.transitions.get(action="void_signature")
    assert "side B" in void.note
    assert "a-corrected.gpkg" in void.note
    assert post(client, url, body, people["a1"]).status_code == 409  # superseded already
    results = reconciling.inspection_reconcile(actor=people["a1"],
                                            inspection_id=inspection.id).results
    assert results["summary"]["verdicts"] == {"intact": 4}
    assert results["summary"]["duplicates"] == []
    services.inspection_sign(actor=people["a1"], inspection_id=inspection.id, side="A")
    services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")
    # accepted: the surveys are what both sides signed
    late = post(client, f"/api/v1/inspections/{inspection.id}/surveys/{new_id}/withdraw",
                {"reason": "too late"}, people["a1"])
    assert late.status_code == 409
    assert "signed" in late.json()["detail"]
    assert "withdraw_survey" not in client.get(
        f"/api/v1/inspections/{inspection.id}").json()["actions"]


def test_it_lets_only_the_sides_team_withdraw_and_asks_why(tmp_path, line, markers, people):
    inspection = planned(line, people)
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    mine = survey(inspection, "A", write_gpkg(tmp_path / "a.gpkg", at_registered(markers),
                                              None), people["a1"])
    for who in ("b1", "clerk", "outsider"):
        with pytest.raises(Forbidden):
            services.survey_withdraw(actor=people[who], upload_id=mine.id, reason="wrong")
    with pytest.raises(BadRequest, match="reason"):
        services.survey_withdraw(actor=people["a1"], upload_id=mine.id, reason="  ")
    preview = services.survey_upload(actor=people["a1"], inspection_id=inspection.id,
                                     side="A", path=tmp_path / "a.gpkg")
    with pytest.raises(Conflict, match="preview"):
        services.survey_replace(actor=people["a1"], upload_id=preview.id,
                                replacement_id=mine.id)
    services.survey_withdraw(actor=people["a1"], upload_id=preview.id, reason="not this one")
    with pytest.raises(Conflict, match="withdrawn"):
        services.survey_confirm(actor=people["a1"], upload_id=preview.id)
    with pytest.raises(Conflict, match="withdrawn"):
        services.survey_replace(actor=people["a1"], upload_id=mine.id,
                                replacement_id=preview.id)
    assert [t.action for t in inspection.transitions.order_by("at", "id")] == [
        "plan", "start_survey", "confirm_survey", "withdraw_survey"]


def test_it_keeps_a_confirmed_survey_and_its_withdrawal_as_written(tmp_path, line, markers,
                                                                   people):
    inspection = planned(line, people)
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    mine = survey(inspection, "A", write_gpkg(tmp_path / "a.gpkg", at_registered(markers),
                                              None), people["a1"])
    services.survey_withdraw(actor=people["a1"], upload_id=mine.id, reason="wrong datum")
    rows = SurveyUpload.objects.filter(pk=mine.pk)
    for change in ({"withdrawal_reason": "rewritten"},
                   {"withdrawn_at": None, "withdrawn_by": None},
                   {"confirmed": False, "confirmed_at": None}):
        with pytest.raises(IntegrityError, match="kept"), transaction.atomic():
            rows.update(**change)
    with pytest.raises(IntegrityError, match="kept"), transaction.atomic():
        mine.features.all().delete()
    with pytest.raises(IntegrityError, match="kept"), transaction.atomic():
        rows.delete()
    assert rows.get().withdrawal_reason == "wrong datum"
