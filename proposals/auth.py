"""Session and bearer-token authentication; tokens are stored as SHA-256 digests."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from config.errors import NotFound

from .models import ApiToken


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = ApiToken.objects.select_related("user").filter(
            digest=digest(token), revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        now = timezone.now()
        # Stamping every request would turn reads into writes; a minute is precise enough.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(id=found.id).update(last_used_at=now)
        request.user = found.user
        return found.user


AUTH = [TokenAuth(), django_auth]


def token_digest_valid(token_digest: str) -> bool:
    """Whether a token with this digest would be accepted (rate limits count it apart)."""
    return ApiToken.objects.filter(digest=token_digest, revoked=False,
                                   user__is_active=True).exists()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for the user: the plain token is returned once and never stored."""
    plain = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=digest(plain), prefix=plain[:8])
    return token, plain


@transaction.atomic
def token_revoke(*, user, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(id=token_id, user=user).first()
    if token is None:
        raise NotFound(f"no token {token_id} of yours")
    token.revoked = True
    token.save(update_fields=["revoked"])
    return token
