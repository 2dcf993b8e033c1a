"""Division change proposals (区划变更方案): draft → approved → executed, or withdrawn.

A proposal holds the operations of mergers.operations, exactly as a scenario does, with
the effective date and the approval document; executing it (mergers.execution) writes
the new division versions and the events linking them, in one transaction. Every move
is a ChangeTransition row, append-only in the database (mergers_append_only).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class ChangeKind(models.TextChoices):
    MERGE = "merge", pgettext_lazy("division change", "merger")
    SPLIT = "split", pgettext_lazy("division change", "split")
    TRANSFER = "transfer", pgettext_lazy("division change", "transfer to another parent")
    RENAME = "rename", pgettext_lazy("division change", "renaming")
    KIND_CHANGE = "kind_change", pgettext_lazy("division change", "change of kind")
    ESTABLISH_STREET = "establish_street", pgettext_lazy("division change", "new subdistrict")
    BOUNDARY = "boundary", pgettext_lazy("division change", "boundary adjustment")


class ChangeState(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("division change state", "draft")
    APPROVED = "approved", pgettext_lazy("division change state", "approved")
    EXECUTED = "executed", pgettext_lazy("division change state", "executed")
    WITHDRAWN = "withdrawn", pgettext_lazy("division change state", "withdrawn")


class DivisionChange(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=ChangeKind.choices)
    # 撤县设市, 撤县设区, 撤乡设镇, 撤镇设街道 …
    subkind = models.CharField(max_length=40, blank=True, default="")
    description = models.TextField(blank=True, default="")
    # mergers.operations.Operation dicts, in the order they are carried out
    operations = models.JSONField(default=list)
    effective_date = models.DateField()
    approval_document = models.CharField(max_length=200, blank=True, default="")
    approving_authority = models.CharField(max_length=200, blank=True, default="")
    # Whether villages of a township that gets a new code take its prefix (the county's
    # practice; the statistical tables usually do).
    recode_villages = models.BooleanField(default=True)
    state = models.CharField(max_length=20, choices=ChangeState.choices,
                             default=ChangeState.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    # What execution wrote: event ids, old → new codes, lines, markers, places, seconds.
    result = models.JSONField(default=dict, blank=True)
    # The scenario it was drafted from (its operations are copied: the scenario may change
    # or go, the proposal keeps what was approved).
    scenario = models.ForeignKey("mergers.Scenario", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="proposals")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(state__in=ChangeState.values),
                                   name="division_change_state"),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "executed"])
                | (~Q(approval_document="") & ~Q(approving_authority="")),
                name="division_change_approved_has_document"),
        ]

    def __str__(self):
        return f"{self.effective_date} {self.title} ({self.state})"


class ChangeTransition(models.Model):
    change = models.ForeignKey(DivisionChange, on_delete=models.PROTECT,
                               related_name="transitions")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="+")
    note = models.TextField(blank=True, default="")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["change", "at"], name="change_transition_idx")]

    def __str__(self):
        return f"{self.change_id} {self.action}: {self.from_state} → {self.to_state}"
