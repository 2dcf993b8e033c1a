"""The one Celery task: run a job by its kind's handler, recording progress and outcome.

A handler's refusal (a config.errors or importers error: the input is at fault) fails the
job with its message for the user; anything else fails it too, with the exception's type,
and is logged with its traceback for the operator.
"""

import logging

from celery import shared_task

from config.errors import RegistryError

from . import services
from .registry import handler_for
from .said import kept

log = logging.getLogger(__name__)


@shared_task(name="jobs.run_job", acks_late=True)
def run_job(job_id: int) -> str:
    job = services.job_start(job_id=job_id)
    if job is None:
        return "skipped"

    def progress(done: int, total: int | None = None, message: str = "") -> None:
        services.job_progress(job_id=job_id, done=done, total=total, message=message)

    try:
        result = handler_for(job.kind)(job, progress)
    except RegistryError as exc:
        services.job_finish(job_id=job_id, error=str(exc), error_said=kept(exc))
        return "failed"
    except Exception as exc:  # noqa: BLE001 (the job records every failure)
        log.exception("job %s (%s) failed", job_id, job.kind)
        services.job_finish(job_id=job_id, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    finally:
        services.progress_connection_close()
    services.job_finish(job_id=job_id, result=result)
    return "succeeded"
