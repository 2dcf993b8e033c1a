"""Reads from streaming replicas, with read-your-writes by WAL position (LSN).

Inside a request with a safe method (GET, HEAD, OPTIONS), the ORM's reads go to one
replica chosen for the whole request (config.dbrouter); writes, reads inside a transaction,
unsafe requests, management commands and job workers use the primary.

Read-your-writes is by LSN rather than a pin to the primary: after an unsafe request the
primary's ``pg_current_wal_lsn()`` is kept for the client — in a signed cookie, and for a
bearer token under the token's digest in Redis (scripts keep no cookies) — and its later
reads go only to a replica whose ``pg_last_wal_replay_lsn()`` has reached it, else to the
primary. A pin would send a writer's reads to the primary for a fixed time whatever the
replicas have replayed; the LSN costs one ``SELECT`` after a write and lets reads return to
a replica as soon as it has the write (usually within milliseconds).

Each process measures each replica at most every DATABASE_REPLICA_HEALTH_SECONDS: its
replay position and its lag behind the primary in bytes; one lagging more than
DATABASE_REPLICA_MAX_LAG_BYTES is skipped, one that does not answer (short connect timeout)
is skipped for DATABASE_REPLICA_DOWN_SECONDS. A replica that fails during a safe request is
marked down and the view is run again on the primary: the client sees no error.
"""

import contextvars
import random
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections

from .bearer import bearer_digest

PRIMARY = "default"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
LSN_COOKIE = "registry_lsn"
LSN_SALT = "config.replicas.lsn"


def lsn_int(text: str | None) -> int | None:
    """'16/B374D848' as a byte position (PostgreSQL's pg_lsn as text)."""
    if not text:
        return None
    high, _, low = str(text).partition("/")
    return (int(high, 16) << 32) + int(low, 16)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


@dataclass
class Health:
    up: bool = False
    replay_lsn: int = 0
    lag_bytes: int = 0
    checked_at: float = 0.0


# Per process: a measurement, not state another worker needs (each measures its own).
_health: dict[str, Health] = {}


def _fetch(alias: str, sql: str):
    with connections[alias].cursor() as cur:
        cur.execute(sql)
        return cur.fetchone()


def probe(alias: str) -> Health:
    """Measure one replica now: up, replayed position, bytes behind the primary."""
    try:
        in_recovery, replayed = _fetch(alias, "SELECT pg_is_in_recovery(), "
                                              "pg_last_wal_replay_lsn()")
    except (OperationalError, InterfaceError, DatabaseError):
        return mark_down(alias)
    if not in_recovery or replayed is None:  # promoted, or not a replica: not ours to read
        return mark_down(alias)
    primary = lsn_int(_fetch(PRIMARY, "SELECT pg_current_wal_lsn()")[0])
    replay = lsn_int(replayed)
    health = Health(up=True, replay_lsn=replay, lag_bytes=max(0, primary - replay),
                    checked_at=time.monotonic())
    _health[alias] = health
    return health


def mark_down(alias: str) -> Health:
    connections[alias].close()
    # checked_at in the future: left alone for DOWN_SECONDS before being tried again
    health = Health(up=False, checked_at=time.monotonic() + settings.DATABASE_REPLICA_DOWN_SECONDS
                    - settings.DATABASE_REPLICA_HEALTH_SECONDS)
    _health[alias] = health
    return health


def health(alias: str) -> Health:
    known = _health.get(alias)
    if known is None or time.monotonic() - known.checked_at >= \
            settings.DATABASE_REPLICA_HEALTH_SECONDS:
        return probe(alias)
    return known


def forget_health() -> None:
    """Measure every replica afresh on the next read (tests, after a change of settings)."""
    _health.clear()


def choose(min_lsn: int | None) -> str:
    """A replica in time and caught up with ``min_lsn``, else the primary."""
    candidates = replica_aliases()
    random.shuffle(candidates)
    for alias in candidates:
        known = health(alias)
        if not known.up or known.lag_bytes > settings.DATABASE_REPLICA_MAX_LAG_BYTES:
            continue
        if min_lsn and known.replay_lsn < min_lsn:
            known = probe(alias)  # the cached position may be old: look again, once
            if not known.up or known.replay_lsn < min_lsn:
                continue
        return alias
    return PRIMARY


@dataclass
class Routing:
    """What the router needs to know about the request being served."""
    safe: bool
    min_lsn: int | None = None
    alias: str | None = None
    retried: bool = False

    def read_alias(self) -> str:
        if not self.safe or self.retried:
            return PRIMARY
        if self.alias is None:  # one replica for the whole request: its reads agree
            self.alias = choose(self.min_lsn)
        return self.alias


current: contextvars.ContextVar[Routing | None] = contextvars.ContextVar("routing", default=None)


def read_alias() -> str:
    """Where a read goes now: the request's replica, or the primary (outside a read request,
    or inside a transaction, which must see what it writes)."""
    routing = current.get()
    if routing is None or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return routing.read_alias()


def read_connection():
    """The connection for a raw SQL read (the ORM's go through config.dbrouter)."""
    return connections[read_alias()]


def _token_key(request) -> str | None:
    digest = bearer_digest(request)
    return f"ryw:{digest[:32]}" if digest else None


def required_lsn(request) -> int | None:
    """The last write position of this client (cookie, or its bearer token), if any."""
    positions = []
    try:
        cookie = request.get_signed_cookie(LSN_COOKIE, default=None, salt=LSN_SALT,
                                           max_age=settings.DATABASE_READ_YOUR_WRITES_SECONDS)
    except signing.BadSignature:
        cookie = None
    if cookie:
        positions.append(lsn_int(cookie))
    key = _token_key(request)
    if key:
        kept = cache.get(key)
        if kept:
            positions.append(int(kept))
    return max(positions) if positions else None


def remember_write(request, response) -> None:
    """After an unsafe request: keep the primary's WAL position for the client."""
    text = _fetch(PRIMARY, "SELECT pg_current_wal_lsn()")[0]
    seconds = settings.DATABASE_READ_YOUR_WRITES_SECONDS
    response.set_signed_cookie(LSN_COOKIE, str(text), salt=LSN_SALT, max_age=seconds,
                               httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)
    key = _token_key(request)
    if key:
        cache.set(key, lsn_int(text), seconds)


class ReadYourWritesMiddleware:
    """Routes the request's reads (Routing) and keeps the client's write position."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)  # one database: nothing to route
        safe = request.method in SAFE_METHODS
        routing = Routing(safe=safe, min_lsn=required_lsn(request) if safe else None)
        token = current.set(routing)
        try:
            response = self.get_response(request)
        finally:
            current.reset(token)
        if not safe:
            remember_write(request, response)
        return response

    def process_exception(self, request, exception):
        """A replica lost during a read: mark it down and answer from the primary."""
        routing = current.get()
        if routing is None or routing.retried or routing.alias in (None, PRIMARY) \
                or not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        replica = connections[routing.alias]
        if replica.connection is not None and replica.is_usable():
            return None  # the replica answers: the error is not its loss
        mark_down(routing.alias)
        routing.retried = True
        match = request.resolver_match
        return match.func(request, *match.args, **match.kwargs)
