"""JSON responses an endpoint renders itself: documents PostgreSQL wrote, cached answers."""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from ninja import Schema


def json_response(document: str) -> HttpResponse:
    """A JSON document rendered elsewhere (PostgreSQL, the cache), sent as it is."""
    return HttpResponse(document.encode(), content_type="application/json; charset=utf-8")


def cached_json(namespace: str, key: object, schema: type[Schema],
                answer: Callable[[], object]) -> HttpResponse:
    """``answer()`` validated by ``schema``, kept under ``key`` for SEARCH_CACHE_SECONDS.

    Search answers are kept as long as clients and proxies may keep them (Cache-Control):
    planning a ranking statement costs more than running it. ``key`` is everything the
    answer depends on (its repr is hashed), including the date when "in force" is today.
    """
    cache_key = f"{namespace}:{generation(namespace)}:" + hashlib.sha256(
        repr(key).encode()).hexdigest()
    body = cache.get(cache_key)
    if body is None:
        body = schema.model_validate(answer()).model_dump_json()
        if settings.SEARCH_CACHE_SECONDS:
            cache.set(cache_key, body, settings.SEARCH_CACHE_SECONDS)
    return json_response(body)


def redis_client():
    """The shared cache's Redis client, made once per process (per fork: redis-py's pool
    resets in a new pid). Django's RedisCache builds a client object on every call, about
    0.15 ms: as much as a cached answer's two reads themselves."""
    global _client
    if _client is None:
        _client = cache._cache.get_client(write=True)
    return _client


_client = None


def generation(namespace: str) -> int:
    """The namespace's current generation: it enters every key (and ETag) of its answers.
    Read raw: Django's cache stores an integer as its digits (see invalidate's incr)."""
    raw = redis_client().get(cache.make_and_validate_key(f"generation:{namespace}"))
    return int(raw) if raw else 0


def invalidate(*namespaces: str) -> None:
    """Every cached answer of these namespaces is stale: a new generation makes their keys
    unreachable at once, on every server (the old ones expire on their own)."""
    for namespace in namespaces:
        key = f"generation:{namespace}"
        cache.add(key, 0, timeout=None)
        cache.incr(key)


def invalidate_on_commit(*namespaces: str) -> None:
    """After the writing transaction commits: a reader must not cache the old state again
    between the invalidation and the commit."""
    transaction.on_commit(lambda: invalidate(*namespaces))
