"""Reads of the archives: which documents a user may see, the catalogue's search, one
document with its versions and links, one version to download."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext, gettext_noop

from boundaries.codes import code_prefix, parse_code
from boundaries.models import BoundaryLine
from boundaries.temporal import today
from config.errors import BadRequest, Forbidden, NotFound
from inspections.models import Inspection
from inspections.selectors import readable as inspections_readable
from inspections.transitions import MACHINE as INSPECTION_STEPS
from proposals.selectors import visible as proposals_visible
from proposals.transitions import MACHINE as PROPOSAL_STEPS

from . import policies
from .models import PUBLIC_CATEGORIES, Category, Document, DocumentLink, DocumentVersion
from .storage import archive_storage

LINK_RELATED = ["division_event", "line", "marker_state__marker", "place", "proposal",
                "proposal_transition__proposal", "inspection__line",
                "inspection_transition__inspection__line", "hazard__line"]


def public_q(on: date | None = None) -> Q:
    return Q(category__in=sorted(PUBLIC_CATEGORIES), published_on__lte=on or today())


def visible(user) -> QuerySet:
    """The documents the user (anonymous too) may read (archives.policies, in SQL)."""
    qs = Document.objects.all()
    if policies.reads_all(user):
        return qs
    if not getattr(user, "is_authenticated", False):
        return qs.filter(public_q())
    proposals = proposals_visible(user).values("id")
    inspections = inspections_readable(user, Inspection.objects.all()).values("id")
    links = DocumentLink.objects.filter(
        Q(proposal__in=proposals) | Q(proposal_transition__proposal__in=proposals)
        | Q(inspection__in=inspections)
        | Q(inspection_transition__inspection__in=inspections)
        | Q(hazard__inspection__in=inspections)).values("document_id")
    return qs.filter(public_q() | Q(id__in=links))


@dataclass(frozen=True)
class Search:
    q: str | None = None
    number: str | None = None
    category: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    division: str | None = None
    line: int | None = None
    place: int | None = None
    proposal: int | None = None
    inspection: int | None = None
    published: bool | None = None


def _division_links(raw: str) -> QuerySet:
    """Links to records in the division or under it: changes it took part in, lines it is
    a side of, places in it, its proposals, inspections and hazards of its lines."""
    prefix, _ = code_prefix(*parse_code(raw))
    q = Q()
    for path in ("line__", "inspection__line__", "inspection_transition__inspection__line__",
                 "hazard__line__", "marker_state__marker__lines__"):
        q |= Q(**{f"{path}left_code__startswith": prefix}) \
            | Q(**{f"{path}right_code__startswith": prefix})
    q |= Q(division_event__inputs__code__startswith=prefix) \
        | Q(division_event__outputs__code__startswith=prefix) \
        | Q(proposal__division_code__startswith=prefix) \
        | Q(proposal_transition__proposal__division_code__startswith=prefix) \
        | Q(place__divisions__division_code__startswith=prefix)
    return DocumentLink.objects.filter(q).values("document_id")


def _line_links(line_id: int) -> QuerySet:
    """Links to any version of the line (same level and sides), its inspections, their
    signatures, its hazards and its markers' states."""
    line = BoundaryLine.objects.filter(id=line_id).first()
    if line is None:
        raise NotFound.of(gettext_noop("no border line %(id)s"), id=line_id)
    same = BoundaryLine.objects.filter(level=line.level, left_code=line.left_code,
                                       right_code=line.right_code).values("id")
    return DocumentLink.objects.filter(
        Q(line__in=same) | Q(inspection__line__in=same) | Q(hazard__line__in=same)
        | Q(inspection_transition__inspection__line__in=same)
        | Q(marker_state__marker__lines__in=same)).values("document_id")


def _filtered(qs: QuerySet, s: Search) -> QuerySet:
    if s.category:
        if s.category not in Category.values:
            raise BadRequest.of(gettext_noop("category %(category)r: expected one of "
                                             "%(known)s"),
                                category=s.category, known=", ".join(Category.values))
        qs = qs.filter(category=s.category)
    if s.q:
        qs = qs.filter(Q(title__icontains=s.q) | Q(number__icontains=s.q)
                       | Q(description__icontains=s.q))
    if s.number:
        qs = qs.filter(number__icontains=s.number.strip())
    if s.date_from:
        qs = qs.filter(date__gte=s.date_from)
    if s.date_to:
        qs = qs.filter(date__lte=s.date_to)
    if s.date_from and s.date_to and s.date_from > s.date_to:
        raise BadRequest.of(gettext_noop("date_from %(since)s is after date_to %(until)s"),
                            since=str(s.date_from), until=str(s.date_to))
    if s.division:
        qs = qs.filter(id__in=_division_links(s.division))
    if s.line is not None:
        qs = qs.filter(id__in=_line_links(s.line))
    if s.place is not None:
        qs = qs.filter(id__in=DocumentLink.objects.filter(
            Q(place_id=s.place) | Q(proposal__place_id=s.place)
            | Q(proposal__published_place_id=s.place)).values("document_id"))
    if s.proposal is not None:
        qs = qs.filter(id__in=DocumentLink.objects.filter(
            Q(proposal_id=s.proposal) | Q(proposal_transition__proposal_id=s.proposal))
            .values("document_id"))
    if s.inspection is not None:
        qs = qs.filter(id__in=DocumentLink.objects.filter(
            Q(inspection_id=s.inspection) | Q(inspection_transition__inspection_id=s.inspection)
            | Q(hazard__inspection_id=s.inspection)).values("document_id"))
    if s.published is not None:
        qs = qs.filter(public_q()) if s.published else qs.exclude(public_q())
    return qs


def search(user, s: Search) -> QuerySet:
    """The catalogue: the documents the user may read that match, newest date first."""
    qs = _filtered(visible(user), s)
    return (qs.select_related("created_by").annotate(version_count=Count("versions"))
            .prefetch_related("versions", Prefetch(
                "links", queryset=DocumentLink.objects.select_related(*LINK_RELATED)))
            .order_by("-date", "-id"))


def document_for(user, document_id: int) -> Document:
    """The document with its versions and links, for a user who may read it."""
    found = (Document.objects.filter(id=document_id).select_related("created_by")
             .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects
                                        .select_related("uploaded_by", "supersedes")), Prefetch(
                 "links", queryset=DocumentLink.objects.select_related(
                     "linked_by", *LINK_RELATED))).first())
    if found is None:
        raise NotFound.of(gettext_noop("no document %(id)s"), id=document_id)
    why = policies.read_refusal(user, found)
    if why is not None:
        # anonymous callers are told the document is not theirs, not that it exists
        raise (NotFound.of(gettext_noop("no document %(id)s visible to you"), id=document_id)
               if not getattr(user, "is_authenticated", False) else Forbidden(why))
    return found


def version_for(user, document_id: int, version: int):
    document = document_for(user, document_id)
    found = next((v for v in document.versions.all() if v.version == version), None)
    if found is None:
        raise NotFound.of(gettext_noop("document %(id)s has no version %(version)s"),
                          id=document_id, version=version)
    return found


def version_file(version):
    """The version's file, opened from the archives storage."""
    try:
        return archive_storage().open(version.storage_name, "rb")
    except FileNotFoundError as exc:
        raise NotFound.of(gettext_noop("document %(id)s version %(version)s: its file "
                                       "%(file)s is missing from the archive storage (tell "
                                       "the archive office)"),
                          id=version.document_id, version=version.version,
                          file=version.storage_name) from exc


def link_label(link: DocumentLink) -> str:
    """The linked record in words, in the active language (the pages; the catalogue and
    the API say it in Chinese: config.said.in_chinese)."""
    kind = link.kind
    target = getattr(link, kind)
    if kind == "division_event":
        return f"{target.effective_date} {target.get_kind_display()} {target.subkind}".strip()
    if kind in ("line", "place"):
        return target.name
    if kind == "marker_state":
        return f"{target.marker.number} {target.get_status_display()} {target.valid_from}"
    if kind == "proposal":
        return f"{target.get_kind_display()} {target.name}"
    if kind == "proposal_transition":
        return f"{target.proposal.name} {PROPOSAL_STEPS.label(target.action)}"
    if kind == "inspection":
        return _round(target)
    if kind == "inspection_transition":
        return f"{_round(target.inspection)} {INSPECTION_STEPS.label(target.action)}"
    return f"{target.line.name} {target.description[:30]}"


def _round(inspection) -> str:
    return gettext("%(line)s, round %(round)s") % {"line": inspection.line.name,
                                                   "round": inspection.round}
