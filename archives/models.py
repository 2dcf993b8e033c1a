"""Place-name and division archives (地名档案): documents, their file versions and the
records they support.

A document is the catalogue entry (title, 文号, date, issuing authority, 档案分类,
保管期限, published or not). Its files are versions: a correction is a new version that
supersedes the one before, and an old version stays readable; the versions table is
append-only in the database (trigger archives_documentversion_append_only, and the app
role has only SELECT and INSERT on it: ops.roles.HISTORY_MODELS).

Links name the record a document supports by an explicit nullable foreign key per kind,
exactly one set (constraint archive_link_one_target). Foreign keys rather than a
(kind, id) pair: the database keeps them valid (a linked proposal cannot be deleted from
under its archive, PROTECT), and the catalogue's searches by division code, line or
place are plain joins to the records' own columns.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_noop, pgettext, pgettext_lazy


class Category(models.TextChoices):
    APPROVAL = "approval", pgettext_lazy("archive category", "approval")
    ANNOUNCEMENT = "announcement", pgettext_lazy("archive category", "announcement")
    AGREEMENT = "agreement", pgettext_lazy("archive category", "boundary agreement")
    DETAILED_MAP = "detailed_map", pgettext_lazy("archive category", "detailed boundary map")
    INSPECTION_REPORT = "inspection_report", pgettext_lazy(
        "archive category", "joint inspection report")
    EXPERT_OPINION = "expert_opinion", pgettext_lazy("archive category", "expert opinion")
    OTHER = "other", pgettext_lazy("archive category", "other")


# Decisions, announcements and agreements are public once published (archives.policies).
PUBLIC_CATEGORIES = frozenset({Category.APPROVAL, Category.ANNOUNCEMENT, Category.AGREEMENT})


class Retention(models.TextChoices):
    PERMANENT = "permanent", pgettext_lazy("retention", "permanent")
    LONG = "long", pgettext_lazy("retention", "long-term")
    SHORT = "short", pgettext_lazy("retention", "short-term")
    # a number of years, in retention_years
    YEARS = "years", pgettext_lazy("retention", "fixed term")


class ScanStatus(models.TextChoices):
    CLEAN = "clean", pgettext_lazy("scan status", "scanned, clean")
    # no ClamAV on the server: stored, and the catalogue says it was not scanned
    NOT_SCANNED = "not_scanned", pgettext_lazy("scan status", "not scanned")


class Document(models.Model):
    title = models.CharField(max_length=300)
    number = models.CharField(max_length=100, blank=True, default="")  # 文号
    date = models.DateField(null=True, blank=True)
    authority = models.CharField(max_length=200, blank=True, default="")
    category = models.CharField(max_length=20, choices=Category.choices)
    retention = models.CharField(max_length=10, choices=Retention.choices)
    retention_years = models.PositiveSmallIntegerField(null=True, blank=True)
    # Set when the document is made public (only the public categories may be).
    published_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["number"], name="archive_doc_number_idx"),
            models.Index(fields=["category", "date"], name="archive_doc_category_idx"),
            models.Index(fields=["date"], name="archive_doc_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values),
                                   name="archive_doc_category"),
            models.CheckConstraint(
                condition=Q(retention="years", retention_years__gte=1)
                | Q(retention__in=["permanent", "long", "short"], retention_years__isnull=True),
                name="archive_doc_retention"),
            models.CheckConstraint(
                condition=Q(published_on__isnull=True)
                | Q(category__in=sorted(PUBLIC_CATEGORIES)),
                name="archive_doc_published_public_kind"),
            models.CheckConstraint(condition=~Q(title=""), name="archive_doc_titled"),
        ]

    def __str__(self):
        return f"{self.number or '—'} {self.title}"

    @property
    def retention_label(self) -> str:
        if self.retention == Retention.YEARS:
            return pgettext("retention", "%(years)d years") % {"years": self.retention_years}
        return self.get_retention_display()


class DocumentVersion(models.Model):
    """One file of a document, never changed (append-only)."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by")
    # the key in the archives storage (settings.STORAGES["archives"])
    storage_name = models.CharField(max_length=300, unique=True)
    original_name = models.CharField(max_length=255, blank=True, default="")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    media_type = models.CharField(max_length=100)
    # what the content is, in words: "PDF", "GeoTIFF", "Word (OOXML)" …
    format = models.CharField(max_length=40)
    scan_status = models.CharField(max_length=12, choices=ScanStatus.choices)
    scan_detail = models.CharField(max_length=300, blank=True, default="")
    note = models.TextField(blank=True, default="")  # why this version (the correction)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"],
                                    name="archive_version_unique"),
            models.CheckConstraint(
                condition=Q(version=1, supersedes__isnull=True)
                | Q(version__gt=1, supersedes__isnull=False),
                name="archive_version_supersedes"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                                   name="archive_version_sha256"),
            models.CheckConstraint(condition=Q(size__gt=0), name="archive_version_size"),
            models.CheckConstraint(condition=Q(scan_status__in=ScanStatus.values),
                                   name="archive_version_scan_status"),
        ]

    def __str__(self):
        return f"{self.document_id} v{self.version}"


# The link kinds: field name → (model label, what it is in words).
# kind: (model, what it is: marked for the pages, which say it in their language)
LINK_TARGETS = {
    "division_event": ("boundaries.DivisionEvent", gettext_noop("division change")),
    "line": ("boundaries.BoundaryLine", gettext_noop("border line version")),
    "marker_state": ("boundaries.MarkerState", gettext_noop("marker state")),
    "place": ("gazetteer.Place", gettext_noop("place")),
    "proposal": ("proposals.Proposal", gettext_noop("proposal")),
    "proposal_transition": ("proposals.Transition", gettext_noop("proposal transition")),
    "inspection": ("inspections.Inspection", gettext_noop("inspection")),
    # a signature is the inspection's sign_a / sign_b transition
    "inspection_transition": ("inspections.InspectionTransition",
                              gettext_noop("inspection transition")),
    "hazard": ("inspections.Hazard", gettext_noop("hazard")),
}


def _one_target() -> Q:
    """Exactly one target set: each alone, the others NULL."""
    names = list(LINK_TARGETS)
    out = Q()
    for name in names:
        out |= Q(**{f"{name}__isnull": False},
                 **{f"{other}__isnull": True for other in names if other != name})
    return out


class DocumentLink(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links")
    division_event = models.ForeignKey("boundaries.DivisionEvent", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    line = models.ForeignKey("boundaries.BoundaryLine", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    marker_state = models.ForeignKey("boundaries.MarkerState", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey("gazetteer.Place", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    proposal_transition = models.ForeignKey("proposals.Transition", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    inspection = models.ForeignKey("inspections.Inspection", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    inspection_transition = models.ForeignKey("inspections.InspectionTransition", null=True,
                                              blank=True, on_delete=models.PROTECT,
                                              related_name="+")
    hazard = models.ForeignKey("inspections.Hazard", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="+")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=_one_target(), name="archive_link_one_target"),
            *[models.UniqueConstraint(fields=["document", name], name=f"archive_link_{name}_once")
              for name in LINK_TARGETS],
        ]
        # index names are limited to 30 characters: numbered in LINK_TARGETS' order
        indexes = [models.Index(fields=[name], name=f"archive_link_{i}_idx",
                                condition=Q(**{f"{name}__isnull": False}))
                   for i, name in enumerate(LINK_TARGETS)]

    def __str__(self):
        return f"{self.document_id} → {self.kind} {self.target_id}"

    @property
    def kind(self) -> str:
        return next(name for name in LINK_TARGETS if getattr(self, f"{name}_id") is not None)

    @property
    def target_id(self) -> int:
        return getattr(self, f"{self.kind}_id")

