"""Writes of jobs: queue one, and (from the worker) record its progress and outcome."""

from django.db import transaction
from django.utils import timezone

from accounts.permissions import check_actor
from config.errors import BadRequest

from .models import Job, JobState
from .registry import HANDLERS


@transaction.atomic
def job_create(*, actor, kind: str, params: dict) -> Job:
    """Queue a job: the message goes to the broker once the row is committed, so the worker
    never looks for a job that is not there yet."""
    check_actor(actor)
    if kind not in HANDLERS:
        raise BadRequest(f"kind {kind!r}: no such job (known: {', '.join(sorted(HANDLERS))})")
    job = Job.objects.create(kind=kind, params=params, created_by=actor)
    from .tasks import run_job  # the Celery app is loaded only where jobs are queued

    transaction.on_commit(lambda: run_job.delay(job.id))
    return job


def job_progress(*, job_id: int, done: int, total: int | None = None,
                 message: str = "") -> None:
    """Progress from the worker, outside any transaction of the job's own work so that a
    client polling sees it at once."""
    fields = {"done": done, "message": message[:2000]}
    if total is not None:
        fields["total"] = total
    Job.objects.filter(id=job_id).update(**fields)


def job_start(*, job_id: int) -> Job | None:
    """Mark a queued job running; None if it is not queued (already taken or finished)."""
    taken = Job.objects.filter(id=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now())
    return Job.objects.get(id=job_id) if taken else None


def job_finish(*, job_id: int, result=None, error: str = "") -> None:
    Job.objects.filter(id=job_id).update(
        state=JobState.FAILED if error else JobState.SUCCEEDED, result=result,
        error=error[:10000], finished_at=timezone.now())
