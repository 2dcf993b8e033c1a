"""What each kind of job runs. Higher apps register their handlers (in AppConfig.ready), so
this app depends on none of them: ``register("survey_upload", handler)``.

A handler is called as ``handler(job, progress)`` in the worker and returns the job's
result (JSON); ``progress(done, total=None, message="")`` records how far it has got.

A job is its starter's to follow. ``readers(user, job) -> bool``, when a kind gives one,
says who else may: a reconciliation concerns both sides of the line, a campaign's run
the whole office.
"""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}
READERS: dict[str, Callable] = {}


def register(kind: str, handler: Callable, readers: Callable | None = None) -> None:
    HANDLERS[kind] = handler
    if readers is not None:
        READERS[kind] = readers


def may_read(user, job) -> bool:
    if user.is_superuser or job.created_by_id == user.id:
        return True
    readers = READERS.get(job.kind)
    return bool(readers and readers(user, job))


def handler_for(kind: str) -> Callable:
    try:
        return HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no handler for jobs of kind {kind!r}") from None
