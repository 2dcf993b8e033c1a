"""The reconcile step, always a background job (jobs app): a 287,000-vertex survey takes
minutes, longer than any web request may. The API and the page queue it
(``inspection_reconcile_queue``: who may and whether it may be taken now are answered at
once, 403 or 409, from the same table as the rest of the workflow,
inspections.transitions) and the worker runs ``inspection_reconcile``, reporting
inspections.reconcile's steps as the job's progress. The transition happens when the job
succeeds; a job that fails leaves the inspection as it was, its message on the job.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.errors import Conflict
from jobs.models import Job
from jobs.selectors import job_in_flight
from jobs.services import job_create

from .models import Inspection, Side, State
from .reconcile import STEPS, no_progress, reconcile
from .services import _transition, check_step, inspection_locked, results_changed

KIND = "inspection_reconcile"
# A second request while one is queued or running would only compare the same surveys
# again; a job older than this is taken for one a dead worker left behind (the largest
# survey seen took minutes).
IN_FLIGHT_FOR = timedelta(hours=1)


def _current_surveys(inspection: Inspection) -> list[int]:
    """The uploads reconciled (each side's current confirmed surveys): both sides needed."""
    current = list(inspection.uploads.current().order_by("id").values_list("id", "side"))
    sides = {side for _, side in current}
    if sides != set(Side.values):
        missing = ", ".join(sorted(set(Side.values) - sides))
        raise Conflict.of(gettext_noop("reconcile: no confirmed survey of side %(side)s yet"),
                          side=missing)
    return [upload_id for upload_id, _ in current]


@transaction.atomic
def inspection_reconcile_queue(*, actor, inspection_id: int, note: str = "") -> Job:
    """Queue the reconciliation: the step and both sides' surveys are checked now (403,
    409), and again by the worker; one already queued or running is a 409 naming it."""
    inspection = inspection_locked(inspection_id)  # two requests at once: the second sees the first
    check_step(actor, inspection, "reconcile")
    _current_surveys(inspection)
    pending = job_in_flight(kind=KIND, params={"inspection_id": inspection_id},
                            within=IN_FLIGHT_FOR)
    if pending is not None:
        raise Conflict.of(gettext_noop("reconcile: inspection %(id)s is already being "
                                       "reconciled (job %(job)s, %(state)s): wait for it to "
                                       "finish"),
                          id=inspection_id, job=pending.id, state=pending.state)
    return job_create(actor=actor, kind=KIND,
                      params={"inspection_id": inspection_id, "note": note})


@transaction.atomic
def inspection_reconcile(*, actor, inspection_id: int, note: str = "",
                         progress=no_progress) -> Inspection:
    """Compare both sides' confirmed surveys with the register (inspections.reconcile), all
    or nothing. The comparison runs before the inspection's row is locked, so that a
    hazard or a signature is not held up for minutes; under the lock the step is checked
    again, and surveys changed meanwhile are a Conflict (reconcile again)."""
    inspection = inspection_locked(inspection_id, lock=False)
    check_step(actor, inspection, "reconcile")
    surveys = _current_surveys(inspection)
    results = reconcile(inspection_id=inspection.id, line=inspection.line, progress=progress)
    inspection = inspection_locked(inspection_id)
    step = check_step(actor, inspection, "reconcile")
    if _current_surveys(inspection) != surveys:
        raise Conflict.of(gettext_noop("reconcile: the surveys changed while they were being "
                                       "compared (a survey confirmed, withdrawn or replaced): "
                                       "reconcile again"))
    if results == inspection.results and inspection.state != State.SURVEYING:
        _transition(inspection, actor, "reconcile", inspection.state,
                    note or "reconciled again: results unchanged")
    else:
        results_changed(inspection, actor, "the reconciliation results changed", stale=False)
        inspection.results, inspection.reconciled_at = results, timezone.now()
        _transition(inspection, actor, "reconcile", step.target, note)
    progress(STEPS, STEPS, "results saved")
    return inspection


def inspection_reconcile_job(job, progress) -> dict:
    """The worker's side of inspection_reconcile_queue: where the inspection now stands."""
    inspection = inspection_reconcile(actor=job.created_by,
                                      inspection_id=job.params["inspection_id"],
                                      note=job.params.get("note", ""), progress=progress)
    return {"inspection_id": inspection.id, "state": inspection.state,
            "reconciled_at": inspection.reconciled_at.isoformat(),
            "summary": inspection.results.get("summary")}


# The workflow's queued steps, by action (the others are services.ACTIONS).
QUEUED = {"reconcile": inspection_reconcile_queue}
