"""Writes of jobs: queue one, and (from the worker) record its progress and outcome."""

import threading

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

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
        raise BadRequest.of(gettext_noop("kind %(kind)r: no such job (known: %(known)s)"),
                            kind=kind, known=", ".join(sorted(HANDLERS)))

    job = Job.objects.create(kind=kind, params=params, created_by=actor)
    from .tasks import run_job  # the Celery app is loaded only where jobs are queued

    transaction.on_commit(lambda: run_job.delay(job.id))
    return job


_progress = threading.local()  # the worker thread's connection for progress (below)


def _progress_connection():
    conn = getattr(_progress, "conn", None)
    if conn is None:
        conn = _progress.conn = connections.create_connection(DEFAULT_DB_ALIAS)
    return conn


def _progress_apart(job_id: int, fields: dict) -> bool:
    """Write the progress on a connection of its own (autocommit): a handler holding its
    work in one transaction (a reconciliation, a survey read) would otherwise publish its
    progress only at its end. False when that connection cannot see the job (created in a
    transaction not yet committed: a test running the job in process) or fails."""
    conn = _progress_connection()
    try:
        with conn.cursor() as cur:
            # never wait on the handler's own transaction should it hold the job's row
            cur.execute("SET lock_timeout = '2s'")
            cur.execute(f"UPDATE {Job._meta.db_table} SET done = %s, "
                        "total = coalesce(%s, total), message = %s WHERE id = %s",
                        [fields["done"], fields.get("total"), fields["message"], job_id])
            return cur.rowcount == 1
    except DatabaseError:
        conn.close()
        _progress.conn = None
        return False


def progress_connection_close() -> None:
    """Close the progress connection (the worker, after each job)."""
    conn = getattr(_progress, "conn", None)
    if conn is not None:
        conn.close()
        _progress.conn = None


def job_progress(*, job_id: int, done: int, total: int | None = None,
                 message: str = "") -> None:
    """Progress from the worker, outside any transaction of the job's own work so that a
    client polling sees it at once."""
    fields = {"done": done, "message": message[:2000]}
    if total is not None:
        fields["total"] = total
    if connection.in_atomic_block and _progress_apart(job_id, fields):
        return
    Job.objects.filter(id=job_id).update(**fields)


def job_start(*, job_id: int) -> Job | None:
    """Mark a queued job running; None if it is not queued (already taken or finished)."""
    taken = Job.objects.filter(id=job_id, state=JobState.QUEUED).update(
        state=JobState.RUNNING, started_at=timezone.now())
    return Job.objects.get(id=job_id) if taken else None


def job_finish(*, job_id: int, result=None, error: str = "",
               error_said: dict | None = None) -> None:
    """``error_said``: how to say ``error`` in a page's language (jobs.said.kept)."""
    Job.objects.filter(id=job_id).update(
        state=JobState.FAILED if error else JobState.SUCCEEDED, result=result,
        error=error[:10000], error_said=error_said or {}, finished_at=timezone.now())
