"""OGC API – Features (Part 1: Core, GeoJSON) over places and divisions, read-only.

Landing page, conformance, collections and items with bbox, datetime, limit and
offset, and next/prev links; errors are JSON with the OGC ``code`` and
``description`` (and ``detail`` as elsewhere in the registry).
"""

import json
from datetime import date
from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.utils import timezone

from . import collections as cols

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
MAX_LIMIT = 10_000
MAX_OFFSET = 100_000_000  # deeper pages follow the next links (after=<id>)
KNOWN = {"bbox", "datetime", "limit", "offset", "after", "f"}


class OGCError(Exception):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def _json(body: dict, content_type="application/json", status=200) -> HttpResponse:
    return JsonResponse(body, status=status, content_type=content_type,
                        json_dumps_params={"ensure_ascii": False}, safe=False)


def _error(exc: OGCError) -> HttpResponse:
    return _json({"code": exc.code, "description": exc.description,
                  "detail": exc.description}, status=exc.status)


def ogc_view(fn):
    def wrapped(request, *args, **kwargs):
        try:
            if request.GET.get("f") not in (None, "json", "geojson"):
                raise OGCError(400, "InvalidParameterValue", "f: only json is offered")
            return fn(request, *args, **kwargs)
        except OGCError as exc:
            return _error(exc)
    wrapped.__name__ = fn.__name__
    return wrapped


def _link(request, path: str, rel: str, type_: str, title: str = "") -> dict:
    link = {"href": request.build_absolute_uri(path), "rel": rel, "type": type_}
    return link | ({"title": title} if title else {})


@ogc_view
def landing(request):
    return _json({
        "title": "Place-name and administrative-boundary registry",
        "description": "Standard place names and administrative divisions of China "
                       "(CGCS2000), as OGC API – Features.",
        "links": [
            _link(request, "/ogc/", "self", "application/json", "this document"),
            _link(request, "/ogc/conformance", "conformance", "application/json"),
            _link(request, "/ogc/collections", "data", "application/json", "collections"),
        ],
    })


@ogc_view
def conformance(request):
    return _json({"conformsTo": CONFORMANCE})


def _collection(request, c: cols.Collection) -> dict:
    base = f"/ogc/collections/{c.id}"
    return {
        "id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
        "crs": [CRS84], "storageCrs": CRS84,
        "extent": {"spatial": {"bbox": [cols.CHINA_BBOX], "crs": CRS84},
                   "temporal": {"interval": [[None, None]]}},
        "links": [_link(request, base, "self", "application/json"),
                  _link(request, f"{base}/items", "items", "application/geo+json", c.title)],
    }


@ogc_view
def collections(request):
    return _json({
        "links": [_link(request, "/ogc/collections", "self", "application/json")],
        "collections": [_collection(request, c) for c in cols.COLLECTIONS.values()],
    })


def _get(collection_id: str) -> cols.Collection:
    if collection_id not in cols.COLLECTIONS:
        raise OGCError(404, "NotFound", f"no collection {collection_id!r}; see /ogc/collections")
    return cols.COLLECTIONS[collection_id]


@ogc_view
def collection(request, collection_id: str):
    return _json(_collection(request, _get(collection_id)))


def parse_bbox(raw: str) -> tuple[float, float, float, float]:
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise OGCError(400, "InvalidParameterValue", f"bbox {raw!r}: not numbers") from None
    if len(values) == 6:  # 3D: minx, miny, minz, maxx, maxy, maxz
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4 or not (-180 <= values[0] <= values[2] <= 180
                                and -90 <= values[1] <= values[3] <= 90):
        raise OGCError(400, "InvalidParameterValue",
                       f"bbox {raw!r}: expected minlon,minlat,maxlon,maxlat in CRS84")
    return tuple(values)


def _date(text: str) -> date | None:
    if text in ("..", ""):
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise OGCError(400, "InvalidParameterValue",
                       f"datetime {text!r}: expected RFC 3339 (2020-01-01 or "
                       "2020-01-01T00:00:00Z) or an interval a/b") from None


def parse_datetime(raw: str) -> tuple[date | None, date | None]:
    if "/" in raw:
        start, end = raw.split("/", 1)
        found = _date(start), _date(end)
        if found[0] and found[1] and found[0] > found[1]:
            raise OGCError(400, "InvalidParameterValue", f"datetime {raw!r}: start after end")
        return found
    instant = _date(raw)
    if instant is None:
        raise OGCError(400, "InvalidParameterValue", f"datetime {raw!r}: no date")
    return instant, instant


def _int(request, name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.GET.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise OGCError(400, "InvalidParameterValue", f"{name} {raw!r}: not an integer") from None
    if value < low or (high is not None and value > high):
        raise OGCError(400, "InvalidParameterValue",
                       f"{name} {value}: expected {low} to {high if high is not None else '…'}")
    return value


def parse_query(request) -> cols.Query:
    unknown = sorted(set(request.GET) - KNOWN)
    if unknown:
        raise OGCError(400, "InvalidParameterValue", f"unknown parameter(s): {', '.join(unknown)}")
    return cols.Query(
        bbox=parse_bbox(request.GET["bbox"]) if "bbox" in request.GET else None,
        period=parse_datetime(request.GET["datetime"]) if "datetime" in request.GET else None,
        # Above the maximum the server answers with the maximum (Core, /req/core/fc-limit).
        limit=min(_int(request, "limit", 10, 1), MAX_LIMIT),
        offset=_int(request, "offset", 0, 0, MAX_OFFSET),
        after=_int(request, "after", -1, 0, 2**63 - 1) if "after" in request.GET else None,
    )


def _page_link(request, c: cols.Collection, query: cols.Query, rel: str, **page) -> dict:
    params = {k: v for k, v in request.GET.items() if k not in ("offset", "limit", "after")}
    params |= {"limit": query.limit, **page}
    return _link(request, f"/ogc/collections/{c.id}/items?{urlencode(params)}", rel,
                 "application/geo+json")


@ogc_view
def items(request, collection_id: str):
    c = _get(collection_id)
    query = parse_query(request)
    features, returned, last_id = cols.items(c, query)
    number_matched = cols.matched(c, query)
    here = {"after": query.after} if query.after is not None else {"offset": query.offset}
    links = [_page_link(request, c, query, "self", **here)]
    if last_id is not None:
        # Keyset paging: the next page starts after the last id, at the cost of one page
        # however deep (an OFFSET reads and drops every row before it).
        links.append(_page_link(request, c, query, "next", after=last_id))
    if query.after is None and query.offset > 0:
        links.append(_page_link(request, c, query, "prev",
                                offset=max(query.offset - query.limit, 0)))
    envelope = json.dumps({
        "numberMatched": number_matched, "numberReturned": returned,
        "timeStamp": timezone.now().isoformat(timespec="seconds"), "links": links,
    }, ensure_ascii=False)
    body = '{"type": "FeatureCollection", "features": ' + features + ", " + envelope[1:]
    return HttpResponse(body.encode(), content_type="application/geo+json")


@ogc_view
def feature(request, collection_id: str, feature_id: str):
    c = _get(collection_id)
    if not feature_id.isdigit() or len(feature_id) > 18:
        raise OGCError(404, "NotFound", f"no feature {feature_id!r} in {c.id}")
    found = cols.item(c, int(feature_id))
    if found is None:
        raise OGCError(404, "NotFound", f"no feature {feature_id} in {c.id}")
    body = json.loads(found)
    body["links"] = [
        _link(request, f"/ogc/collections/{c.id}/items/{feature_id}", "self",
              "application/geo+json"),
        _link(request, f"/ogc/collections/{c.id}", "collection", "application/json"),
    ]
    return _json(body, content_type="application/geo+json")
