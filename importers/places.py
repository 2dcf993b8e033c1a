"""Load standard place names from a file: GeoJSON, GeoPackage, Shapefile (Fiona) or CSV.

read → transform → validate → write. Columns are found by their usual names in
English or Chinese (标准名称, 地名类别, 行政区划代码, 含义, 历史沿革, 别名, 曾用名 …);
the class is a class code, slug or Chinese class name. Geometry comes from the
file (reprojected to CGCS2000 when its CRS differs) or, in a CSV, from lon/lat or
WKT columns; a place without geometry needs a division code. Every malformed row
is reported with its file and line and nothing is written; without ``commit`` the
load is only a preview. Writing is gazetteer.services.places_create: one bulk insert,
divisions computed set-based.
"""

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import fiona
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.db import connection, transaction
from django.utils.translation import gettext_noop
from tqdm import tqdm

from accounts.permissions import check_actor
from boundaries.codes import parse_code
from boundaries.names import normalize
from config.errors import BadRequest
from gazetteer import services
from gazetteer.models import PlaceClass
from gazetteer.services import NewPlace

from .errors import RowError, SourceError

COLUMNS = {
    "name": ["name", "标准名称", "标准地名", "名称", "地名", "BZMC"],
    "class": ["class", "类别", "地名类别", "DMLB"],
    "division_code": ["division_code", "行政区划代码", "区划代码", "XZQHDM"],
    "meaning": ["meaning", "含义", "地名含义", "来历含义"],
    "history": ["history", "沿革", "历史沿革"],
    "romanization": ["romanization", "罗马字母拼写", "拼音"],
    "valid_from": ["valid_from", "命名时间", "命名日期"],
    "aliases": ["aliases", "别名"],
    "former": ["former_names", "曾用名"],
    "lon": ["lon", "longitude", "经度", "x"],
    "lat": ["lat", "latitude", "纬度", "y"],
    "wkt": ["wkt", "geometry"],
}
SAME_AS_TARGET = {4326, 4490}  # within a metre: PROJ applies nothing between them
VECTOR_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp", ".zip"}


@dataclass
class SourceRow:
    line: int
    values: dict
    geom: GEOSGeometry | None


@dataclass
class Report:
    source: str
    rows: int = 0
    places: int = 0
    committed: bool = False
    classes: dict = field(default_factory=dict)

    def summary(self) -> dict:
        return {"source": self.source, "rows": self.rows, "places": self.places,
                "committed": self.committed, "classes": self.classes}


def run(path: str | Path, *, actor, commit: bool = False, layer: str | None = None,
        encoding: str | None = None, progress: bool = False) -> Report:
    """Read and check a file of places; write them only when ``commit`` is true, their
    naming events as done by ``actor`` (the commands: accounts.services.system_actor())."""
    check_actor(actor)
    path = Path(path)
    if not path.exists():
        raise SourceError.of(gettext_noop("%(path)s: no such file"), path=str(path))
    rows = read_csv(path, encoding) if path.suffix.lower() == ".csv" else read_vector(
        path, layer, encoding)
    places = validate(path.name, rows, progress)
    report = Report(str(path), rows=len(rows), places=len(places))
    for new in places:
        report.classes[new.place_class] = report.classes.get(new.place_class, 0) + 1
    if commit:
        with transaction.atomic():
            services.places_create(places=places, actor=actor)
        report.committed = True
    return report


def _pick(props: dict, key: str) -> str:
    for candidate in COLUMNS[key]:
        for name in (candidate, candidate.upper()):
            value = props.get(name)
            if value not in (None, ""):
                return str(value).strip()
    return ""


def read_vector(path: Path, layer: str | None, encoding: str | None) -> list[SourceRow]:
    target = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        with fiona.open(target, layer=layer, encoding=encoding) as src:
            srid = src.crs.to_epsg() if src.crs else None
            rows = [SourceRow(i, dict(f.properties), _geometry(f.geometry, srid))
                    for i, f in enumerate(src, start=1)]
    except (fiona.errors.FionaError, GDALException, GEOSException, ValueError) as exc:
        raise SourceError.of(gettext_noop("%(name)s: cannot be read as a vector file "
                                          "(%(error)s)"), name=path.name, error=str(exc)) from exc
    return rows


def _geometry(geometry, srid: int | None) -> GEOSGeometry | None:
    if geometry is None:
        return None
    geom = GEOSGeometry(json.dumps(geometry.__geo_interface__ if hasattr(
        geometry, "__geo_interface__") else geometry))
    return to_target(geom, srid)


def to_target(geom: GEOSGeometry, srid: int | None) -> GEOSGeometry:
    """The geometry in CGCS2000 (EPSG:4490); no CRS and lon/lat-looking means 4490."""
    if srid is None:
        x0, y0, x1, y1 = geom.extent
        if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
            raise ValueError("no CRS and the coordinates are not longitude/latitude")
        srid = 4490
    geom.srid = srid
    if srid not in SAME_AS_TARGET:
        geom.transform(4490)
    geom.srid = 4490
    return geom


def read_csv(path: Path, encoding: str | None) -> list[SourceRow]:
    for candidate in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
        try:
            with path.open(encoding=candidate, newline="") as fh:
                records = list(csv.DictReader(fh))
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SourceError.of(gettext_noop("%(name)s: neither UTF-8 nor GB18030; give "
                                          "--encoding"), name=path.name)
    rows, problems = [], []
    for line, props in enumerate(records, start=2):  # line 1 is the header
        try:
            rows.append(SourceRow(line, props, _csv_geometry(props)))
        except (ValueError, GEOSException, GDALException) as exc:
            problems.append(f"{path.name}:{line}: geometry: {exc}")
    if problems:
        raise RowError(problems)
    return rows


def _csv_geometry(props: dict) -> GEOSGeometry | None:
    wkt, lon, lat = _pick(props, "wkt"), _pick(props, "lon"), _pick(props, "lat")
    if wkt:
        return to_target(GEOSGeometry(wkt), None)
    if lon or lat:
        return to_target(Point(float(lon), float(lat)), None)
    return None


def _classes() -> dict[str, PlaceClass]:
    """Every way a file may name a class (code, slug, Chinese name) → the class."""
    found = {}
    for cls in PlaceClass.objects.all():
        found |= {cls.code: cls, cls.slug: cls, cls.name: cls}
    return found


def _current_codes(codes: set[str]) -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT DISTINCT code FROM boundaries_divisionversion WHERE code = ANY(%s)"
                    " AND valid_to IS NULL AND kind <> 'placeholder'", [sorted(codes)])
        return {row[0] for row in cur.fetchall()}


def validate(source: str, rows: list[SourceRow], progress: bool) -> list[NewPlace]:
    classes = _classes()
    codes = {_code12(_pick(r.values, "division_code")) for r in rows} - {""}
    known = _current_codes(codes)
    places, problems, seen = [], [], {}
    for row in tqdm(rows, desc="places", disable=not progress):
        where = f"{source}:{row.line}"
        try:
            new = _new_place(row, classes, known)
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        key = (new.name, new.place_class, tuple(new.division_codes),
               new.geom.wkb.hex() if new.geom else "")
        if key in seen:
            problems.append(f"{where}: {new.name} repeats line {seen[key]}")
            continue
        seen[key] = row.line
        places.append(new)
    if problems:
        raise RowError(problems)
    return places


def _code12(raw: str) -> str:
    """The 12-digit form of a file's code, or "" when it has none or a malformed one."""
    try:
        return parse_code(raw)[0] if raw else ""
    except BadRequest:
        return ""


def _new_place(row: SourceRow, classes: dict[str, PlaceClass], known: set[str]) -> NewPlace:
    v = row.values
    name = normalize(_pick(v, "name"))
    if not name:
        raise ValueError("name: empty")
    cls = classes.get(_pick(v, "class"))
    if cls is None:
        raise ValueError(f"class {_pick(v, 'class')!r}: not a class code, slug or name")
    fields = services.name_fields(name, cls)
    if not fields["specific"]:
        raise ValueError(f"{name}: only a generic, no specific")
    raw_code = _pick(v, "division_code")
    code = _code12(raw_code)
    if raw_code and code not in known:
        raise ValueError(f"division_code {raw_code!r}: no current division has this code")
    if row.geom is None and not code:
        raise ValueError(f"{name}: neither a geometry nor a division code")
    valid_from = _pick(v, "valid_from")
    try:
        when = date.fromisoformat(valid_from[:10]) if valid_from else None
    except ValueError:
        raise ValueError(f"valid_from {valid_from!r}: expected YYYY-MM-DD") from None
    given = _pick(v, "romanization")
    return NewPlace(
        name=name, place_class=cls.code, geom=row.geom,
        division_codes=[code] if code and row.geom is None else [],
        valid_from=when, meaning=_pick(v, "meaning"), history=_pick(v, "history"),
        # The file's spelling is kept where it differs from the rules' (the committee's).
        romanization_override=given if given and given != fields["romanization"] else "",
        variants=[("alias", a) for a in _split(_pick(v, "aliases"))]
        + [("former", f) for f in _split(_pick(v, "former"))],
    )


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("；", ";").replace("、", ";").split(";")
            if part.strip()]
