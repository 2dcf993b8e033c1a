"""Clean-up campaigns of non-standard names (不规范地名清理整治).

A campaign runs the statutory checks (gazetteer.checks) over the standard names already
in use within a division (or the whole registry) and a set of classes; each run adds
the findings it has not seen (by fingerprint) to the work list. Each finding is
triaged, and every triage is a Triage row, append-only in the database
(campaigns_triage_append_only): keep (with a reason), correct the record, or open a
renaming proposal.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class CampaignState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign state", "not run")
    RUNNING = "running", pgettext_lazy("campaign state", "running")
    DONE = "done", pgettext_lazy("campaign state", "done")
    FAILED = "failed", pgettext_lazy("campaign state", "failed")


class Campaign(models.Model):
    title = models.CharField(max_length=200)
    # The division scope as a 12-digit code and level; empty for the whole registry.
    scope_code = models.CharField(max_length=12, blank=True, default="")
    scope_level = models.PositiveSmallIntegerField(null=True, blank=True)
    # Place class slugs; empty: every class.
    classes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    include_divisions = models.BooleanField(default=False)
    include_signs = models.BooleanField(default=True)
    state = models.CharField(max_length=10, choices=CampaignState.choices,
                             default=CampaignState.DRAFT)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    runs = models.PositiveIntegerField(default=0)
    # What the last run counted (names checked, findings, seconds …).
    last_run = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scope_code="") | Q(scope_code__regex=r"^[0-9]{12}$"),
                                   name="campaign_scope_code_12"),
        ]

    def __str__(self):
        return self.title


class FindingState(models.TextChoices):
    OPEN = "open", pgettext_lazy("finding state", "open")
    KEPT = "kept", pgettext_lazy("finding state", "kept")
    CORRECTED = "corrected", pgettext_lazy("finding state", "corrected")
    PROPOSED = "proposed", pgettext_lazy("finding state", "renaming proposed")


class Subject(models.TextChoices):
    PLACE = "place", pgettext_lazy("campaign subject", "place name")
    DIVISION = "division", pgettext_lazy("campaign subject", "administrative division")
    SIGN = "sign", pgettext_lazy("campaign subject", "place-name sign")


class Finding(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="findings")
    # sha256 of what the finding is about (rule, subject, name, message): the same data
    # gives the same fingerprint in every run and every campaign.
    fingerprint = models.CharField(max_length=64)
    kind = models.CharField(max_length=30)  # duplicate, homophone, banned, charset …
    rule = models.CharField(max_length=30)  # the engine's rule (gazetteer.checks)
    severity = models.CharField(max_length=5)
    subject = models.CharField(max_length=10, choices=Subject.choices)
    place = models.ForeignKey("gazetteer.Place", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    division_code = models.CharField(max_length=12, blank=True, default="")
    sign_code = models.CharField(max_length=40, blank=True, default="")
    name = models.CharField(max_length=100)
    place_class = models.CharField(max_length=40, blank=True, default="")
    detail = models.TextField()
    # detail's msgid and parameters: the pages say it in their language (config.said)
    template = models.CharField(max_length=300, blank=True, default="")
    params = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=10, choices=FindingState.choices,
                             default=FindingState.OPEN)
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    first_run = models.PositiveIntegerField()
    last_run = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["campaign", "state", "kind"], name="finding_work_idx"),
                   models.Index(fields=["fingerprint"], name="finding_fingerprint_idx")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "fingerprint"],
                                    name="finding_unique_fingerprint"),
            models.CheckConstraint(condition=Q(state__in=["open", "kept", "corrected",
                                                          "proposed"]),
                                   name="finding_state_known"),
        ]

    def __str__(self):
        return f"{self.kind} {self.name}"


class TriageAction(models.TextChoices):
    KEEP = "keep", pgettext_lazy("triage action", "keep")
    CORRECT = "correct", pgettext_lazy("triage action", "correct the record")
    PROPOSE = "propose", pgettext_lazy("triage action", "propose a renaming")


class Triage(models.Model):
    """Append-only: the database refuses UPDATE and DELETE (campaigns_triage_append_only)."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="triages")
    action = models.CharField(max_length=10, choices=TriageAction.choices)
    from_state = models.CharField(max_length=10)
    to_state = models.CharField(max_length=10)
    reason = models.TextField(blank=True, default="")
    new_name = models.CharField(max_length=100, blank=True, default="")
    proposal = models.ForeignKey("proposals.Proposal", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(action="keep") | ~Q(reason=""),
                                   name="triage_keep_reason"),
        ]

    def __str__(self):
        return f"{self.action} {self.finding_id}: {self.from_state} → {self.to_state}"
