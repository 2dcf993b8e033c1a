"""Session and bearer-token authentication; tokens are stored as SHA-256 digests.

A token is refused (401) once revoked or expired; a read-scope token may only read:
an unsafe method with it is 403. Inactive users (the system actor among them) are
never authenticated, by token or by session.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_noop
from ninja.security import HttpBearer, django_auth

from config.errors import Forbidden

from .models import ApiToken, TokenScope
from .selectors import token_in_force

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = token_in_force(token)
        if found is None:
            return None
        if found.scope == TokenScope.READ and request.method not in SAFE_METHODS:
            raise Forbidden.of(gettext_noop("token %(prefix)s… has the scope read: it may not "
                                            "%(method)s; use a read-write token"),
                               prefix=found.prefix, method=request.method)

        now = timezone.now()
        # Stamping every request would turn reads into writes; a minute is precise enough.
        if found.last_used_at is None or now - found.last_used_at > timedelta(minutes=1):
            ApiToken.objects.filter(id=found.id).update(last_used_at=now)
        # The user object lives for this request only: what the credential allows goes with
        # it, so that "next actions" offer no write to a read-only token.
        found.user.token_scope = found.scope
        request.user = found.user
        return found.user


AUTH = [TokenAuth(), django_auth]


def request_user(request):
    """Who asks, for a page outside the API: the signed-in user, else the bearer token's
    owner (a report fetched by a script), else None."""
    if request.user.is_authenticated:
        return request.user
    return TokenAuth()(request)
