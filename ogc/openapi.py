"""The OpenAPI 3.0 document of /ogc (the landing page's service-desc), built from the
collections and parameters the facade really has."""

from . import collections as cols
from . import crs as crs_mod

JSON = "application/json"


def _param(name: str, description: str, schema: dict, where: str = "query",
           required: bool = False, **extra) -> dict:
    return {"name": name, "in": where, "description": description, "required": required,
            "schema": schema, **extra}


def _ok(description: str, *types: str) -> dict:
    return {"200": {"description": description,
                    "content": {t: {"schema": {"type": "object"}} for t in types}},
            "400": {"$ref": "#/components/responses/Error"},
            "404": {"$ref": "#/components/responses/Error"}}


def _get(summary: str, op_id: str, params: list, responses: dict) -> dict:
    return {"get": {"summary": summary, "operationId": op_id, "tags": ["OGC API – Features"],
                    "parameters": params, "responses": responses}}


def _items_params(cid: dict, f: dict, crs_schema: dict) -> list[dict]:
    return [
        cid, f,
        _param("limit", "Features per page", {"type": "integer", "minimum": 1,
                                              "maximum": 10_000, "default": 10}),
        _param("offset", "Features skipped", {"type": "integer", "minimum": 0, "default": 0}),
        _param("bbox", "minx,miny,maxx,maxy in the axis order of bbox-crs",
               {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}},
               style="form", explode=False),
        _param("bbox-crs", "CRS of bbox", crs_schema),
        _param("crs", "CRS of the returned geometries", crs_schema),
        _param("datetime", "Instant or interval (a/b, .. open) met by the validity period",
               {"type": "string"}),
        _param("filter", "CQL2 filter over the queryables", {"type": "string"}),
        _param("filter-lang", "Filter language", {"type": "string", "enum": [
            "cql2-text", "cql2-json", "cql-text"], "default": "cql2-text"}),
        _param("filter-crs", "CRS of the filter's geometries", crs_schema),
        _param("sortby", "Properties to sort by, comma-separated, -name for descending",
               {"type": "string"}),
        _param("properties", "Properties to return, comma-separated", {"type": "string"}),
    ]


def document(server_url: str) -> dict:
    crs_uris = [r.uri for r in crs_mod.supported(cols.CHINA_BBOX)]
    crs_schema = {"type": "string", "format": "uri", "enum": crs_uris, "default": crs_mod.CRS84}
    f = _param("f", "Encoding: json (default) or html", {"type": "string",
                                                          "enum": ["json", "html"]})
    cid = _param("collectionId", "Collection", {"type": "string",
                                                 "enum": list(cols.COLLECTIONS)}, "path", True)
    fid = _param("featureId", "Feature id", {"type": "integer"}, "path", True)
    items_params = _items_params(cid, f, crs_schema)
    features = ("application/geo+json", "text/html")
    paths = {
        "/": _get("Landing page", "getLandingPage", [f], _ok("Landing page", JSON,
                                                              "text/html")),
        "/conformance": _get("Conformance classes", "getConformance", [f],
                             _ok("Conformance", JSON, "text/html")),
        "/openapi": _get("This document", "getOpenAPI", [], _ok(
            "OpenAPI 3.0", "application/vnd.oai.openapi+json;version=3.0")),
        "/collections": _get("Collections", "getCollections", [f],
                             _ok("Collections", JSON, "text/html")),
        "/collections/{collectionId}": _get("A collection", "describeCollection", [cid, f],
                                            _ok("Collection", JSON, "text/html")),
        "/collections/{collectionId}/queryables": _get(
            "Queryables (JSON Schema)", "getQueryables", [cid, f],
            _ok("Queryables", "application/schema+json", "text/html")),
        "/collections/{collectionId}/items": _get("Features", "getFeatures", items_params,
                                                  _ok("Features", *features)),
        "/collections/{collectionId}/items/{featureId}": _get(
            "A feature", "getFeature", [cid, fid, f, items_params[6],
                                        items_params[-1]], _ok("Feature", *features)),
    }
    for c in cols.COLLECTIONS.values():  # explicit paths, which clients (GDAL) look up by name
        fields = [_param(f.name, f.schema()["title"], {"type": f.type})
                  for f in c.fields if f.match is None]
        paths[f"/collections/{c.id}/items"] = _get(
            c.title, f"getFeatures-{c.id}", [p for p in items_params if p is not cid],
            _ok("Features", *features))
        paths[f"/collections/{c.id}/items"]["get"]["parameters"] += fields
    error = {"type": "object", "required": ["code"], "properties": {
        "code": {"type": "string"}, "description": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Place-name and division registry: OGC API – Features",
                 "version": "1.0.0",
                 "description": "Standard place names, divisions and border lines "
                                "(CGCS2000), with CRS by reference and CQL2 filters."},
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {"exception": error},
            "responses": {"Error": {"description": "An OGC exception", "content": {
                JSON: {"schema": {"$ref": "#/components/schemas/exception"}}}}},
        },
    }
