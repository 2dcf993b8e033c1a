"""Reconciling is a background job: the API answers 202 with the job and the page sends the
browser to the job's page; the inspection moves on only when the job has run, with its
steps as progress; a job that fails leaves the inspection and its rows as they were and
says why; the job's page sends the browser on to the result (htmx HX-Redirect)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from inspections import reconciling, services
from inspections.models import InspectionTransition, State
from inspections.reconcile import STEPS
from jobs.models import Job, JobState
from tests.support import run_job

from .support import line_in_gk, write_gpkg
from .test_flow import post
from .test_rules import at_registered, planned, survey

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready(tmp_path, line, markers, people):
    """An inspection with both sides' surveys confirmed, not yet reconciled."""
    inspection = planned(line, people)
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    points, parts = at_registered(markers, {"钟水02": (3.0, 0.0)}), line_in_gk(line)
    survey(inspection, "A", write_gpkg(tmp_path / "a.gpkg", points, parts), people["a1"])
    survey(inspection, "B", write_gpkg(tmp_path / "b.gpkg", points, parts), people["b1"])
    inspection.refresh_from_db()
    return inspection


def unchanged(inspection) -> tuple:
    inspection.refresh_from_db()
    return (inspection.state, inspection.results, inspection.reconciled_at,
            InspectionTransition.objects.filter(inspection=inspection).count())


def test_it_answers_202_and_reconciles_only_when_the_job_runs(client, ready, people):
    before = unchanged(ready)
    answer = post(client, f"/api/v1/inspections/{ready.id}/reconcile", {"note": "第一次"},
                  people["b1"])
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert (body["kind"], body["state"]) == (reconciling.KIND, "queued")
    assert answer["Location"] == f"/api/v1/jobs/{body['id']}"
    assert unchanged(ready) == before
    assert before[0] == State.SURVEYING and before[1] == {}

    job = run_job(body["id"])
    assert job.state == JobState.SUCCEEDED, job.error
    ready.refresh_from_db()
    assert ready.state == State.RECONCILING
    assert ready.results["summary"]["verdicts"] == {"displaced": 1, "intact": 3}
    assert job.result["state"] == State.RECONCILING
    assert job.result["summary"] == ready.results["summary"]
    last = ready.transitions.order_by("-id").first()
    assert (last.action, last.to_state, last.note, last.actor) == (
        "reconcile", State.RECONCILING, "第一次", people["b1"])
    follow = client.get(answer["Location"]).json()
    assert (follow["state"], follow["percent"]) == ("succeeded", 100.0)


def test_it_refuses_at_once_and_queues_nothing(client, people, ready):
    url = f"/api/v1/inspections/{ready.id}/reconcile"
    assert post(client, url, {}, people["outsider"]).status_code == 403
    services.survey_withdraw(actor=people["b1"], upload_id=ready.uploads.get(side="B").id,
                             reason="测错")
    refused = post(client, url, {}, people["a1"])
    assert refused.status_code == 409
    assert "no confirmed survey of side B" in refused.json()["detail"]
    assert not Job.objects.filter(kind=reconciling.KIND).exists()


def test_it_refuses_a_second_reconciliation_while_one_is_queued(client, ready, people):
    url = f"/api/v1/inspections/{ready.id}/reconcile"
    first = post(client, url, {}, people["a1"])
    assert first.status_code == 202, first.content
    second = post(client, url, {}, people["b1"])
    assert second.status_code == 409
    assert f"job {first.json()['id']}" in second.json()["detail"]
    assert Job.objects.filter(kind=reconciling.KIND).count() == 1
    # one a dead worker left behind does not block for ever
    Job.objects.filter(id=first.json()["id"]).update(
        created_at=timezone.now() - reconciling.IN_FLIGHT_FOR - timedelta(minutes=1))
    assert post(client, url, {}, people["b1"]).status_code == 202
    # and once the job has run, reconciling again is allowed
    job = run_job(Job.objects.order_by("-id").first().id)
    assert job.state == JobState.SUCCEEDED, job.error
    assert post(client, url, {}, people["a1"]).status_code == 202


def test_it_reports_each_step_as_progress(ready, people):
    job = reconciling.inspection_reconcile_queue(actor=people["a1"], inspection_id=ready.id)
    told = []
    result = reconciling.inspection_reconcile_job(
        job, lambda done, total=None, message="": told.append((done, total, message)))
    assert [done for done, _, _ in told] == list(range(1, STEPS + 1))
    assert {total for _, total, _ in told} == {STEPS}
    assert told[0][2] == "4 registered markers compared"
    assert "line segments indexed" in told[2][2]
    assert told[-1][2] == "results saved"
    assert result["state"] == State.RECONCILING
    Job.objects.filter(id=job.id).update(state=JobState.SUCCEEDED)  # run by hand above
    # run as the worker does, the job's row holds the last step
    again = run_job(reconciling.inspection_reconcile_queue(
        actor=people["a1"], inspection_id=ready.id).id)
    assert (again.done, again.total, again.message) == (STEPS, STEPS, "results saved")


def test_it_leaves_the_inspection_as_it_was_when_the_job_fails(ready, people, monkeypatch):
    before = unchanged(ready)
    job = reconciling.inspection_reconcile_queue(actor=people["a1"], inspection_id=ready.id)

    def broken(*args, **kwargs):
        raise RuntimeError("the server ran out of memory")

    monkeypatch.setattr("inspections.reconcile._distances", broken)
    failed = run_job(job.id)
    assert failed.state == JobState.FAILED
    assert failed.error == "RuntimeError: the server ran out of memory"
    assert unchanged(ready) == before


def test_it_fails_the_job_with_the_reason_when_a_survey_went_meanwhile(ready, people):
    job = reconciling.inspection_reconcile_queue(actor=people["a1"], inspection_id=ready.id)
    services.survey_withdraw(actor=people["b1"], upload_id=ready.uploads.get(side="B").id,
                             reason="测错")
    before = unchanged(ready)
    failed = run_job(job.id)
    assert failed.state == JobState.FAILED
    assert failed.error == "reconcile: no confirmed survey of side B yet"
    assert unchanged(ready) == before


def test_it_saves_nothing_when_the_surveys_change_during_the_comparison(
        tmp_path, ready, people, markers, monkeypatch):
    before = unchanged(ready)
    replacement = services.survey_upload(
        actor=people["a1"], inspection_id=ready.id, side="A",
        path=write_gpkg(tmp_path / "a2.gpkg", at_registered(markers), line_in_gk(ready.line)))
    real = reconciling.reconcile

    def meanwhile(**kwargs):  # the side replaces its survey while the comparison runs
        results = real(**kwargs)
        services.survey_replace(actor=people["a1"], upload_id=ready.uploads.get(
            side="A", confirmed=True).id, replacement_id=replacement.id)
        return results

    monkeypatch.setattr(reconciling, "reconcile", meanwhile)
    failed = run_job(reconciling.inspection_reconcile_queue(
        actor=people["a1"], inspection_id=ready.id).id)
    assert failed.state == JobState.FAILED
    assert "changed while they were being compared" in failed.error
    assert unchanged(ready) == before  # the replacement, made inside the job, went too
    assert not ready.uploads.get(id=replacement.id).confirmed


def test_it_sends_the_page_to_the_job_and_the_job_page_on_to_the_result(client, ready,
                                                                       people):
    client.force_login(people["a1"])
    clicked = client.post(f"/inspections/{ready.id}/act/reconcile", {"note": ""})
    job = Job.objects.get(kind=reconciling.KIND)
    page = f"/inspections/{ready.id}/jobs/{job.id}"
    assert (clicked.status_code, clicked["Location"]) == (302, page)
    waiting = client.get(page, headers={"HX-Request": "true"})
    assert "HX-Redirect" not in waiting
    assert 'hx-trigger="every 1s"' in waiting.content.decode()
    assert unchanged(ready)[0] == State.SURVEYING

    run_job(job.id)
    done = client.get(page, headers={"HX-Request": "true"})
    assert done["HX-Redirect"] == f"/inspections/{ready.id}/"
    assert "every 1s" not in done.content.decode()  # it polls no more
    opened = client.get(page)  # a finished job's page goes straight to the result
    assert (opened.status_code, opened["Location"]) == (302, f"/inspections/{ready.id}/")
    assert client.get(f"/inspections/{ready.id}/").context["i"].state == State.RECONCILING


def test_it_shows_why_a_job_failed_on_its_page(client, ready, people):
    client.force_login(people["a1"])
    client.post(f"/inspections/{ready.id}/act/reconcile", {"note": ""})
    job = Job.objects.get(kind=reconciling.KIND)
    services.survey_withdraw(actor=people["b1"], upload_id=ready.uploads.get(side="B").id,
                             reason="测错")
    run_job(job.id)
    client.cookies["django_language"] = "en"
    fragment = client.get(f"/inspections/{ready.id}/jobs/{job.id}",
                          headers={"HX-Request": "true"})
    assert "HX-Redirect" not in fragment
    text = fragment.content.decode()
    assert '<div class="errorlist" id="job-error" role="alert">' in text
    assert "It failed; nothing was changed." in text
    assert "reconcile: no confirmed survey of side B yet" in text
    assert "every 1s" not in text
    assert "Reconciling both surveys" in text


def test_it_sends_a_finished_survey_reading_on_to_its_preview(client, ready, people):
    upload = ready.uploads.get(side="A")
    job = Job.objects.create(kind="survey_upload", params={}, created_by=people["a1"],
                             state=JobState.SUCCEEDED, done=4, total=4,
                             result={"upload_id": upload.id, "inspection_id": ready.id})
    client.force_login(people["a1"])
    page = f"/inspections/{ready.id}/jobs/{job.id}"
    preview = f"/inspections/{ready.id}/surveys/{upload.id}/"
    assert client.get(page, headers={"HX-Request": "true"})["HX-Redirect"] == preview
    assert client.get(page)["Location"] == preview


def test_it_lets_the_other_side_follow_the_reconciliation_and_no_outsider(client, ready,
                                                                          people):
    client.force_login(people["a1"])
    client.post(f"/inspections/{ready.id}/act/reconcile", {"note": ""})
    job = Job.objects.get(kind=reconciling.KIND)
    reading = Job.objects.create(kind="survey_upload", params={}, created_by=people["a1"])
    page = f"/inspections/{ready.id}/jobs/{job.id}"
    client.force_login(people["b1"])  # side B's member follows side A's reconciliation
    followed = client.get(page, headers={"HX-Request": "true"})
    assert followed.status_code == 200
    assert 'hx-trigger="every 1s"' in followed.content.decode()
    assert client.get(f"/inspections/{ready.id}/jobs/{reading.id}").status_code == 404
    api = client.get(f"/api/v1/jobs/{job.id}")  # where the API's 202 sends them: the same
    assert api.status_code == 200 and api.json()["kind"] == reconciling.KIND
    assert client.get(f"/api/v1/jobs/{reading.id}").status_code == 404
    client.force_login(people["outsider"])
    assert client.get(page).status_code == 403
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404
