"""Public division API: lookups by code, hierarchy, geometry, history, search, reverse."""

import json
from datetime import date

from django.db import connection
from django.http import HttpResponse
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from pydantic import Field

from accounts import permissions
from accounts.auth import AUTH
from config.errors import BadRequest, NotFound
from config.paging import PageIn, page_in, paginate
from config.responses import cached_json, json_response
from config.said import in_chinese

from . import documents, export, exports, maplayers, marker_checks, search, selectors, services
from .geo import parse_bbox
from .models import (
    SHORT_LENGTHS,
    BoundaryLine,
    BoundaryMarker,
    DivisionVersion,
    Level,
    MarkerState,
    MarkerStatus,
)
from .schemas import (
    BoundaryLinePageOut,
    CrosswalkOut,
    DivisionFeatureOut,
    DivisionOut,
    DivisionPageOut,
    LevelParam,
    LineageOut,
    MapLayerOut,
    MarkerIn,
    MarkerListOut,
    MarkerMoveIn,
    MarkerOut,
    MarkerPageOut,
    MarkerPositionIn,
    MarkerStateIn,
    NeighboursOut,
    ReverseOut,
    SearchOut,
)
from .temporal import reference_date, today

router = Router(tags=["divisions"])
# Benchmark baselines (/ping, /sql1): config.api mounts them only when settings.BENCH.
bench_router = Router(tags=["bench"])


class AsOf(Schema):
    as_of: date | None = Field(None, description="YYYY-MM-DD: answer as the registry stood then")


def ref(v: DivisionVersion) -> dict:
    return {"code": v.code, "short_code": v.short_code, "name": v.name,
            "level": v.get_level_display(), "kind": v.kind}


def version_out(v: DivisionVersion) -> dict:
    return ref(v) | {"valid_from": v.valid_from, "valid_to": v.valid_to}


def event_out(e) -> dict:
    return {
        "id": e.id, "kind": e.kind, "kind_label": in_chinese(e.get_kind_display),
        "subkind": e.subkind,
        "effective_date": e.effective_date, "approval_document": e.approval_document,
        "approving_authority": e.approving_authority, "description": e.description,
        "inputs": [version_out(v) for v in e.inputs.all()],
        "outputs": [version_out(v) for v in e.outputs.all()],
    }


class ExportParams(AsOf):
    format: str = Field("geojson", description="geojson, gpkg, shp (zipped, with .cpg) or csv")
    division: str | None = Field(None, description="a division's code: what lies within it")
    level: LevelParam | None = Field(None, description="only this level")


def _export(name: str, params: ExportParams) -> HttpResponse:
    prefix = selectors.division_prefix(params.division)[0] if params.division else None
    level = int(params.level) if params.level is not None else None
    content = exports.export_file(name, params.format, prefix, level, params.as_of)
    content_type, filename = export.formats(name)[params.format]
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Before /divisions/{code} and /markers/{id} (and this router before the inspections', which
# serve /boundaries/{line_id}): "export" is no code.
@router.get("/divisions/export", tags=["exports"])
def division_export(request, params: Query[ExportParams]):
    """Division versions as a file for QGIS/GDAL (EPSG:4490): with ``as_of`` those in force
    then, without it every version with its period and the events that began and ended it."""
    return _export("divisions", params)


@router.get("/boundaries/export", tags=["exports"])
def boundary_export(request, params: Query[ExportParams]):
    """Border line versions as a file: with ``as_of`` those in force then, else all."""
    return _export("boundaries", params)


@router.get("/markers/export", tags=["exports"])
def marker_export(request, params: Query[ExportParams]):
    """Boundary markers with their state in force on ``as_of`` (today), as a file."""
    return _export("markers", params)


@router.get("/divisions/crosswalk", response=list[CrosswalkOut])
def division_crosswalk(request, page: Query[PageIn]):
    """Retired codes and the current divisions they became (from the change events)."""
    _, rows = selectors.crosswalk(page.limit, page.offset)
    return [
        {"retired_code": v.code, "retired_name": v.name, "retired_on": v.valid_to,
         "successors": [version_out(s) for s in successors]}
        for v, successors in rows
    ]


@router.get("/divisions/{code}", response=DivisionOut)
def division_detail(request, code: str, when: Query[AsOf]):
    short, level = selectors.parse_code(code)
    document = documents.division_document(short, level, when.as_of or today())
    if document is not None:
        return json_response(document)
    v = selectors.division_get(code, when.as_of)  # the 404 that explains why
    seat = json.loads(v.seat.geojson) if v.seat else None
    return ref(v) | {
        "place_name": v.place_name, "parent_code": v.parent_code,
        "ancestors": [ref(a) for a in selectors.ancestors(v, when.as_of)],
        "valid_from": v.valid_from, "valid_to": v.valid_to, "area_km2": v.area_km2,
        "population": v.population, "has_geometry": v.geom is not None,
        "geometry_source": v.geometry_source, "seat": seat,
    }


class ChildrenFilter(AsOf, PageIn):
    kind: str | None = Field(None, description="only children of this kind, e.g. 街道")


@router.get("/divisions/{code}/children", response=DivisionPageOut)
def division_children(request, code: str, filters: Query[ChildrenFilter]):
    v = selectors.division_get(code, filters.as_of)
    qs = selectors.children(v, filters.as_of, filters.kind)
    return paginate(qs, filters.limit, filters.offset, lambda rows: map(ref, rows))


class GeometryParams(AsOf):
    simplify: float | None = Field(None, ge=0, le=100_000, description="tolerance in metres")
    srid: int = Field(4490, ge=1, description="output SRID (default 4490, CGCS2000)")


@router.get("/divisions/{code}/geometry", response=DivisionFeatureOut)
def division_geometry(request, code: str, params: Query[GeometryParams]):
    v = selectors.division_get(code, params.as_of)
    geometry = selectors.geometry_geojson(v, params.simplify, params.srid)
    if geometry is None:
        raise NotFound.of(gettext_noop("%(code)s %(name)s has no geometry in the registry"),
                          code=v.short_code, name=v.name)
    return {
        "id": v.code, "geometry": json.loads(geometry),
        "properties": ref(v) | {"valid_from": v.valid_from, "valid_to": v.valid_to,
                                "area_km2": v.area_km2, "geometry_source": v.geometry_source,
                                "srid": params.srid},
    }


@router.get("/divisions/{code}/lineage", response=LineageOut)
def division_lineage(request, code: str):
    code12, level = selectors.parse_code(code)
    first = selectors.division_get(code) if level is None else None
    versions = list(selectors.versions_of(code12, level or first.level))
    if not versions:
        raise NotFound.of(gettext_noop("no division has the code %(code)s"), code=code)
    ids = [v.id for v in versions]
    return {
        "code": code12, "versions": [version_out(v) for v in versions],
        "events": [event_out(e) for e in selectors.events_of(ids)],
        "predecessors": [version_out(v) for v in selectors.predecessors_of(ids)
                         if v.code != code12],
        "successors": [version_out(v) for v in selectors.successors_of(ids)
                       if v.code != code12],
    }


@router.get("/divisions/{code}/neighbours", response=NeighboursOut)
def division_neighbours(request, code: str, when: Query[AsOf]):
    v = selectors.division_get(code, when.as_of)
    return {"code": v.code, "items": [
        ref(n) | {"shared_length_km": round(km, 3)} for n, km in selectors.neighbours(v, when.as_of)
    ]}


class SearchParams(AsOf, page_in(limit=20, max_limit=100, max_offset=search.COUNT_LIMIT)):
    q: str = Field(..., min_length=1, max_length=50)
    level: LevelParam | None = Field(None, description="only divisions of this level")
    parent: str | None = Field(None, description="code of an ancestor to search under")


@router.get("/divisions", response=SearchOut)
def division_search(request, params: Query[SearchParams]):
    """Exact, prefix and fuzzy; traditional characters; pinyin and initials."""
    level = int(params.level) if params.level is not None else None
    parent = None
    if params.parent:  # an unknown parent is a 404, not an empty answer
        prefix, parent_level = selectors.division_prefix(params.parent)
        parent = (prefix.ljust(12, "0"), parent_level)
    # Undated, the answer also holds retired names, and "today" still keys the cache.
    key = (params.q, level, parent, params.as_of, today(), params.limit, params.offset)
    return cached_json(
        "search", key, SearchOut,
        lambda: search.search_divisions(params.q, level=level, parent=parent,
                                        as_of=params.as_of, limit=params.limit,
                                        offset=params.offset))


# Any projected CRS of China, Gauss-Krüger zone prefixes included, stays well inside this.
PROJECTED_LIMIT = 1e9


class ReverseParams(AsOf):
    lon: float = Field(..., allow_inf_nan=False, ge=-PROJECTED_LIMIT, le=PROJECTED_LIMIT,
                       description="longitude (or easting, with crs)")
    lat: float = Field(..., allow_inf_nan=False, ge=-PROJECTED_LIMIT, le=PROJECTED_LIMIT,
                       description="latitude (or northing, with crs)")
    crs: int = Field(4490, ge=1, description="EPSG code of lon/lat (default 4490)")


@router.get("/reverse", response=ReverseOut)
def reverse_geocode(request, params: Query[ReverseParams]):
    geographic = params.crs in (4490, 4326, 4214, 4610)
    if geographic and not (-180 <= params.lon <= 180 and -90 <= params.lat <= 90):
        raise BadRequest.of(gettext_noop("lon=%(lon)s, lat=%(lat)s: outside -180..180 / "
                                         "-90..90"), lon=params.lon, lat=params.lat)
    as_of = params.as_of or today()
    found = documents.reverse_divisions(params.lon, params.lat, as_of, params.crs)
    if found is None:
        raise BadRequest.of(gettext_noop("crs %(crs)s: unknown coordinate reference system"),
                            crs=params.crs)
    divisions, village = found
    head = json.dumps({"lon": params.lon, "lat": params.lat, "as_of": as_of.isoformat()})
    return json_response(f'{head[:-1]}, "divisions": {divisions}, "village": '
                         f'{village or "null"}}}')


@bench_router.get("/ping", include_in_schema=False)
def ping(request):
    """Bench baseline: no database."""
    return HttpResponse(b'{"ok":true}', content_type="application/json")


@bench_router.get("/sql1", include_in_schema=False)
def sql1(request):
    """Bench baseline: one trivial query through Django."""
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return HttpResponse(b'{"ok":true}', content_type="application/json")



# Border lines and their markers (boundaries.lines derives them from the polygons).

class LineFilter(AsOf, PageIn):
    division: str | None = Field(None, description="code of a division: the lines on its border")
    level: LevelParam | None = Field(None, description="only lines of this level")


def _side(code: str, level: int, sides: dict) -> dict:
    v = sides.get((code, level))
    return {"code": code, "short_code": code[:SHORT_LENGTHS[level]],
            "name": v.name if v else None, "level": Level(level).label}


def line_out(line: BoundaryLine, sides: dict) -> dict:
    return {"id": line.id, "name": line.name, "level": line.get_level_display(),
            "left": _side(line.left_code, line.level, sides),
            "right": _side(line.right_code, line.level, sides),
            "length_m": round(line.length_m, 1),
            "agreement": {"number": line.agreement_number, "date": line.agreement_date},
            "valid_from": line.valid_from, "valid_to": line.valid_to}


def state_out(state: MarkerState) -> dict:
    return {"position": json.loads(state.position.geojson), "status": state.status,
            "status_label": in_chinese(state.get_status_display), "material": state.material,
            "installed": state.installed, "valid_from": state.valid_from,
            "valid_to": state.valid_to, "note": state.note, "source": state.source}


def marker_out(marker: BoundaryMarker, as_of: date | None = None) -> dict:
    """The marker with its state on ``as_of`` (today) and the states begun by then."""
    on = as_of or today()
    states = [s for s in marker.states.all() if s.valid_from <= on]
    current = next((s for s in states if s.valid_to is None or s.valid_to > on), None)
    return {"id": marker.id, "number": marker.number, "type": marker.type,
            "type_label": in_chinese(marker.get_type_display),
            "lines": sorted(line.id for line in marker.lines.all()),
            "synthetic": marker.synthetic,
            "current": state_out(current) if current else None,
            "history": [state_out(s) for s in states]}


@router.get("/boundaries", response=BoundaryLinePageOut, tags=["boundaries"])
def boundary_list(request, filters: Query[LineFilter]):
    """Border lines in force on `as_of` (today): of a division's border, of a level, or all."""
    version = selectors.division_get(filters.division, filters.as_of) if filters.division else None
    qs = selectors.lines_list(version, filters.level, filters.as_of)

    def items(page: list) -> list:
        sides = selectors.line_sides(page, filters.as_of or today())
        return [line_out(line, sides) for line in page]

    return paginate(qs, filters.limit, filters.offset, items)


def line_feature(line: BoundaryLine) -> dict:
    """One line version as a GeoJSON Feature: sides, name, length, agreement, markers.

    GET /boundaries/{line_id} adds the line's inspections: inspections.api serves it,
    since inspections build on boundaries and not the other way round."""
    sides = selectors.line_sides([line], reference_date(line))
    properties = line_out(line, sides) | {
        "geometry_source": line.geometry_source,
        "markers": [marker_out(m) for m in selectors.line_markers(line)],
    }
    return {"id": line.id, "geometry": json.loads(line.geom.geojson), "properties": properties}


@router.get("/boundaries/{line_id}/markers", response=MarkerListOut, tags=["boundaries"])
def boundary_markers(request, line_id: int):
    """The line's markers, each with its current state and its state history."""
    line = selectors.line_get(line_id)
    return {"line_id": line.id, "items": [marker_out(m) for m in selectors.line_markers(line)]}


class MapBoxParams(AsOf):
    bbox: str = Field(description="minlon,minlat,maxlon,maxlat (CGCS2000)")
    zoom: int = Field(ge=0, le=22, description="the map's zoom: geometry is simplified to a pixel")


def _map_box(params: MapBoxParams) -> maplayers.Box:
    return maplayers.Box(*parse_bbox(params.bbox), params.zoom)


@router.get("/map/divisions/{level}", response=MapLayerOut, tags=["map"])
def map_divisions(request, level: LevelParam, params: Query[MapBoxParams]):
    """The divisions of a level in a box, for the web map (labels at their seats)."""
    return json_response(maplayers.divisions(level, _map_box(params), params.as_of or today()))


@router.get("/map/lines", response=MapLayerOut, tags=["map"])
def map_lines(request, params: Query[MapBoxParams]):
    """Border lines in force in a box, for the web map."""
    return json_response(maplayers.lines(_map_box(params), params.as_of or today()))


@router.get("/map/markers", response=MapLayerOut, tags=["map"])
def map_markers(request, params: Query[MapBoxParams]):
    """Boundary markers (their state in force) in a box, for the web map."""
    return json_response(maplayers.markers(_map_box(params), params.as_of or today()))


# Markers: public reads; writes are the place-name office's (boundaries.policies).

class MarkerFilter(AsOf, PageIn):
    line: int | None = Field(None, description="id of a border line version: its markers")
    division: str | None = Field(None, description="code of a division: the markers on the "
                                 "lines of its border")


@router.get("/markers", response=MarkerPageOut, tags=["boundaries"])
def marker_list(request, filters: Query[MarkerFilter]):
    """Markers in service on `as_of` (today), each with its state then and its history."""
    line = selectors.line_get(filters.line) if filters.line is not None else None
    version = selectors.division_get(filters.division, filters.as_of) if filters.division \
        else None
    qs = selectors.markers_list(line, version, filters.as_of)
    return paginate(qs, filters.limit, filters.offset,
                    lambda rows: [marker_out(m, filters.as_of) for m in rows])


@router.get("/markers/{int:marker_id}", response=MarkerOut, tags=["boundaries"])
def marker_detail(request, marker_id: int, when: Query[AsOf]):
    return marker_out(selectors.marker_get(marker_id), when.as_of)


def _position(given: MarkerPositionIn) -> tuple:
    return (given.lon, given.lat), given.crs


def _written(request, marker_id: int, verb: str):
    permissions.require(request.auth, f"marker.{verb}")
    return selectors.marker_get(marker_id)


@router.post("/markers", response={201: MarkerOut}, auth=AUTH, tags=["boundaries"])
def marker_create(request, payload: MarkerIn):
    """Register a marker on its line(s) with its first state (the office's)."""
    permissions.require(request.auth, "marker.register")
    position, crs = _position(payload.position)
    marker = services.marker_register(
        number=payload.number, type=payload.type, lines=payload.lines, position=position,
        crs=crs, material=payload.material, installed=payload.installed,
        status=payload.status, on=payload.on, note=payload.note, source=payload.source,
        actor=request.auth)
    return 201, marker_out(selectors.marker_get(marker.id))


@router.post("/markers/{int:marker_id}/states", response={201: MarkerOut}, auth=AUTH,
             tags=["boundaries"])
def marker_state_create(request, marker_id: int, payload: MarkerStateIn):
    """Record a state (intact, damaged, missing, displaced where found, restored …)."""
    marker = _written(request, marker_id, "record_state")
    if payload.position is not None and payload.status != MarkerStatus.DISPLACED:
        raise BadRequest.of(gettext_noop(
            "position: only a displaced marker is recorded where it was found; a new position "
            "is a move (POST /markers/{id}/move with its reason)"))

    position = None
    if payload.position is not None:
        position = marker_checks.point(*_position(payload.position))
    services.marker_record_state(marker=marker, status=payload.status, on=payload.on,
                                 position=position, note=payload.note,
                                 material=payload.material, source=payload.source,
                                 actor=request.auth)
    return 201, marker_out(selectors.marker_get(marker.id))


@router.post("/markers/{int:marker_id}/move", response={201: MarkerOut}, auth=AUTH,
             tags=["boundaries"])
def marker_move(request, marker_id: int, payload: MarkerMoveIn):
    """Move a marker: a new position as a new state with its reason, the old one kept.
    That both sides agreed is theirs to document; the registry does not check it."""
    marker = _written(request, marker_id, "move")
    position, crs = _position(payload.position)
    services.marker_move(marker=marker, position=position, crs=crs, on=payload.on,
                         reason=payload.reason, source=payload.source, actor=request.auth)
    return 201, marker_out(selectors.marker_get(marker.id))
