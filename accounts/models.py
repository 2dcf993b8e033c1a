"""API tokens. Users and their roles (Django groups) are django.contrib.auth's.

The token table keeps the name it had when tokens lived in the proposals app.
"""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import pgettext_lazy


class TokenScope(models.TextChoices):
    READ = "read", pgettext_lazy("token scope", "read only (GET, HEAD, OPTIONS)")
    READ_WRITE = "read-write", pgettext_lazy("token scope", "read and write")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # to tell tokens apart in lists
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    scope = models.CharField(max_length=10, choices=TokenScope.choices,
                             default=TokenScope.READ_WRITE)
    revoked = models.BooleanField(default=False)

    class Meta:
        db_table = "proposals_apitoken"
        constraints = [models.CheckConstraint(condition=Q(scope__in=TokenScope.values),
                                              name="apitoken_scope")]

    def __str__(self):
        return f"{self.prefix}… {self.name} ({self.user})"
