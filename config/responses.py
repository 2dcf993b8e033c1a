"""JSON responses an endpoint renders itself: documents PostgreSQL wrote, cached answers."""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from ninja import Schema

# The attribute cached_json marks its responses with (their namespace), so that
# config.answers keeps them under their URL too.
ANSWER_NAMESPACE = "answer_namespace"


def json_response(document: str | bytes) -> HttpResponse:
    """A JSON document rendered elsewhere (PostgreSQL, the cache), sent as it is."""
    body = document.encode() if isinstance(document, str) else document
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def cached_json(namespace: str, key: object, schema: type[Schema],
                answer: Callable[[], object]) -> HttpResponse:
    """``answer()`` validated by ``schema``, kept under ``key`` for SEARCH_CACHE_SECONDS.

    Search answers are kept as long as clients and proxies may keep them (Cache-Control):
    planning a ranking statement costs more than running it. ``key`` is everything the
    answer depends on (its repr is hashed), including the date when "in force" is today.

    One round trip to Redis when the answer is kept: the namespace's generation and the
    answer (stored with the generation it was made in) come in one MGET; an answer of an
    older generation is stale.
    """
    generation_key = f"generation:{namespace}"
    cache_key = f"{namespace}:" + hashlib.sha256(repr(key).encode()).hexdigest()
    found = cache.get_many([generation_key, cache_key])
    generation, kept = found.get(generation_key) or 0, found.get(cache_key)
    if kept is not None and kept[0] == generation:
        body = kept[1]
    else:
        body = schema.model_validate(answer()).model_dump_json()
        if settings.SEARCH_CACHE_SECONDS:
            cache.set(cache_key, (generation, body), settings.SEARCH_CACHE_SECONDS)
    response = json_response(body)
    setattr(response, ANSWER_NAMESPACE, namespace)
    return response


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


def kept_bytes(namespace: str, key: str) -> tuple[int, bytes | None]:
    """(the namespace's generation, the bytes kept under ``key`` for that generation or
    None), in one round trip (MGET). Bytes are kept with the generation they were made in
    (keep_bytes); made in an older one, they are stale. ``key`` is a full cache key."""
    raw_generation, found = redis_client().mget(cache.make_key(f"generation:{namespace}"), key)
    current = int(raw_generation) if raw_generation else 0
    if found is not None:
        made_in, _, body = found.partition(b"\n")
        if int(made_in) == current:
            return current, body
    return current, None


def keep_bytes(key: str, made_in: int, body: bytes, seconds: int) -> None:
    """Keep ``body`` under ``key`` as made in generation ``made_in`` (read before it was
    made: a write committed meanwhile leaves it stale)."""
    redis_client().set(key, b"%d\n%s" % (made_in, body), ex=seconds)


def invalidate(*namespaces: str) -> None:
    """Every cached answer of these namespaces is stale: a new generation, which the kept
    answers no longer match, at once on every server (they expire on their own)."""
    for namespace in namespaces:
        key = f"generation:{namespace}"
        cache.add(key, 0, timeout=None)
        cache.incr(key)


def invalidate_on_commit(*namespaces: str) -> None:
    """After the writing transaction commits: a reader must not cache the old state again
    between the invalidation and the commit."""
    transaction.on_commit(lambda: invalidate(*namespaces))
