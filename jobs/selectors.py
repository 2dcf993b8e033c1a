"""Reads of jobs: a job is seen by whoever queued it, superusers, and whoever its kind's
registered readers admit (jobs.registry)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop

from config.errors import NotFound

from .models import Job, JobState
from .registry import may_read


def job_get(*, user, job_id: int) -> Job:
    found = Job.objects.filter(id=job_id).first()
    if found is None or not may_read(user, found):
        raise NotFound.of(gettext_noop("no job %(id)s of yours"), id=job_id)

    return found


def job_out(job: Job) -> dict:
    percent = round(100 * job.done / job.total, 1) if job.total else None
    return {"id": job.id, "kind": job.kind, "state": job.state, "done": job.done,
            "total": job.total, "percent": percent, "message": job.message,
            "result": job.result, "error": job.error, "created_at": job.created_at,
            "started_at": job.started_at, "finished_at": job.finished_at}


def job_page(job: Job) -> dict:
    """job_out for a page: its state's label and why it failed (``error_in_language``) in
    the page's language (the API's ``error`` stays English)."""
    return job_out(job) | {"error_in_language": job.error_in_language(),
                           "state_label": job.get_state_display()}


def job_in_flight(*, kind: str, params: dict, within: timedelta) -> Job | None:
    """A job of ``kind`` whose params include ``params``, queued or running and created
    within ``within`` (older ones are taken for a worker that died with them)."""
    return (Job.objects.filter(kind=kind, params__contains=params,
                               state__in=[JobState.QUEUED, JobState.RUNNING],
                               created_at__gte=timezone.now() - within)
            .order_by("-id").first())
