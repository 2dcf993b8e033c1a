"""Joint inspections of border lines (界线联检), their survey uploads and the hazard register.

Every five years the two sides of a line inspect it together: each side's team surveys
the markers and the line and uploads its files, the registry reconciles the surveys with
the registered record, both sides sign the joint result and the office archives it.
Transitions, signatures voided by later changes and hazard status changes are rows of
their own that the database refuses to update or delete (the *_append_only triggers,
function inspections_append_only).
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class State(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("inspection state", "planned")
    SURVEYING = "surveying", pgettext_lazy("inspection state", "surveying")
    RECONCILING = "reconciling", pgettext_lazy("inspection state", "reconciling")
    SIGNED_A = "signed_a", pgettext_lazy("inspection state", "signed by side A")
    SIGNED_B = "signed_b", pgettext_lazy("inspection state", "signed by side B")
    SIGNED = "signed", pgettext_lazy("inspection state", "signed by both sides")
    ARCHIVED = "archived", pgettext_lazy("inspection state", "archived")


class Side(models.TextChoices):
    # Side A is the line's left division (the lower code), side B its right one.
    A = "A", pgettext_lazy("inspection side", "side A")
    B = "B", pgettext_lazy("inspection side", "side B")


OPEN_STATES = [State.PLANNED, State.SURVEYING, State.RECONCILING, State.SIGNED_A,
               State.SIGNED_B]
UNSIGNED_STATES = [State.PLANNED, State.SURVEYING, State.RECONCILING]


class Inspection(models.Model):
    line = models.ForeignKey("boundaries.BoundaryLine", on_delete=models.PROTECT,
                             related_name="inspections")
    round = models.PositiveSmallIntegerField()  # 第N轮
    year = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    state = models.CharField(max_length=12, choices=State.choices, default=State.PLANNED)
    # The two sides' teams; NULL only for an earlier round recorded from paper.
    team_a = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    team_b = models.ForeignKey(Group, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    note = models.TextField(blank=True, default="")
    # The last reconciliation (inspections.reconcile) as JSON: what both sides sign.
    results = models.JSONField(default=dict, blank=True)
    reconciled_at = models.DateTimeField(null=True, blank=True)
    signed_a_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    signed_a_at = models.DateTimeField(null=True, blank=True)
    signed_b_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    signed_b_at = models.DateTimeField(null=True, blank=True)
    # The day both sides had signed: the inspection's date for the five-year cycle.
    completed_on = models.DateField(null=True, blank=True)
    # What accepting the results wrote: marker states, new line version, draft events.
    applied = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["state", "due_date"], name="inspection_state_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=State.values), name="inspection_state"),
            models.CheckConstraint(condition=Q(round__gte=1), name="inspection_round_positive"),
            models.UniqueConstraint(fields=["line", "round"], name="inspection_one_per_round"),
            models.UniqueConstraint(fields=["line"], condition=Q(state__in=OPEN_STATES),
                                    name="inspection_one_open_per_line"),
            models.CheckConstraint(
                condition=Q(team_a__isnull=False, team_b__isnull=False)
                & ~Q(team_a=models.F("team_b")) | Q(state=State.ARCHIVED),
                name="inspection_two_teams"),
            models.CheckConstraint(
                condition=Q(signed_a_by__isnull=True, signed_a_at__isnull=True)
                | Q(signed_a_by__isnull=False, signed_a_at__isnull=False),
                name="inspection_signature_a_whole"),
            models.CheckConstraint(
                condition=Q(signed_b_by__isnull=True, signed_b_at__isnull=True)
                | Q(signed_b_by__isnull=False, signed_b_at__isnull=False),
                name="inspection_signature_b_whole"),
            # The state says who has signed; an archived inspection may be an earlier
            # round recorded from paper, without signatures in the registry.
            models.CheckConstraint(
                condition=Q(state__in=UNSIGNED_STATES, signed_a_at__isnull=True,
                            signed_b_at__isnull=True)
                | Q(state=State.SIGNED_A, signed_a_at__isnull=False, signed_b_at__isnull=True)
                | Q(state=State.SIGNED_B, signed_a_at__isnull=True, signed_b_at__isnull=False)
                | Q(state=State.SIGNED, signed_a_at__isnull=False, signed_b_at__isnull=False)
                | Q(state=State.ARCHIVED),
                name="inspection_signatures_match_state"),
            models.CheckConstraint(
                condition=Q(state__in=[State.SIGNED, State.ARCHIVED], completed_on__isnull=False)
                | Q(state__in=OPEN_STATES, completed_on__isnull=True),
                name="inspection_completed_iff_signed"),
        ]

    def __str__(self):
        return f"{self.line.name} 第{self.round}轮 ({self.get_state_display()})"

    def team(self, side: str) -> Group:
        return self.team_a if side == Side.A else self.team_b


class InspectionTransition(models.Model):
    """Who moved the inspection, or voided a signature, when and why (append-only)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT,
                                   related_name="transitions")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=12)
    to_state = models.CharField(max_length=12)
    # The command line acts as the system actor (accounts.services.system_actor()).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    note = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["inspection", "at"], name="insp_transition_idx")]


class SurveyUploadQuerySet(models.QuerySet):
    def current(self):
        """The surveys that count: confirmed, neither withdrawn nor replaced (in SQL:
        ``u.confirmed AND u.withdrawn_at IS NULL``)."""
        return self.filter(confirmed=True, withdrawn_at__isnull=True)



class SurveyUpload(models.Model):
    """One survey file of one side, read by importers.survey: a preview until confirmed."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="uploads")
    side = models.CharField(max_length=1, choices=Side.choices)
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=30)
    crs = models.CharField(max_length=30)
    crs_source = models.CharField(max_length=10)
    encoding = models.CharField(max_length=30)
    # how the file reached CGCS2000: {description, accuracy_m, ballpark, parameters}
    transformation = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=list, blank=True)
    feature_count = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # Withdrawn by its side, or superseded by the side's replacement, until the inspection
    # is accepted: kept with its features, no longer part of the surveys. The database
    # keeps a confirmed upload and its withdrawal as written (trigger
    # inspections_surveyupload_kept).
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True, default="")
    replaced_by = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="replaces")

    objects = SurveyUploadQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(side__in=Side.values), name="upload_side"),
            models.CheckConstraint(condition=Q(confirmed=False, confirmed_at__isnull=True)
                                   | Q(confirmed=True, confirmed_at__isnull=False),
                                   name="upload_confirmed_when"),
            models.CheckConstraint(condition=Q(withdrawn_by__isnull=True,
                                               withdrawn_at__isnull=True)
                                   | Q(withdrawn_by__isnull=False, withdrawn_at__isnull=False),
                                   name="upload_withdrawal_whole"),
            models.CheckConstraint(condition=Q(replaced_by__isnull=True)
                                   | Q(withdrawn_at__isnull=False, confirmed=True)
                                   & ~Q(replaced_by=models.F("id")),
                                   name="upload_replaced_when_withdrawn"),
        ]

    @property
    def status(self) -> str:
        if self.replaced_by_id is not None:
            return "superseded"
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "confirmed" if self.confirmed else "preview"


class SurveyFeature(models.Model):
    """A staged feature of an upload, in EPSG:4490; ``number`` is the marker number if any."""

    upload = models.ForeignKey(SurveyUpload, on_delete=models.CASCADE, related_name="features")
    idx = models.IntegerField()
    layer = models.CharField(max_length=255, blank=True, default="")
    number = models.CharField(max_length=50, blank=True, default="")
    geom = models.GeometryField(srid=4490, null=True, blank=True)
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["upload", "idx"],
                                               name="survey_feature_unique_idx")]


class Severity(models.TextChoices):
    LOW = "low", pgettext_lazy("hazard severity", "minor")
    MEDIUM = "medium", pgettext_lazy("hazard severity", "serious")
    HIGH = "high", pgettext_lazy("hazard severity", "grave")


class HazardStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("hazard status", "open")
    MEDIATION = "mediation", pgettext_lazy("hazard status", "under mediation")
    RESOLVED = "resolved", pgettext_lazy("hazard status", "resolved")


class Hazard(models.Model):
    """A dispute or hazard along a line (纠纷隐患); its status changes are HazardChange rows."""

    line = models.ForeignKey("boundaries.BoundaryLine", on_delete=models.PROTECT,
                             related_name="hazards")
    inspection = models.ForeignKey(Inspection, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="hazards")
    location = models.PointField(srid=4490)
    description = models.TextField()
    severity = models.CharField(max_length=8, choices=Severity.choices)
    status = models.CharField(max_length=10, choices=HazardStatus.choices,
                              default=HazardStatus.OPEN)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(severity__in=Severity.values),
                                   name="hazard_severity"),
            models.CheckConstraint(condition=Q(status__in=HazardStatus.values),
                                   name="hazard_status"),
            models.CheckConstraint(condition=~Q(description=""), name="hazard_described"),
        ]


class HazardChange(models.Model):
    """One status change of a hazard (the first one records it), append-only."""

    hazard = models.ForeignKey(Hazard, on_delete=models.PROTECT, related_name="changes")
    from_status = models.CharField(max_length=10, blank=True, default="")
    to_status = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    note = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)
