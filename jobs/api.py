"""Background jobs as their owner sees them: state and progress while they run."""

from ninja import Router

from accounts.auth import AUTH

from . import selectors
from .schemas import JobOut

router = Router(tags=["jobs"], auth=AUTH)


@router.get("/jobs/{job_id}", response=JobOut)
def job_detail(request, job_id: int):
    """A job you queued: queued → running (with done/total and a message) → succeeded
    (with its result) or failed (with the reason)."""
    return selectors.job_out(selectors.job_get(user=request.auth, job_id=job_id))
