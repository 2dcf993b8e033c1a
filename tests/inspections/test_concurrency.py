"""Inspections under concurrent use, on real connections (so the data here is committed
and removed afterwards): plans of one line at once give one inspection and Conflicts, and
reading a survey file does not hold the inspection's lock.

Clean-up truncates the line and everything hanging from it; nothing here switches a
trigger off.
"""

import threading
import time
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import LineString, MultiLineString
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from boundaries.models import BoundaryLine
from config.errors import Conflict
from inspections import hazards, reconciling, services
from inspections.models import Inspection, SurveyUpload
from jobs.models import Job, JobState

TEAMS = ("并发甲联检组", "并发乙联检组")


@pytest.fixture
def committed(divisions_db, django_db_blocker):
    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):  # as tests/proposals/
            pytest.skip("needs the test database: run it with the other inspection tests")
        line = BoundaryLine.objects.create(
            level=3, left_code="520201000000", right_code="520204000000", name="并发测试线",
            geom=MultiLineString(LineString((104.80, 26.50), (104.90, 26.60)), srid=4490),
            length_m=14_000.0)
        groups = [Group.objects.create(name=name) for name in TEAMS]
        clerk = User.objects.create(username="并发clerk")
        clerk.groups.add(Group.objects.get_or_create(name="clerk")[0])
        a1 = User.objects.create(username="并发a1")
        a1.groups.add(groups[0])
        b1 = User.objects.create(username="并发b1")
        b1.groups.add(groups[1])
        yield {"line": line, "clerk": clerk, "a1": a1, "b1": b1}
        with connection.cursor() as cur:
            cur.execute("TRUNCATE boundaries_boundaryline, jobs_job CASCADE")
        User.objects.filter(id__in=[clerk.id, a1.id, b1.id]).delete()
        Group.objects.filter(name__in=TEAMS).delete()


def in_thread(fn, results: list, index: int) -> None:
    try:
        results[index] = fn()
    except Exception as exc:  # noqa: BLE001 (the test inspects what each thread met)
        results[index] = exc
    finally:
        connections.close_all()


def plan(people) -> Inspection:
    return services.inspection_plan(actor=people["clerk"], line=people["line"],
                                    year=date.today().year, team_a=TEAMS[0], team_b=TEAMS[1])


def hazard_during(people, inspection, busy: threading.Event, work) -> tuple[float, list]:
    """Run ``work`` in a thread and, once it signals ``busy``, record a hazard on the
    inspection: (the seconds the hazard took, [what work returned or raised])."""
    results = [None]
    worker = threading.Thread(target=in_thread, args=(work, results, 0))
    worker.start()
    assert busy.wait(30)
    started = time.monotonic()
    hazards.hazard_record(actor=people["a1"], location=(104.85, 26.55),
                           description="界桩被移动", severity="low",
                           inspection_id=inspection.id)
    waited = time.monotonic() - started
    worker.join()
    return waited, results


def test_it_plans_one_inspection_of_a_line_planned_twenty_times_at_once(committed):
    results = [None] * 20
    threads = [threading.Thread(target=in_thread, args=(lambda: plan(committed), results, i))
               for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    planned = [r for r in results if isinstance(r, Inspection)]
    assert len(planned) == 1
    assert all(isinstance(r, Conflict) for r in results if r not in planned), results
    assert Inspection.objects.filter(line=committed["line"]).count() == 1


def test_it_reads_a_survey_without_holding_the_inspections_lock(committed, tmp_path,
                                                                monkeypatch):
    inspection = plan(committed)
    services.inspection_start_survey(actor=committed["clerk"], inspection_id=inspection.id)
    path = tmp_path / "markers.csv"
    path.write_text("界桩号,经度,纬度\n并发01,104.85,26.55\n并发02,104.86,26.56\n")
    reading = threading.Event()
    real_run = services.survey.run

    def slow_run(*args, **kwargs):  # a large file: seconds of reading
        reading.set()
        time.sleep(3)
        return real_run(*args, **kwargs)

    monkeypatch.setattr(services.survey, "run", slow_run)
    waited, results = hazard_during(committed, inspection, reading, lambda: (
        services.survey_upload(actor=committed["a1"], inspection_id=inspection.id, side="A",
                               path=path)))
    assert waited < 2.0, f"the hazard waited {waited:.1f} s for the survey's reading"
    assert results[0].feature_count == 2, results[0]


def surveyed(people, tmp_path) -> Inspection:
    """Both sides' marker surveys confirmed (committed)."""
    inspection = plan(people)
    services.inspection_start_survey(actor=people["clerk"], inspection_id=inspection.id)
    for side, member in (("A", people["a1"]), ("B", people["b1"])):
        path = tmp_path / f"{side}.csv"
        path.write_text("界桩号,经度,纬度\n并发01,104.85,26.55\n并发02,104.86,26.56\n")
        upload = services.survey_upload(actor=member, inspection_id=inspection.id, side=side,
                                        path=path)
        services.survey_confirm(actor=member, upload_id=upload.id)
    return inspection


def test_it_reconciles_without_holding_the_inspections_lock(committed, tmp_path,
                                                            monkeypatch):
    inspection = surveyed(committed, tmp_path)
    comparing = threading.Event()
    real = reconciling.reconcile

    def slow(**kwargs):  # a 287,000-vertex survey: minutes of comparing
        comparing.set()
        time.sleep(3)
        return real(**kwargs)

    monkeypatch.setattr(reconciling, "reconcile", slow)
    waited, results = hazard_during(committed, inspection, comparing, lambda: (
        reconciling.inspection_reconcile(actor=committed["b1"], inspection_id=inspection.id)))
    assert waited < 2.0, f"the hazard waited {waited:.1f} s for the reconciliation"
    assert results[0].state == "reconciling", results[0]


def test_it_reconciles_in_the_job_worker(committed, job_worker, client, tmp_path):
    inspection = surveyed(committed, tmp_path)
    client.force_login(committed["b1"])
    response = client.post(f"/api/v1/inspections/{inspection.id}/reconcile", {},
                           content_type="application/json")
    assert response.status_code == 202, response.content
    job = Job.objects.get(id=response.json()["id"])
    deadline = time.monotonic() + 90
    while job.state not in (JobState.SUCCEEDED, JobState.FAILED):
        assert time.monotonic() < deadline, f"job still {job.state}: {job.message}"
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    assert (job.done, job.total, job.message) == (8, 8, "results saved")
    inspection.refresh_from_db()
    assert inspection.state == "reconciling"
    assert job.result["summary"] == inspection.results["summary"]
    assert inspection.transitions.filter(action="reconcile", actor=committed["b1"]).exists()


def test_it_reads_a_large_survey_upload_in_the_job_worker(committed, job_worker, client,
                                                          settings):
    inspection = plan(committed)
    services.inspection_start_survey(actor=committed["clerk"], inspection_id=inspection.id)
    settings.SURVEY_INLINE_MAX_BYTES = 16  # any real file is "large"
    client.force_login(committed["a1"])
    body = "界桩号,经度,纬度\n" + "".join(f"并发{i:03d},{104.85 + i / 1e4:.5f},26.55\n"
                                       for i in range(300))
    response = client.post(f"/api/v1/inspections/{inspection.id}/surveys", {
        "side": "A", "file": SimpleUploadedFile("markers.csv", body.encode())})
    assert response.status_code == 202, response.content
    job = Job.objects.get(id=response.json()["id"])
    deadline = time.monotonic() + 90
    while job.state not in (JobState.SUCCEEDED, JobState.FAILED):
        assert time.monotonic() < deadline, f"job still {job.state}: {job.message}"
        time.sleep(0.2)
        job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED, job.error
    upload = SurveyUpload.objects.get(id=job.result["upload_id"])
    assert upload.feature_count == 300
    assert upload.uploaded_by == committed["a1"]
    assert client.get(f"/api/v1/jobs/{job.id}").json()["percent"] == 100.0


def test_it_refuses_to_queue_a_large_upload_for_someone_outside_the_teams(committed, client,
                                                                           settings):
    inspection = plan(committed)
    settings.SURVEY_INLINE_MAX_BYTES = 16
    client.force_login(committed["clerk"])
    response = client.post(f"/api/v1/inspections/{inspection.id}/surveys", {
        "side": "A", "file": SimpleUploadedFile("m.csv", b"X,Y\n" + b"1,2\n" * 20)})
    assert response.status_code == 403
    assert not Job.objects.filter(kind="survey_upload").exists()
