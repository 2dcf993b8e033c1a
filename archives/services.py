"""Writes of the archives: upload a document, add a corrected version, link it to the
records it supports, unlink, publish. Files are checked before anything is stored:
size (declared, then counted), type by content (archives.sniff), virus scan
(archives.scan); then saved through the archives storage and recorded.

A file saved while its transaction later rolls back stays in the storage unrecorded (the
storage is not transactional); its key names the document and version, and nothing
refers to it.
"""

import hashlib
import tempfile
from datetime import date
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

from accounts import permissions
from boundaries.temporal import today
from config.errors import BadRequest, Conflict, NotFound
from config.said import Said

from .models import (
    LINK_TARGETS,
    PUBLIC_CATEGORIES,
    Category,
    Document,
    DocumentLink,
    DocumentVersion,
    Retention,
)
from .scan import scan
from .sniff import sniff
from .storage import archive_storage

CHUNK = 1024 * 1024


class TooLarge(BadRequest):
    status = 413


def max_bytes() -> int:
    return min(settings.ARCHIVE_MAX_BYTES, settings.MAX_UPLOAD_BYTES)


def check_declared_size(upload) -> None:
    """Refuse from the declared size, before a byte is read."""
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes():
        raise TooLarge.of(gettext_noop("file: %(size)s bytes, more than the archive's limit of "
                                       "%(most)s"), size=size, most=max_bytes())


def _spooled(upload, into: Path) -> tuple[Path, int, str]:
    """A private copy of the upload, its real size and SHA-256, stopping at the limit
    whatever the declared size said."""
    path, size, digest = into / "upload", 0, hashlib.sha256()
    chunks = upload.chunks(CHUNK) if hasattr(upload, "chunks") else iter(
        lambda: upload.read(CHUNK), b"")
    with path.open("xb") as out:
        for block in chunks:
            size += len(block)
            if size > max_bytes():
                raise TooLarge.of(gettext_noop("file: more than the archive's limit of %(most)s "
                                               "bytes"), most=max_bytes())
            digest.update(block)
            out.write(block)
    if size == 0:
        raise BadRequest.of(gettext_noop("file: empty (0 bytes)"))
    return path, size, digest.hexdigest()


def _store(*, document: Document, upload, actor, note: str,
           previous: DocumentVersion | None) -> DocumentVersion:
    check_declared_size(upload)
    with tempfile.TemporaryDirectory(prefix="archive-") as tmp:
        path, size, sha = _spooled(upload, Path(tmp))
        if previous is not None and previous.sha256 == sha:
            raise Conflict.of(gettext_noop("document %(id)s: the file is identical to version "
                                           "%(version)s (sha256 %(sha)s…): nothing to correct"),
                              id=document.id, version=previous.version, sha=sha[:12])
        with path.open("rb") as fh:
            kind = sniff(fh)
        scanned = scan(path)
        number = previous.version + 1 if previous else 1
        with path.open("rb") as fh:
            key = archive_storage().save(f"{document.id:06d}/v{number}-{sha[:16]}{kind.extension}",
                                         File(fh))
    name = Path(getattr(upload, "name", "") or "").name[:255]
    return DocumentVersion.objects.create(
        document=document, version=number, supersedes=previous, storage_name=key,
        original_name=name, size=size, sha256=sha, media_type=kind.media_type,
        format=kind.format, scan_status=scanned.status, scan_detail=scanned.detail[:300],
        note=note, uploaded_by=actor)


def _check_fields(category: str, retention: str, retention_years: int | None) -> None:
    if category not in Category.values:
        raise BadRequest.of(gettext_noop("category %(category)r: expected one of %(known)s"),
                            category=category, known=", ".join(Category.values))
    if retention not in Retention.values:
        raise BadRequest.of(gettext_noop("retention %(retention)r: expected one of %(known)s"),
                            retention=retention, known=", ".join(Retention.values))
    if (retention == Retention.YEARS) != (retention_years is not None):
        raise BadRequest.of(gettext_noop("retention_years: give a number of years with "
                                         "retention 'years', and only then"))
    if retention_years is not None and not 1 <= retention_years <= 1000:
        raise BadRequest.of(gettext_noop("retention_years %(years)s: expected 1 to 1000"),
                            years=retention_years)


@transaction.atomic
def document_upload(*, actor, file, title: str, category: str, retention: str,
                    retention_years: int | None = None, number: str = "",
                    date: date | None = None, authority: str = "", description: str = "",
                    links: list[tuple[str, int]] = (), note: str = "") -> Document:
    """A new document with its first version, linked to ``links`` ((kind, id) pairs)."""
    permissions.require(actor, "archive.upload")
    _check_fields(category, retention, retention_years)
    if not title.strip():
        raise BadRequest.of(gettext_noop("title: empty"))
    check_declared_size(file)
    document = Document.objects.create(
        title=title.strip(), number=number.strip(), date=date, authority=authority.strip(),
        category=category, retention=retention, retention_years=retention_years,
        description=description, created_by=actor)
    _store(document=document, upload=file, actor=actor, note=note, previous=None)
    for kind, target_id in links:
        _link(document, kind, target_id, actor)
    return document


@transaction.atomic
def document_version_add(*, actor, document_id: int, file, note: str) -> DocumentVersion:
    """A corrected file: the next version, superseding the latest; the old stays readable."""
    permissions.require(actor, "archive.version")
    if not note.strip():
        raise BadRequest.of(gettext_noop("note: say what the new version corrects"))
    document = Document.objects.select_for_update().filter(id=document_id).first()
    if document is None:
        raise NotFound.of(gettext_noop("no document %(id)s"), id=document_id)
    previous = document.versions.order_by("-version").first()
    return _store(document=document, upload=file, actor=actor, note=note.strip(),
                  previous=previous)


def _target(kind: str, target_id: int):
    if kind not in LINK_TARGETS:
        raise BadRequest.of(gettext_noop("kind %(kind)r: expected one of %(known)s"),
                            kind=kind, known=", ".join(LINK_TARGETS))
    label, what = LINK_TARGETS[kind]
    found = apps.get_model(label).objects.filter(id=target_id).first()
    if found is None:
        raise NotFound.of(gettext_noop("no %(what)s %(id)s"), what=Said(what), id=target_id)
    return found


def _link(document: Document, kind: str, target_id: int, actor) -> DocumentLink:
    target = _target(kind, target_id)
    try:
        with transaction.atomic():
            return DocumentLink.objects.create(document=document, linked_by=actor,
                                               **{kind: target})
    except IntegrityError as exc:
        raise Conflict.of(gettext_noop("document %(id)s is already linked to %(kind)s "
                                       "%(target)s"),
                          id=document.id, kind=kind, target=target_id) from exc


@transaction.atomic
def document_link(*, actor, document_id: int, kind: str, target_id: int) -> DocumentLink:
    permissions.require(actor, "archive.link")
    document = Document.objects.filter(id=document_id).first()
    if document is None:
        raise NotFound.of(gettext_noop("no document %(id)s"), id=document_id)
    return _link(document, kind, target_id, actor)


@transaction.atomic
def document_unlink(*, actor, document_id: int, link_id: int) -> None:
    permissions.require(actor, "archive.unlink")
    deleted, _ = DocumentLink.objects.filter(id=link_id, document_id=document_id).delete()
    if not deleted:
        raise NotFound.of(gettext_noop("document %(id)s has no link %(link)s"),
                          id=document_id, link=link_id)


@transaction.atomic
def document_publish(*, actor, document_id: int, published_on: date | None = None) -> Document:
    """Make a decision, announcement or agreement public from ``published_on`` (today)."""
    permissions.require(actor, "archive.publish")
    document = Document.objects.select_for_update().filter(id=document_id).first()
    if document is None:
        raise NotFound.of(gettext_noop("no document %(id)s"), id=document_id)
    if document.category not in PUBLIC_CATEGORIES:
        raise Conflict.of(gettext_noop("document %(id)s is a %(category)s: only 批准文件, 公告 "
                                       "and 界线协议书 are published"),
                          shown={"category": document.get_category_display()},
                          id=document_id, category=str(document.get_category_display()))
    if document.published_on is not None:
        raise Conflict.of(gettext_noop("document %(id)s was published on %(on)s"),
                          id=document_id, on=str(document.published_on))
    document.published_on = published_on or today()
    document.save(update_fields=["published_on"])
    return document
