"""What each kind of job runs. Higher apps register their handlers (in AppConfig.ready), so
this app depends on none of them: ``register("survey_upload", handler)``.

A handler is called as ``handler(job, progress)`` in the worker and returns the job's
result (JSON); ``progress(done, total=None, message="")`` records how far it has got.
"""

from collections.abc import Callable

HANDLERS: dict[str, Callable] = {}


def register(kind: str, handler: Callable) -> None:
    HANDLERS[kind] = handler


def handler_for(kind: str) -> Callable:
    try:
        return HANDLERS[kind]
    except KeyError:
        raise LookupError(f"no handler for jobs of kind {kind!r}") from None
