"""The query parameters of items and item, read into an ogc.collections.Query.

Every parameter is checked and an error names it; nothing a client sends reaches SQL
but as a bound parameter or as the SQL of a property the collection declares.
"""

from datetime import date

from . import collections as cols
from . import cql
from . import crs as crs_mod
from .errors import OGCError

KNOWN = {"bbox", "bbox-crs", "datetime", "limit", "offset", "after", "f", "crs", "filter",
         "filter-lang", "filter-crs", "sortby", "properties"}
MAX_LIMIT = 10_000
MAX_OFFSET = 100_000_000  # deeper pages follow the next links (after=<id>)


def parse_crs(request, name: str, c: cols.Collection) -> crs_mod.RefSystem:
    raw = request.GET.get(name)
    if raw is None:
        return crs_mod.DEFAULT
    found = crs_mod.resolve(raw, cols.extent(c))
    if found is None:
        raise OGCError(400, "InvalidParameterValue",
                       f"{name} {raw!r}: not offered; see the crs list of /ogc/collections/{c.id}")
    return found


def parse_bbox(raw: str, ref: crs_mod.RefSystem) -> tuple[float, float, float, float]:
    try:
        values = [float(v) for v in raw.split(",")]
    except ValueError:
        raise OGCError(400, "InvalidParameterValue", f"bbox {raw!r}: not numbers") from None
    if len(values) == 6:  # 3D: minx, miny, minz, maxx, maxy, maxz
        values = [values[0], values[1], values[3], values[4]]
    if len(values) != 4:
        raise OGCError(400, "InvalidParameterValue", f"bbox {raw!r}: expected 4 or 6 numbers")
    if ref.north_first:  # the corners come in the CRS's axis order
        values = [values[1], values[0], values[3], values[2]]
    if ref.projected:
        ok = values[0] <= values[2] and values[1] <= values[3]
    else:
        ok = -180 <= values[0] <= values[2] <= 180 and -90 <= values[1] <= values[3] <= 90
    if not ok:
        order = "lower corner, upper corner in the axis order of bbox-crs"
        raise OGCError(400, "InvalidParameterValue", f"bbox {raw!r}: expected {order}")
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


def parse_properties(request, c: cols.Collection) -> list[str] | None:
    raw = request.GET.get("properties")
    if raw is None:
        return None
    names = [n.strip() for n in raw.split(",") if n.strip()]
    unknown = [n for n in names if not (f := c.field(n)) or f.match is not None]
    if unknown:
        raise OGCError(400, "InvalidParameterValue",
                       f"properties: no property {', '.join(unknown)} in {c.id}")
    return names


def parse_sortby(request, c: cols.Collection) -> list[tuple[cols.Field, bool]]:
    found = []
    for term in (t.strip() for t in request.GET.get("sortby", "").split(",")):
        if not term:
            continue
        desc = term.startswith("-")
        name = term.lstrip("+-")
        field = c.field(name)
        if field is None or field.match is not None:
            raise OGCError(400, "InvalidParameterValue",
                           f"sortby: no sortable property {name!r} in {c.id}; see sortables")
        found.append((field, desc))
    return found


def parse_query(request, c: cols.Collection) -> cols.Query:
    unknown = sorted(set(request.GET) - KNOWN)
    if unknown:
        raise OGCError(400, "InvalidParameterValue", f"unknown parameter(s): {', '.join(unknown)}")
    bbox_crs = parse_crs(request, "bbox-crs", c)
    if "bbox-crs" in request.GET and "bbox" not in request.GET:
        raise OGCError(400, "InvalidParameterValue", "bbox-crs: given without bbox")
    query = cols.Query(
        bbox=parse_bbox(request.GET["bbox"], bbox_crs) if "bbox" in request.GET else None,
        bbox_srid=bbox_crs.srid,
        period=parse_datetime(request.GET["datetime"]) if "datetime" in request.GET else None,
        # Above the maximum the server answers with the maximum (Core, /req/core/fc-limit).
        limit=min(_int(request, "limit", 10, 1), MAX_LIMIT),
        offset=_int(request, "offset", 0, 0, MAX_OFFSET),
        after=_int(request, "after", -1, 0, 2**63 - 1) if "after" in request.GET else None,
        crs=parse_crs(request, "crs", c),
        sortby=parse_sortby(request, c),
        properties=parse_properties(request, c),
    )
    if "filter" in request.GET:
        query.filter = cql.to_sql(request.GET["filter"], request.GET.get("filter-lang"),
                                  parse_crs(request, "filter-crs", c), c)
    elif "filter-lang" in request.GET or "filter-crs" in request.GET:
        raise OGCError(400, "InvalidParameterValue", "filter-lang/filter-crs: given without filter")
    return query
