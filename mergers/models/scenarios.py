"""Merger scenarios (planning: nothing here is written to the registry).

A scenario is a planner's list of operations (mergers.operations) for a county or a
whole prefecture on a date, with the metrics last computed for it. Scenarios are not
history: their author may recompute or delete them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Scenario(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="merger_scenarios")
    title = models.CharField(max_length=200)
    # The county (level 3) or prefecture (level 2) the plan covers, by 12-digit code.
    scope_code = models.CharField(max_length=12)
    scope_level = models.PositiveSmallIntegerField()
    as_of = models.DateField()
    # A list of mergers.operations (MergeOp, TransferOp, RenameOp, KindChangeOp, SplitOp).
    operations = models.JSONField(default=list)
    metrics = models.JSONField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scope_level__in=[2, 3]),
                                   name="scenario_scope_county_or_prefecture"),
            models.CheckConstraint(condition=Q(scope_code__regex=r"^[0-9]{12}$"),
                                   name="scenario_scope_code_12"),
        ]

    def __str__(self):
        return f"{self.id} {self.title}"
