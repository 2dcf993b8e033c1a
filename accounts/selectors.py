"""Reads of accounts: a user's tokens, and the token a bearer presents."""

from django.db.models import QuerySet
from django.utils import timezone

from .models import ApiToken, digest


def tokens_of(user) -> QuerySet:
    """The user's tokens, newest first (revoked and expired ones too, marked as such)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def _in_force() -> QuerySet:
    # Always the primary, never a replica (config.replicas): a token just made must work at
    # once, and one just revoked must stop at once, whatever a replica has replayed.
    return ApiToken.objects.using("default").filter(revoked=False, expires_at__gt=timezone.now(),
                                   user__is_active=True)


def token_in_force(plain: str) -> ApiToken | None:
    """The token with this plain text if it is neither revoked nor expired, its user active."""
    return _in_force().select_related("user").filter(digest=digest(plain)).first()


def token_digest_valid(token_digest: str) -> bool:
    """Whether a token with this digest would be accepted (rate limits count it apart)."""
    return _in_force().filter(digest=token_digest).exists()
