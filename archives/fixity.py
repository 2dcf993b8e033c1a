"""The fixity check of the archive (manage.py archive_fixity): every version's file is
read back from the storage and its SHA-256 compared with the one recorded at upload.
Nothing is changed; what is missing or altered is reported, for the archive office to
restore from a backup."""

import hashlib

from tqdm import tqdm

from .models import DocumentVersion
from .storage import archive_storage

CHUNK = 1024 * 1024


def _digest(name: str) -> str:
    digest = hashlib.sha256()
    with archive_storage().open(name, "rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def run(*, progress: bool = False) -> dict:
    versions = DocumentVersion.objects.order_by("id").only(
        "id", "document_id", "version", "storage_name", "sha256")
    missing, altered, checked = [], [], 0
    for v in tqdm(versions.iterator(), total=versions.count(), disable=not progress,
                  desc="archive fixity", unit="file"):
        where = {"document": v.document_id, "version": v.version, "file": v.storage_name}
        try:
            found = _digest(v.storage_name)
        except FileNotFoundError:
            missing.append(where)
            continue
        checked += 1
        if found != v.sha256:
            altered.append(where | {"recorded": v.sha256, "found": found})
    return {"checked": checked, "missing": missing, "altered": altered}
