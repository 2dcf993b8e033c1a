"""Writes of accounts: API tokens, and the system actor commands act as."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from config.errors import BadRequest, NotFound

from .models import ApiToken, TokenScope, digest
from .roles import SYSTEM


def default_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


@transaction.atomic
def token_create(*, user, name: str, expires_at: datetime | None = None,
                 scope: str = TokenScope.READ_WRITE) -> tuple[ApiToken, str]:
    """A new token for the user: the plain token is returned once and never stored.
    It expires after settings.API_TOKEN_LIFETIME_DAYS unless ``expires_at`` says otherwise."""
    if scope not in TokenScope.values:
        raise BadRequest.of(gettext_noop("scope %(scope)r: expected one of %(expected)s"),
                            scope=scope, expected=", ".join(TokenScope.values))
    now = timezone.now()
    expires_at = expires_at or default_expiry(now)
    if timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if expires_at <= now:
        raise BadRequest.of(gettext_noop("expires_at %(expires_at)s: not in the future"),
                            expires_at=expires_at.isoformat())
    plain = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=digest(plain), prefix=plain[:8],
                                    expires_at=expires_at, scope=scope)
    return token, plain


@transaction.atomic
def token_revoke(*, user, token_id: int) -> ApiToken:
    token = ApiToken.objects.select_for_update().filter(id=token_id, user=user).first()
    if token is None:
        raise NotFound.of(gettext_noop("no token %(id)s of yours"), id=token_id)

    token.revoked = True
    token.save(update_fields=["revoked"])
    return token


def system_actor():
    """The user management commands and the demo loader act as (accounts.roles.SYSTEM).

    A migration creates it; a test database emptied by a flush gets it back here."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM, defaults={"is_active": False,
                                   "first_name": "registry", "last_name": "system"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    if user.is_active:
        # Someone made a person of it: acting as them would bypass every permission.
        raise RuntimeError(f"the user {SYSTEM!r} is active: it must stay the inactive "
                           "system actor")
    return user
