"""Files waiting for the job worker, in a storage every app server and worker shares.

An upload taken by one app server is read by whichever worker takes the job, perhaps on
another machine: the file goes to the ``jobfiles`` storage (settings.STORAGES; by default a
FileSystemStorage at JOB_FILES_DIR, a directory every server mounts, or any Django storage,
an object store among them) and the job's parameters name it by its storage name, never by
a path on the server that took it.
"""

import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.core.files.storage import storages

STORAGE = "jobfiles"


def save(upload, name: str) -> str:
    """Store an uploaded file (any File) under a new folder; its storage name."""
    return storages[STORAGE].save(f"{uuid.uuid4().hex}/{name}", upload)


@contextmanager
def local_path(name: str):
    """A path the reader can open: the file itself on a file system storage, else a copy
    fetched for the time of the read."""
    storage = storages[STORAGE]
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:  # an object store: no local path
        pass
    with tempfile.TemporaryDirectory(prefix="jobfile-") as tmp:
        copy = Path(tmp) / Path(name).name
        with storage.open(name, "rb") as source, copy.open("wb") as out:
            shutil.copyfileobj(source, out)
        yield copy


def delete(name: str) -> None:
    """Remove the file and the folder it was stored in (when a file system's)."""
    storage = storages[STORAGE]
    storage.delete(name)
    try:
        Path(storage.path(name)).parent.rmdir()
    except (NotImplementedError, OSError):
        pass


@contextmanager
def job_input(params: dict):
    """The job's file, removed when the job is done: ``file`` (a storage name) or, for jobs
    queued by a command on the worker's own machine, ``path``."""
    if params.get("file"):
        try:
            with local_path(params["file"]) as path:
                yield path
        finally:
            delete(params["file"])
        return
    path = Path(params["path"])
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
