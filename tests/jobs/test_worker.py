"""Background jobs run on a real Celery worker over the shared Redis, with progress."""

import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from jobs import services
from jobs.models import Job, JobState

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def committed(django_db_blocker):
    """Rows the worker can see (committed), removed afterwards."""
    made = []
    with django_db_blocker.unblock():
        yield made
        Job.objects.filter(id__in=[j.id for j in made if isinstance(j, Job)]).delete()
        User.objects.filter(id__in=[u.id for u in made if isinstance(u, User)]).delete()


def wait_for(job: Job, seconds: float = 90) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.state in (JobState.SUCCEEDED, JobState.FAILED):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job.id} still {job.state} after {seconds} s: {job.message}")


def csv_file(rows: int) -> Path:
    folder = ROOT / ".local" / "jobs"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"markers-{uuid.uuid4().hex[:8]}.csv"
    path.write_text("界桩号,X,Y\n" + "".join(
        f"钟水{i:04d},{2950000 + i * 3.1:.3f},{35500000 + i * 2.7:.3f}\n" for i in range(rows)),
        encoding="utf-8")
    return path


def test_it_reads_a_survey_file_in_the_worker_with_its_progress(job_worker, committed):
    user = User.objects.create(username=f"jobs-{uuid.uuid4().hex[:6]}")
    committed.append(user)
    path = csv_file(2000)
    job = services.job_create(actor=user, kind="survey_read",
                              params={"path": str(path), "crs": "EPSG:4523"})
    committed.append(job)
    done = wait_for(job)
    assert done.state == JobState.SUCCEEDED, done.error
    assert done.result["feature_count"] == 2000
    assert done.result["crs"] == "EPSG:4523"
    assert (done.done, done.total) == (4, 4)
    assert done.message == "validated and staged"
    assert not path.exists()


def test_it_fails_a_job_with_the_readers_reason(job_worker, committed):
    user = User.objects.create(username=f"jobs-{uuid.uuid4().hex[:6]}")
    committed.append(user)
    path = csv_file(0)
    job = services.job_create(actor=user, kind="survey_read", params={"path": str(path)})
    committed.append(job)
    done = wait_for(job)
    assert done.state == JobState.FAILED
    assert "no rows under the header" in done.error


def test_it_shows_a_job_only_to_whoever_queued_it(client, db):
    owner = User.objects.create(username="owner")
    other = User.objects.create(username="other")
    job = Job.objects.create(kind="survey_read", params={}, created_by=owner, done=1, total=4)
    client.force_login(owner)
    mine = client.get(f"/api/v1/jobs/{job.id}")
    assert mine.status_code == 200
    assert mine.json()["percent"] == 25.0
    client.force_login(other)
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404


def test_it_shows_progress_at_once_from_inside_the_handlers_transaction(committed):
    """A handler keeping its work in one transaction (a reconciliation) has its progress
    seen by a client polling meanwhile, and kept when the work is rolled back."""
    from django.db import connections, transaction

    user = User.objects.create(username=f"jobs-{uuid.uuid4().hex[:6]}")
    committed.append(user)
    job = Job.objects.create(kind="survey_read", params={}, created_by=user,
                             state=JobState.RUNNING)
    committed.append(job)
    poller = connections.create_connection("default")
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.job_progress(job_id=job.id, done=3, total=8, message="lines compared")
            with poller.cursor() as cur:
                cur.execute("SELECT done, total, message FROM jobs_job WHERE id = %s", [job.id])
                seen = cur.fetchone()
            raise RuntimeError("the work fails")
    finally:
        poller.close()
        services.progress_connection_close()
    assert seen == (3, 8, "lines compared")
    job.refresh_from_db()
    assert (job.done, job.total, job.message) == (3, 8, "lines compared")
