"""OGC API – Features over places and divisions, read-only: Part 1 (Core, GeoJSON),
Part 2 (CRS by reference) and Part 3 (queryables, CQL2 filters), with sortby and properties.

Landing page, conformance, collections, queryables and items with bbox, bbox-crs, crs,
datetime, filter, sortby, properties, limit and offset, and next/prev links; errors are
JSON with the OGC ``code`` and ``description`` (and ``detail`` as elsewhere in the registry).
"""

import json
from urllib.parse import urlencode

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from . import collections as cols
from . import crs as crs_mod
from .errors import OGCError
from .openapi import document
from .params import parse_crs, parse_properties, parse_query

_F1 = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/"
_F3 = "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/"
_CQL = "http://www.opengis.net/spec/cql2/1.0/conf/"
# Each class is declared once tests/ogc prove it (see the README's OGC section).
CONFORMANCE = [
    _F1 + "core", _F1 + "geojson", _F1 + "html", _F1 + "oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    _F3 + "queryables", _F3 + "filter",
    _F3 + "features-filter",
    _CQL + "cql2-text", _CQL + "cql2-json", _CQL + "basic-cql2",
    _CQL + "advanced-comparison-operators", _CQL + "basic-spatial-functions",
    _CQL + "basic-spatial-functions-plus", _CQL + "spatial-functions",
    _CQL + "temporal-functions",
]
CRS84 = crs_mod.CRS84


def _json(body: dict, content_type="application/json", status=200) -> HttpResponse:
    return JsonResponse(body, status=status, content_type=content_type,
                        json_dumps_params={"ensure_ascii": False}, safe=False)


def _error(exc: OGCError) -> HttpResponse:
    return _json({"code": exc.code, "description": exc.description,
                  "detail": exc.description}, status=exc.status)


def wants_html(request) -> bool:
    """f=html, or no f and a browser's Accept (text/html before any JSON type)."""
    f = request.GET.get("f")
    if f is not None:
        return f == "html"
    accept = request.headers.get("Accept", "")
    html = accept.find("text/html")
    json_at = min((i for i in (accept.find("json"),) if i >= 0), default=len(accept) + 1)
    return 0 <= html < json_at


def _page(request, template: str, context: dict) -> HttpResponse:
    return render(request, f"ogc/{template}.html", context)


def ogc_view(fn):
    def wrapped(request, *args, **kwargs):
        try:
            if request.GET.get("f") not in (None, "json", "geojson", "html"):
                raise OGCError(400, "InvalidParameterValue",
                               "f: expected json (or geojson) or html")
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
    doc = {
        "title": "Place-name and administrative-boundary registry",
        "description": "Standard place names and administrative divisions of China "
                       "(CGCS2000), as OGC API – Features.",
        "links": [
            _link(request, "/ogc/", "self", "application/json", "this document"),
            _link(request, "/ogc/conformance", "conformance", "application/json"),
            _link(request, "/ogc/collections", "data", "application/json", "collections"),
            _link(request, "/ogc/openapi", "service-desc",
                  "application/vnd.oai.openapi+json;version=3.0", "the OpenAPI 3.0 document"),
            _link(request, "/ogc/?f=html", "alternate", "text/html", "this page as HTML"),
        ],
    }
    if wants_html(request):
        return _page(request, "landing", {"doc": doc, "conformance": CONFORMANCE})
    return _json(doc)


@ogc_view
def conformance(request):
    if wants_html(request):
        return _page(request, "landing", {"doc": {"title": "Conformance", "links": []},
                                          "conformance": CONFORMANCE})
    return _json({"conformsTo": CONFORMANCE})


def _collection(request, c: cols.Collection) -> dict:
    base = f"/ogc/collections/{c.id}"
    bbox = cols.extent(c)
    return {
        "id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
        "crs": [r.uri for r in crs_mod.supported(bbox)],
        "storageCrs": f"{crs_mod.EPSG_URI}{crs_mod.STORAGE_SRID}",
        "extent": {"spatial": {"bbox": [bbox], "crs": CRS84},
                   "temporal": {"interval": [[None, None]]}},
        "links": [_link(request, base, "self", "application/json"),
                  _link(request, f"{base}/items", "items", "application/geo+json", c.title),
                  _link(request, f"{base}/queryables",
                        "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                        "application/schema+json", "the properties a filter may name")],
    }


@ogc_view
def collections(request):
    if wants_html(request):
        return _page(request, "collections", {"collections": [
            _collection(request, c) for c in cols.COLLECTIONS.values()]})
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
    doc = _collection(request, _get(collection_id))
    if wants_html(request):
        return _page(request, "collections", {"collections": [doc], "one": True})
    return _json(doc)


def _page_link(request, c: cols.Collection, query: cols.Query, rel: str, **page) -> dict:
    params = {k: v for k, v in request.GET.items() if k not in ("offset", "limit", "after")}
    params |= {"limit": query.limit, **page}
    return _link(request, f"/ogc/collections/{c.id}/items?{urlencode(params)}", rel,
                 "application/geo+json")


@ogc_view
def items(request, collection_id: str):
    c = _get(collection_id)
    query = parse_query(request, c)
    features, returned, last_id = cols.items(c, query)
    number_matched = cols.matched(c, query, returned, more=last_id is not None)
    here = {"after": query.after} if query.after is not None else {"offset": query.offset}
    links = [_page_link(request, c, query, "self", **here)]
    if last_id is not None and query.sortby:
        links.append(_page_link(request, c, query, "next", offset=query.offset + query.limit))
    elif last_id is not None:
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
    if wants_html(request):
        return _features_page(request, c, json.loads(body), query.crs)
    response = HttpResponse(body.encode(), content_type="application/geo+json")
    response["Content-Crs"] = f"<{query.crs.uri}>"
    return response


@ogc_view
def feature(request, collection_id: str, feature_id: str):
    c = _get(collection_id)
    if not feature_id.isdigit() or len(feature_id) > 18:
        raise OGCError(404, "NotFound", f"no feature {feature_id!r} in {c.id}")
    unknown = sorted(set(request.GET) - {"f", "crs", "properties"})
    if unknown:
        raise OGCError(400, "InvalidParameterValue", f"unknown parameter(s): {', '.join(unknown)}")
    ref = parse_crs(request, "crs", c)
    found = cols.item(c, int(feature_id), ref, parse_properties(request, c))
    if found is None:
        raise OGCError(404, "NotFound", f"no feature {feature_id} in {c.id}")
    body = json.loads(found)
    if wants_html(request):
        return _features_page(request, c, body, ref)
    body["links"] = [
        _link(request, f"/ogc/collections/{c.id}/items/{feature_id}", "self",
              "application/geo+json"),
        _link(request, f"/ogc/collections/{c.id}", "collection", "application/json"),
    ]
    response = _json(body, content_type="application/geo+json")
    response["Content-Crs"] = f"<{ref.uri}>"
    return response


def queryables_schema(request, c: cols.Collection) -> dict:
    props = {"geometry": {"title": "Geometry", "format": "geometry-any",
                          "x-ogc-role": "primary-geometry"}}
    if c.field("valid_from"):
        # the period as one interval, for the temporal functions (T_INTERSECTS(validity, …))
        props["validity"] = {"title": "Validity period [valid_from, valid_to)", "type": "array",
                             "items": {"type": ["string", "null"], "format": "date"},
                             "minItems": 2, "maxItems": 2}
    props |= {f.name: f.schema() for f in c.fields}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": request.build_absolute_uri(f"/ogc/collections/{c.id}/queryables"),
        "type": "object", "title": c.title, "properties": props,
        "additionalProperties": False,
    }


@ogc_view
def queryables(request, collection_id: str):
    c = _get(collection_id)
    if wants_html(request):
        props = [(name, p.get("type") or p.get("format", ""), p.get("format", ""), p["title"])
                 for name, p in queryables_schema(request, c)["properties"].items()]
        return _page(request, "queryables", {"collection": c, "properties": props})
    return _json(queryables_schema(request, c),
                 content_type="application/schema+json")


def _features_page(request, c: cols.Collection, doc: dict, ref) -> HttpResponse:
    """A page of features (or one) as a table, with a small map when the CRS is CRS84."""
    one = doc.get("type") == "Feature"
    features = [doc] if one else doc["features"]
    columns = list(dict.fromkeys(k for f in features for k in f["properties"]))
    rows = [{"id": f["id"], "values": [f["properties"].get(k) for k in columns]}
            for f in features]
    return _page(request, "items", {
        "collection": c, "doc": doc, "feature": doc if one else None, "columns": columns,
        "rows": rows, "mappable": ref is crs_mod.DEFAULT,
        "geojson": {"type": "FeatureCollection", "features": features}})


@ogc_view
def openapi(request):
    return _json(document(request.build_absolute_uri("/ogc")),
                 content_type="application/vnd.oai.openapi+json;version=3.0")
