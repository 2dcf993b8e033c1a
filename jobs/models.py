"""A background job: what was asked, by whom, how far it has got and what came of it.

The row is the job's public face (GET /api/v1/jobs/{id}); the Celery message only carries
its id. Progress is written by the worker as it goes, so a client polling sees it move.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy

from .said import said


class JobState(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("background job state", "queued")
    RUNNING = "running", pgettext_lazy("background job state", "running")
    SUCCEEDED = "succeeded", pgettext_lazy("background job state", "done")
    FAILED = "failed", pgettext_lazy("background job state", "failed")


class Job(models.Model):
    kind = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    params = models.JSONField(default=dict)
    done = models.BigIntegerField(default=0)
    total = models.BigIntegerField(null=True, blank=True)
    message = models.TextField(blank=True, default="")
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    # ``error`` (English, the API's) said in each of the site's languages, for the pages
    # (jobs.said); {} for a failure said only in English.
    error_said = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="jobs")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_by", "-created_at"], name="job_owner_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(done__gte=0) & (Q(total__isnull=True)
                                                               | Q(total__gte=0)),
                                   name="job_progress_counts"),
        ]

    def __str__(self):
        return f"{self.kind} {self.id} ({self.state})"

    def error_in_language(self) -> str:
        """Why the job failed, in the active language (English where it was not said
        with a template)."""
        return said(self.error_said) or self.error
