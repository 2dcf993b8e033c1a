"""The archives (/api/v1/archives): upload, search, detail with versions, download, new
version, link and unlink, publish, the catalogue as CSV or PDF.

Reads take an optional credential: anonymous callers see the published decisions,
announcements and agreements; signed-in users what archives.policies allows. Writes need
the archive office's role. Files are always served as attachments, with nosniff and a
sandboxing Content-Security-Policy, so nothing uploaded runs in the registry's origin.
"""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_noop
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile

from accounts import permissions
from accounts.auth import AUTH, TokenAuth
from config.errors import BadRequest
from config.paging import paginate
from config.said import in_chinese

from . import catalogue, policies, selectors, services
from .models import Document
from .schemas import (
    ArchiveDocumentDetailOut,
    ArchiveDocumentOut,
    ArchiveLinkIn,
    ArchiveLinkOut,
    ArchivePageOut,
    ArchivePublishIn,
    ArchiveSearchIn,
)
from .sniff import extension_for


def _anonymous(request):
    # the last of the read credentials: no (valid) token and no session is the public
    return AnonymousUser()


READ_AUTH = [TokenAuth(), *AUTH[1:], _anonymous]
router = Router(tags=["archives"], auth=AUTH)


def link_out(link) -> dict:
    return {"id": link.id, "kind": link.kind, "target_id": link.target_id,
            "label": in_chinese(selectors.link_label, link)}


def version_out(v) -> dict:
    return {"version": v.version, "supersedes": v.supersedes.version if v.supersedes_id else None,
            "original_name": v.original_name, "size": v.size, "sha256": v.sha256,
            "media_type": v.media_type, "format": v.format, "scan_status": v.scan_status,
            "scan_detail": v.scan_detail, "note": v.note,
            "uploaded_by": v.uploaded_by.username, "uploaded_at": v.uploaded_at,
            "download": reverse("api:archive_download", args=[v.document_id, v.version])}


def document_out(d: Document) -> dict:
    versions = list(d.versions.all())
    return {"id": d.id, "title": d.title, "number": d.number, "date": d.date,
            "authority": d.authority, "category": d.category,
            "category_label": in_chinese(d.get_category_display), "retention": d.retention,
            "retention_years": d.retention_years,
            "retention_label": in_chinese(lambda: d.retention_label),
            "published_on": d.published_on, "public": policies.is_public(d),
            "description": d.description, "created_by": d.created_by.username,
            "created_at": d.created_at,
            "latest_version": max((v.version for v in versions), default=None),
            "links": [link_out(link) for link in d.links.all()]}


def detail(user, document_id: int) -> dict:
    d = selectors.document_for(user, document_id)
    return document_out(d) | {"versions": [version_out(v) for v in d.versions.all()]}


def _private(response: HttpResponse, public: bool) -> None:
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"


def parse_links(raw: str | None) -> list[tuple[str, int]]:
    """"proposal:12,place:7" → [("proposal", 12), ("place", 7)]."""
    out = []
    for part in filter(None, (p.strip() for p in (raw or "").split(","))):
        kind, _, number = part.partition(":")
        if not number.isdigit():
            raise BadRequest.of(gettext_noop("links: %(part)r: expected kind:id (e.g. "
                                             "proposal:12)"), part=part)
        out.append((kind.strip(), int(number)))
    return out


@router.post("/archives", response={201: ArchiveDocumentDetailOut})
def archive_upload(request, file: File[UploadedFile], title: Form[str], category: Form[str],
                   retention: Form[str], retention_years: Form[int | None] = None,
                   number: Form[str] = "", date: Form[date | None] = None,
                   authority: Form[str] = "", description: Form[str] = "",
                   links: Form[str | None] = None, note: Form[str] = ""):
    """Upload a document (the archive office): its type is read from its content, its
    size checked before it is read, and it is virus-scanned where ClamAV is installed.
    ``links``: the records it supports, as ``kind:id`` separated by commas."""
    services.check_declared_size(file)
    d = services.document_upload(
        actor=request.auth, file=file, title=title, category=category, retention=retention,
        retention_years=retention_years, number=number, date=date, authority=authority,
        description=description, links=parse_links(links), note=note)
    return 201, detail(request.auth, d.id)


@router.get("/archives", response=ArchivePageOut, auth=READ_AUTH)
def archive_list(request, response: HttpResponse, filters: Query[ArchiveSearchIn]):
    """The catalogue: search by title or number, category, date range and linked record."""
    _private(response, public=not request.auth.is_authenticated)
    qs = selectors.search(request.auth, _search(filters))
    return paginate(qs, filters.limit, filters.offset,
                    lambda rows: [document_out(d) for d in rows])


def _search(filters: ArchiveSearchIn) -> selectors.Search:
    return selectors.Search(**filters.dict(exclude={"limit", "offset"}))


@router.get("/archives/catalogue.csv", auth=READ_AUTH)
def archive_catalogue_csv(request, filters: Query[ArchiveSearchIn]):
    """The catalogue as CSV (UTF-8 with a BOM, for Excel), every match (no paging)."""
    body = catalogue.as_csv(selectors.search(request.auth, _search(filters)))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="archive-catalogue.csv"'
    _private(response, public=not request.auth.is_authenticated)
    return response


@router.get("/archives/catalogue.pdf", auth=READ_AUTH)
def archive_catalogue_pdf(request, filters: Query[ArchiveSearchIn]):
    """The catalogue as a PDF table (plain PDF, not PDF/A)."""
    body = catalogue.as_pdf(selectors.search(request.auth, _search(filters)))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="archive-catalogue.pdf"'
    _private(response, public=not request.auth.is_authenticated)
    return response


@router.get("/archives/{int:document_id}", response=ArchiveDocumentDetailOut, auth=READ_AUTH)
def archive_detail(request, response: HttpResponse, document_id: int):
    """A document with its versions (oldest first) and the records it is linked to."""
    out = detail(request.auth, document_id)
    _private(response, public=out["public"])
    return out


@router.get("/archives/{int:document_id}/versions/{int:version}/download", auth=READ_AUTH,
            url_name="archive_download")
def archive_download(request, document_id: int, version: int):
    """One version's file, always as an attachment (never shown inline)."""
    v = selectors.version_for(request.auth, document_id, version)
    response = FileResponse(selectors.version_file(v), as_attachment=True,
                            filename=f"archive-{document_id}-v{version}"
                                     f"{extension_for(v.media_type)}",
                            content_type=v.media_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["ETag"] = f'"{v.sha256}"'
    response["Digest"] = f"sha-256={v.sha256}"
    _private(response, public=policies.is_public(v.document))
    return response


@router.post("/archives/{int:document_id}/versions", response={201: ArchiveDocumentDetailOut})
def archive_version_add(request, document_id: int, file: File[UploadedFile], note: Form[str]):
    """A corrected file: the next version; the earlier ones stay readable."""
    services.check_declared_size(file)
    services.document_version_add(actor=request.auth, document_id=document_id, file=file,
                                  note=note)
    return 201, detail(request.auth, document_id)


@router.post("/archives/{int:document_id}/links", response={201: ArchiveLinkOut})
def archive_link(request, document_id: int, payload: ArchiveLinkIn):
    link = services.document_link(actor=request.auth, document_id=document_id,
                                  kind=payload.kind, target_id=payload.target_id)
    return 201, link_out(link)


@router.delete("/archives/{int:document_id}/links/{int:link_id}", response={204: None})
def archive_unlink(request, document_id: int, link_id: int):
    services.document_unlink(actor=request.auth, document_id=document_id, link_id=link_id)
    return 204, None


@router.post("/archives/{int:document_id}/publish", response=ArchiveDocumentOut)
def archive_publish(request, document_id: int, payload: ArchivePublishIn):
    """Make a decision (批准文件), announcement (公告) or agreement (界线协议书) public."""
    permissions.require(request.auth, "archive.publish")
    services.document_publish(actor=request.auth, document_id=document_id,
                              published_on=payload.published_on)
    return document_out(selectors.document_for(request.auth, document_id))
