from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from config.paging import PageOut, page_in


class ArchiveVersionOut(Schema):
    version: int
    supersedes: int | None = Field(None, description="the version this one corrects")
    original_name: str
    size: int
    sha256: str
    media_type: str = Field(description="detected from the content, not the name")
    format: str
    scan_status: str = Field(description="clean, or not_scanned when the server has no ClamAV")
    scan_detail: str
    note: str
    uploaded_by: str
    uploaded_at: datetime
    download: str


class ArchiveLinkOut(Schema):
    id: int
    kind: str
    target_id: int
    label: str


class ArchiveDocumentOut(Schema):
    id: int
    title: str
    number: str = Field(description="文号")
    date: date | None
    authority: str
    category: str
    category_label: str
    retention: str
    retention_years: int | None
    retention_label: str
    published_on: date | None
    public: bool
    description: str
    created_by: str
    created_at: datetime
    latest_version: int | None
    links: list[ArchiveLinkOut]


class ArchiveDocumentDetailOut(ArchiveDocumentOut):
    versions: list[ArchiveVersionOut]


ArchivePageOut = PageOut[ArchiveDocumentOut]


class ArchiveSearchIn(page_in(limit=50, max_limit=500)):
    q: str | None = Field(None, max_length=200, description="in the title, number, description")
    number: str | None = Field(None, max_length=100, description="the document number (文号)")
    category: str | None = Field(None, description="approval, announcement, agreement, "
                                 "detailed_map, inspection_report, expert_opinion, other")
    date_from: date | None = None
    date_to: date | None = None
    division: str | None = Field(None, description="a division code (2–12 digits): documents "
                                 "of records in it or under it")
    line: int | None = Field(None, description="a border line version's id: documents of any "
                             "version of that line, its inspections, hazards and markers")
    place: int | None = Field(None, description="a place's id")
    proposal: int | None = None
    inspection: int | None = None
    published: bool | None = None


class ArchiveLinkIn(Schema):
    kind: str = Field(description="division_event, line, marker_state, place, proposal, "
                      "proposal_transition, inspection, inspection_transition, hazard")
    target_id: int


class ArchivePublishIn(Schema):
    published_on: date | None = Field(None, description="today when omitted")
