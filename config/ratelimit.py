"""Rate limits on the public API, counted in the shared cache (Redis) so that they hold
across gunicorn workers and app servers.

Anonymous clients are counted per IP address (the address nginx saw, from
X-Forwarded-For when the request comes from a trusted proxy); a client with an API token
or a signed-in session gets the higher limit, counted per token or user. A token is taken
by its digest (the answer kept a minute in the cache), so made-up tokens are counted as
their IP. Fixed windows: RATE_LIMIT_ANON = "requests/seconds".
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse

from accounts.selectors import token_digest_valid

from .bearer import bearer_digest as _bearer_digest

LIMITED_PREFIXES = ("/api/", "/ogc/")
VALID_TOKEN_SECONDS = 60


def parse_rate(rate: str) -> tuple[int, int]:
    count, _, seconds = rate.partition("/")
    return int(count), int(seconds or 60)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and remote in settings.RATE_LIMIT_TRUSTED_PROXIES:
        return forwarded.split(",")[-1].strip()  # the address the proxy itself saw
    return remote


def _bucket(request) -> tuple[str, str]:
    """(key, rate) for the request."""
    digest = _bearer_digest(request)
    if digest and _token_valid(digest):
        return f"token:{digest[:32]}", settings.RATE_LIMIT_TOKEN
    user = getattr(request, "user", None)
    if not digest and user is not None and user.is_authenticated:
        return f"user:{user.pk}", settings.RATE_LIMIT_TOKEN
    return f"ip:{client_ip(request)}", settings.RATE_LIMIT_ANON


def _count(key: str, rate: str) -> tuple[bool, int]:
    """(allowed, seconds until the window ends)."""
    limit, window = parse_rate(rate)
    now = time.time()
    start = int(now // window * window)
    counter = f"rl:{key}:{start}"
    cache.add(counter, 0, timeout=window + 1)
    try:
        used = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.add(counter, 1, timeout=window + 1)
        used = 1
    return used <= limit, max(1, int(start + window - now + 0.999))


def _token_valid(digest: str) -> bool:
    key = f"rl:valid:{digest}"
    known = cache.get(key)
    if known is None:
        known = int(token_digest_valid(digest))
        cache.set(key, known, VALID_TOKEN_SECONDS)
    return bool(known)


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.RATE_LIMIT_ENABLED or not request.path.startswith(LIMITED_PREFIXES):
            return self.get_response(request)
        key, rate = _bucket(request)
        allowed, retry_after = _count(key, rate)
        if not allowed:
            response = JsonResponse({"detail": f"rate limit {rate} (requests/seconds) reached "
                                               f"for this client: retry in {retry_after} s"},
                                    status=429)
            response["Retry-After"] = str(retry_after)
            return response
        return self.get_response(request)
