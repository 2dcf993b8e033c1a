"""The change feed for the national database: naming events and division changes, in order.

Both kinds of event are append-only records stamped when written (recorded_at), so
a consumer keeps the cursor of the last item it read and asks for what follows.
The cursor is (recorded_at, source, id): several events written in one
transaction may share a timestamp, and the cursor must not skip any of them.
Naming events are written when a name is published, so every one is in the feed.
"""

import base64
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_noop

from boundaries.models import DivisionEvent
from config.errors import BadRequest

from .models import NamingEvent

FEED_SQL = """
SELECT recorded_at, source, id FROM (
    (SELECT recorded_at, 'division' AS source, id FROM boundaries_divisionevent
     WHERE NOT draft
       AND recorded_at >= %(ts)s AND (recorded_at, 'division', id) > (%(ts)s, %(src)s, %(id)s)
     ORDER BY recorded_at, id LIMIT %(limit)s)
  UNION ALL
    (SELECT recorded_at, 'place' AS source, id FROM gazetteer_namingevent
     WHERE recorded_at >= %(ts)s AND (recorded_at, 'place', id) > (%(ts)s, %(src)s, %(id)s)
     ORDER BY recorded_at, id LIMIT %(limit)s)
) AS changes ORDER BY recorded_at, source, id LIMIT %(limit)s
"""


MAX_OFFSET = timedelta(hours=14)


def encode_cursor(recorded_at: datetime, source: str, event_id: int) -> str:
    raw = f"{recorded_at.isoformat()}|{source}|{event_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        ts, source, event_id = raw.split("|")
        return datetime.fromisoformat(ts), source, int(event_id)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest.of(gettext_noop("cursor %(cursor)r: not a cursor this feed gave out"),
                            cursor=cursor) from None


def start(since: datetime | None, cursor: str | None) -> tuple[datetime, str, int]:
    """The position to read after: a cursor, else just after ``since``, else the beginning."""
    if cursor:
        return decode_cursor(cursor)
    if since is None:
        return datetime(1970, 1, 1, tzinfo=UTC), "", 0
    if timezone.is_naive(since):
        since = timezone.make_aware(since)
    offset = since.utcoffset()
    # Real offsets run from -12:00 to +14:00; PostgreSQL refuses beyond ±15:59.
    if abs(offset) > MAX_OFFSET:
        raise BadRequest.of(gettext_noop("since %(since)s: UTC offset %(offset)s is not a time "
                                         "zone (expected between -14:00 and +14:00)"),
                            since=since.isoformat(), offset=str(offset))
    # Everything recorded at ``since`` itself was seen: '~' sorts after both sources.
    return since.astimezone(UTC), "~", 0


def changes(since: datetime | None, cursor: str | None,
            limit: int) -> tuple[list[dict], str | None]:
    ts, src, event_id = start(since, cursor)
    with connection.cursor() as cur:
        cur.execute(FEED_SQL, {"ts": ts, "src": src, "id": event_id, "limit": limit})
        rows = cur.fetchall()
    ids = {"division": [r[2] for r in rows if r[1] == "division"],
           "place": [r[2] for r in rows if r[1] == "place"]}
    details = {("division", e.id): _division_item(e) for e in DivisionEvent.objects.filter(
        id__in=ids["division"]).prefetch_related("inputs", "outputs")}
    details |= {("place", e.id): _naming_item(e) for e in NamingEvent.objects.filter(
        id__in=ids["place"]).select_related("place")}
    items = [details[(source, eid)] | {"source": source, "id": eid, "recorded_at": at}
             for at, source, eid in rows]
    next_cursor = encode_cursor(*rows[-1]) if len(rows) == limit else None
    return items, next_cursor


def _division_item(e: DivisionEvent) -> dict:
    def versions(vs):
        return [{"code": v.code, "name": v.name, "level": v.level} for v in vs]

    return {"kind": e.kind, "effective_date": e.effective_date,
            "document_number": e.approval_document, "description": e.description,
            "place_id": None, "old_value": "", "new_value": "",
            "inputs": versions(e.inputs.all()), "outputs": versions(e.outputs.all())}


def _naming_item(e: NamingEvent) -> dict:
    return {"kind": e.kind, "effective_date": e.effective_date,
            "document_number": e.document_number, "description": e.reason,
            "place_id": e.place_id, "old_value": e.old_value, "new_value": e.new_value,
            "inputs": [], "outputs": []}


LATEST_SQL = """
SELECT recorded_at, source, id FROM (
    (SELECT recorded_at, 'division' AS source, id FROM boundaries_divisionevent
     WHERE NOT draft AND %(source)s IS DISTINCT FROM 'place'
     ORDER BY recorded_at DESC, id DESC LIMIT %(limit)s)
  UNION ALL
    (SELECT recorded_at, 'place' AS source, id FROM gazetteer_namingevent
     WHERE %(source)s IS DISTINCT FROM 'division'
     ORDER BY recorded_at DESC, id DESC LIMIT %(limit)s)
) AS changes ORDER BY recorded_at DESC, source DESC, id DESC LIMIT %(limit)s
"""


def latest(limit: int, source: str | None = None) -> list[dict]:
    """The newest published changes first, for people (the page, Atom and RSS); machines
    follow the cursor of ``changes`` instead. ``source``: only "division" or "place"."""
    if source not in (None, "division", "place"):
        raise BadRequest.of(gettext_noop("source %(source)r: expected division or place"),
                            source=source)

    with connection.cursor() as cur:
        cur.execute(LATEST_SQL, {"limit": limit, "source": source})
        rows = cur.fetchall()
    details = {("division", e.id): _division_item(e) for e in DivisionEvent.objects.filter(
        id__in=[r[2] for r in rows if r[1] == "division"]).prefetch_related("inputs", "outputs")}
    details |= {("place", e.id): _naming_item(e) | {"place_name": e.place.name}
                for e in NamingEvent.objects.filter(
                    id__in=[r[2] for r in rows if r[1] == "place"]).select_related("place")}
    return [details[(source, eid)] | {"source": source, "id": eid, "recorded_at": at}
            for at, source, eid in rows]
