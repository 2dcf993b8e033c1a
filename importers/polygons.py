"""Load division polygons from any file Fiona reads and attach them to registry versions.

read → transform → validate → match → write. Python only reads features and turns them into
WKB; the rest runs set-based in PostGIS on temp tables: reprojection to EPSG:4490, repair
(ST_MakeValid, polygonal part, ST_Multi), geodesic area, matching, one UPDATE ... FROM.
Reading and the geometry work cost about the same, so a thread reads the file while the
database repairs the chunk before (one COPY and one INSERT ... SELECT per chunk).

History is never overwritten. A version without a geometry gets one: that completes its
record. A version whose geometry differs is a conflict and the whole load is refused unless
``replace`` is given, which is for correcting a geometry (a better survey of the same line):
a real boundary change (边界调整) is an event with new versions, not made here. Renames seen
in the file are reported as probable renames, never applied.
"""

import io
from collections import namedtuple
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import fiona
import pyproj
from django.db import connection, transaction
from django.utils.translation import gettext_noop
from tqdm import tqdm

from boundaries.codes import LENGTH_LEVELS, parse_code
from boundaries.geo import area_km2_sql
from boundaries.models import SHORT_LENGTHS, Level
from boundaries.names import normalize
from config.errors import BadRequest
from config.responses import invalidate_on_commit

from .errors import ConflictError, ImporterError, SourceError
from .pgcopy import binary_rows
from .polygon_wkb import to_wkb

TARGET_SRID = 4490
# Geographic WGS 84 and CGCS2000 differ by less than a metre; PROJ itself only
# knows a ballpark (null) transformation between them, so none is applied.
SAME_AS_TARGET = {4326, 4490}
NAME_PROPERTIES = ["name", "NAME", "Name", "XZQMC", "xzqmc", "MC", "名称", "行政区名称"]
CHUNK_BYTES = 4_000_000  # WKB per chunk: ~250k vertices, a few dozen chunks a country
# Repair with the "structure" method: on the real counties it gives the same areas as
# the default "linework" method (total within 3e-6) in a sixth of the time.
REPAIR = "ST_Multi(ST_CollectionExtract(ST_MakeValid(g, 'method=structure'), 3))"


@dataclass
class Report:
    source: str
    level: str
    driver: str = ""
    crs: str = ""
    reprojection: str = ""
    code_property: str | None = None
    name_property: str | None = None
    parent_property: str | None = None
    features: int = 0
    matched: int = 0
    matched_by_code: int = 0
    matched_by_name: int = 0
    repaired: int = 0
    filled: int = 0
    unchanged: int = 0
    replaced: int = 0
    emptied: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    probable_renames: list[dict] = field(default_factory=list)
    historical_matches: list[dict] = field(default_factory=list)
    conflicts: list[dict] = field(default_factory=list)
    committed: bool = False

    def summary(self) -> dict:
        return asdict(self)


def fiona_path(path: str) -> str:
    """Gzipped files through /vsigzip/, zip archives (a zipped Shapefile) through zip://."""
    if path.startswith(("/vsi", "zip://", "zip+")):
        return path
    file = Path(path)
    if not file.is_file():
        raise SourceError.of(gettext_noop("%(path)s: no such file"), path=str(path))
    if file.name.lower().endswith(".gz"):
        return f"/vsigzip/{file.resolve()}"
    if file.suffix.lower() == ".zip":
        return f"zip://{file.resolve()}"
    return str(file)


@contextmanager
def open_source(path: str, layer: str | None = None, encoding: str | None = None):
    """The Fiona collection of the file's (only, or named) layer."""
    readable = fiona_path(path)
    try:
        opened = fiona.open(readable, layer=layer, encoding=encoding)
        # GeoJSON has one layer, and listing it would parse the whole file once more
        layers = [] if opened.driver == "GeoJSON" else fiona.listlayers(readable)
    except (fiona.errors.FionaError, ValueError) as exc:
        raise SourceError.of(gettext_noop("%(path)s: not a readable GIS file (GeoJSON, "
                                          "Shapefile, GeoPackage…) or no such layer: %(error)s"),
                             path=str(path), error=str(exc)) from exc
    if layer is None and len(layers) > 1:
        opened.close()
        raise SourceError.of(gettext_noop("%(path)s holds %(count)s layers (%(layers)s): say "
                                          "which one to load"),
                             path=str(path), count=len(layers), layers=", ".join(layers))
    with opened as collection:
        yield collection


def read_chunks(collection, progress: bool) -> Iterator[list[tuple]]:
    """Chunks of (index, properties, geometry type, WKB or None, GEOS-safe), in file order."""
    chunk, size = [], 0
    features = tqdm(collection, total=len(collection), desc="reading", unit=" features",
                    disable=not progress)
    for index, feature in enumerate(_checked(features)):
        geom = feature.geometry
        data, safe = to_wkb(geom) if geom else (None, True)
        chunk.append((index, dict(feature.properties), geom and geom.type, data, safe))
        size += len(data or b"")
        if size >= CHUNK_BYTES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _checked(features: Iterator) -> Iterator:
    try:
        yield from features
    except fiona.errors.FionaError as exc:
        raise SourceError.of(gettext_noop("reading failed: %(error)s"), error=str(exc)) from exc


def read_ahead(chunks: Iterator) -> Iterator:
    """Read the next chunk in a thread while the database works on this one."""
    with ThreadPoolExecutor(1, thread_name_prefix="polygon-reader") as pool:
        pending = pool.submit(next, chunks, None)
        while (chunk := pending.result()) is not None:
            pending = pool.submit(next, chunks, None)
            yield chunk


def reprojection(path: str, collection) -> tuple[str, list, str]:
    """SQL turning the WKB ``raw`` into EPSG:4490, its parameters and a label for the report."""
    wkt = collection.crs.to_wkt() if collection.crs else ""
    if not wkt:
        minx, miny, maxx, maxy = collection.bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise SourceError.of(gettext_noop("%(path)s: no CRS and the coordinates are not "
                                              "longitude/latitude: give the file its CRS (.prj)"),
                                 path=str(path))
        return f"ST_GeomFromWKB(raw, {TARGET_SRID})", [], "none (no CRS: taken as EPSG:4490)"
    crs = pyproj.CRS.from_wkt(wkt)
    epsg = crs.to_epsg()
    if epsg in SAME_AS_TARGET or crs.equals("OGC:CRS84", ignore_axis_order=True):
        return f"ST_GeomFromWKB(raw, {TARGET_SRID})", [], f"none ({crs.name} taken as EPSG:4490)"
    with connection.cursor() as cur:
        cur.execute("SELECT srid FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND auth_srid = %s",
                    [epsg])
        known = cur.fetchone()
    if known:
        return (f"ST_Transform(ST_GeomFromWKB(raw, %s), {TARGET_SRID})", [known[0]],
                f"EPSG:{epsg} → EPSG:{TARGET_SRID}")
    return f"ST_Transform(ST_GeomFromWKB(raw), %s, {TARGET_SRID})", [wkt], f"{crs.name} → EPSG:4490"


TEMP_TABLES = """
DROP TABLE IF EXISTS poly_raw, poly_geom, poly_attr;
CREATE TEMP TABLE poly_raw (idx integer, raw bytea, safe boolean) ON COMMIT DROP;
CREATE TEMP TABLE poly_geom (idx integer PRIMARY KEY, geom geometry(MultiPolygon, 4490),
    was_valid boolean, area_km2 double precision) ON COMMIT DROP;
CREATE TEMP TABLE poly_attr (idx integer PRIMARY KEY, name text, norm_name text, raw_code text,
    code text, parent text, parent_short text, geom_type text, version_id bigint,
    matched_by text, ambiguous boolean NOT NULL DEFAULT false, state text) ON COMMIT DROP;
-- staged geometries are read once or twice: compressing them would only cost time
ALTER TABLE poly_raw ALTER raw SET STORAGE EXTERNAL;
ALTER TABLE poly_geom ALTER geom SET STORAGE EXTERNAL;
"""


def copy_rows(table: str, columns: str, rows: list[tuple], kinds: str) -> None:
    """COPY rows in binary format (``kinds`` as for pgcopy.binary_rows)."""
    data = binary_rows(rows, kinds)
    with connection.cursor() as cur:
        # one read of the whole buffer: reading it 8 kB at a time would take the GIL from
        # the reader thread hundreds of times a chunk
        cur.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT binary)",
                        io.BytesIO(data), len(data) or 1)


def repair_chunk(chunk: list[tuple], to_target: str, params: list) -> None:
    """Stage one chunk and move it, reprojected, repaired and measured, into poly_geom."""
    copy_rows("poly_raw", "idx, raw, safe", [(c[0], c[3], c[4]) for c in chunk], "ibo")
    with connection.cursor() as cur:
        # OFFSET 0 keeps the sub-select whole, so ST_IsValid runs once per feature.
        cur.execute(f"""
            INSERT INTO poly_geom (idx, geom, was_valid, area_km2)
            SELECT idx, fixed, was_valid, {area_km2_sql('fixed')}
            FROM (SELECT idx, was_valid, CASE WHEN was_valid
                         THEN ST_Multi(ST_CollectionExtract(g, 3)) ELSE {REPAIR} END AS fixed
                  FROM (SELECT idx, g, CASE WHEN safe THEN ST_IsValid(g) ELSE false END
                               AS was_valid
                        FROM (SELECT idx, safe, {to_target} AS g FROM poly_raw) t
                        OFFSET 0) checked) repaired
        """, params)
        cur.execute("TRUNCATE poly_raw")


def _digits(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text if text.isdigit() else None


def _fits(values: list, lengths: set[int]) -> bool:
    """Every non-empty value is a digit string of one of the lengths, and there is one."""
    digits = [_digits(v) for v in values if v not in (None, "")]
    return bool(digits) and all(d and len(d) in lengths for d in digits)


def _pick(candidates: list[str], columns: dict[str, list]) -> str | None:
    """The candidate with the most values; the file's order breaks ties."""
    return max(candidates, key=lambda p: sum(v not in (None, "") for v in columns[p]),
               default=None)


def detect_properties(path: str, fields: list[str], props: list[dict], level: int,
                      code: str | None, name: str | None, parent: str | None) -> tuple:
    columns = {p: [row.get(p) for row in props] for p in fields}
    for given in (code, name, parent):
        if given is not None and given not in columns:
            raise SourceError.of(gettext_noop("%(path)s: no property %(given)r (it has "
                                              "%(fields)s)"),
                                 path=str(path), given=given, fields=", ".join(fields))
    length = SHORT_LENGTHS[level]
    if code is None:
        code = _pick([p for p in columns if _fits(columns[p], {length, 12})], columns)
    if name is None:
        name = next((p for p in NAME_PROPERTIES if p in columns), None)
    if parent is None and level > 1:
        parent = _pick([p for p in columns if p != code
                        and _fits(columns[p], {SHORT_LENGTHS[level - 1], 12})], columns)
    if code is None and name is None:
        raise SourceError.of(gettext_noop("%(path)s: no property looks like a %(length)s-digit "
                                          "code or a name (it has %(fields)s): give "
                                          "--code-property or --name-property"),
                             path=str(path), length=length, fields=", ".join(fields) or "none")
    return code, name, parent


def _code(raw, length: int) -> tuple[str | None, str | None]:
    """A 12-digit code from a short, six-digit (520200) or padded one, or the reason it
    is not one."""
    if raw in (None, ""):
        return None, None
    try:
        code, level = parse_code(_digits(raw) or "")
    except BadRequest:
        code, level = "", 0
    if level == LENGTH_LEVELS[length] or level is None and not code[length:].strip("0"):
        return code, None
    return None, f"code {raw!r} is not a {length}-digit code"


def attribute_rows(props: list[tuple], level: int, columns: tuple) -> list[tuple]:
    """(idx, name, norm_name, raw_code, code, parent, parent_short, geom_type) per feature."""
    code_p, name_p, parent_p = columns
    up = SHORT_LENGTHS.get(level - 1, 0)  # the parent's code length
    rows = []
    for idx, values, geom_type in props:
        name = str(values.get(name_p) or "").strip() or None
        raw_code = str(values.get(code_p) or "").strip() or None
        parent = _code(values.get(parent_p), up)[0] if parent_p and up else None
        rows.append((idx, name, name and normalize(name), raw_code,
                     _code(raw_code, SHORT_LENGTHS[level])[0], parent, parent and parent[:up],
                     geom_type))
    return rows


MATCH_SQL = [
    # by code: the current version first, else the latest historical one
    """
    UPDATE poly_attr a SET version_id = m.id, matched_by = 'code'
    FROM (SELECT DISTINCT ON (a.idx) a.idx, v.id
          FROM poly_attr a JOIN boundaries_divisionversion v
            ON v.code = a.code AND v.level = %(level)s
          ORDER BY a.idx, v.valid_to DESC NULLS FIRST) m
    WHERE a.idx = m.idx
    """,
    # by name within the parent, current versions first; two codes of that name in the
    # preferred tier (current, else historical) make the feature ambiguous
    """
    UPDATE poly_attr a
    SET version_id = CASE WHEN m.ambiguous THEN NULL ELSE m.id END,
        matched_by = CASE WHEN m.ambiguous THEN NULL ELSE 'name' END, ambiguous = m.ambiguous
    FROM (SELECT DISTINCT ON (a.idx) a.idx, v.id,
                 min(v.code) OVER tier <> max(v.code) OVER tier AS ambiguous
          FROM poly_attr a JOIN boundaries_divisionversion v
            ON v.level = %(level)s AND v.name IN (a.name, a.norm_name)
           AND (v.parent_code = a.parent OR (a.parent IS NULL AND NOT %(parents)s))
          WHERE a.version_id IS NULL
          WINDOW tier AS (PARTITION BY a.idx, v.valid_to IS NULL)
          ORDER BY a.idx, v.valid_to DESC NULLS FIRST) m
    WHERE a.idx = m.idx
    """,
    # what writing would do to each matched feature
    """
    UPDATE poly_attr a SET state = CASE
        WHEN g.geom IS NULL OR ST_IsEmpty(g.geom) THEN 'empty'
        WHEN d.n > 1 THEN 'duplicate'
        WHEN v.geom IS NULL THEN 'fill'
        WHEN ST_OrderingEquals(v.geom, g.geom) THEN 'same'
        ELSE 'differs' END
    FROM poly_geom g, boundaries_divisionversion v,
         (SELECT version_id, count(*) AS n FROM poly_attr GROUP BY version_id) d
    WHERE g.idx = a.idx AND v.id = a.version_id AND d.version_id = a.version_id
    """,
]

REPORT_SQL = """
    SELECT a.idx, a.name, a.norm_name, a.raw_code, a.parent_short, a.geom_type, a.matched_by,
           a.ambiguous, a.state, g.was_valid, g.geom IS NULL OR ST_IsEmpty(g.geom), v.code, v.name,
           v.valid_from, v.valid_to
    FROM poly_attr a JOIN poly_geom g USING (idx)
    LEFT JOIN boundaries_divisionversion v ON v.id = a.version_id
    ORDER BY a.idx
"""


def match(level: int, parents: bool) -> list[tuple]:
    """Name matching without a parent is only for files that have no parent property: a
    feature lacking its parent value (Hong Kong's 东区) is not another 东区 (510402)."""
    with connection.cursor() as cur:
        cur.execute("ANALYZE poly_attr")  # else the planner guesses and hash-joins all versions
        for sql in MATCH_SQL:
            cur.execute(sql, {"level": level, "parents": parents})
        cur.execute(REPORT_SQL)
        return cur.fetchall()


# One feature as matched; code, registry_name and the validity are the matched version's.
Row = namedtuple("Row", "idx name norm_name raw_code parent geom_type matched_by ambiguous "
                 "state was_valid empty code registry_name valid_from valid_to")


def _unmatched_reason(row: Row, level: int, parent_property: str | None) -> str:
    label, length = Level(level).label, SHORT_LENGTHS[level]
    under = f" under {row.parent}" if row.parent else ""
    parts = []
    if row.raw_code is not None:
        parts.append(_code(row.raw_code, length)[1] or f"no {label} with code {row.raw_code}")
    if row.name and parent_property and not row.parent:
        parts.append(f"no {parent_property} value, and names are only looked up within "
                     "their parent")
    elif row.ambiguous:
        parts.append(f"several {label}s named {row.name}{under}: give their codes")
    elif row.name:
        parts.append(f"no {label} named {row.name}{under} in the registry (renamed since?)")
    elif row.raw_code is None:
        parts.append("neither a code nor a name")
    return "; ".join(parts)


def _emptied_reason(row: Row) -> str:
    if row.geom_type is None:
        return "no geometry (missing or unreadable in the file)"
    if row.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return f"a {row.geom_type} has no area"
    return "nothing polygonal is left after ST_MakeValid"


def build_report(report: Report, rows: list[Row], level: int, replace: bool) -> None:
    duplicates: dict[str, list[int]] = {}
    for row in rows:
        if row.state == "duplicate":
            duplicates.setdefault(row.code, []).append(row.idx)
    report.features = len(rows)
    report.repaired = sum(row.was_valid is False for row in rows)
    for row in rows:
        short = row.code[:SHORT_LENGTHS[level]] if row.code else None
        if row.empty:
            report.emptied.append({"index": row.idx, "name": row.name, "code": short,
                                   "reason": _emptied_reason(row)})
        if row.code is None or row.state == "duplicate":
            reason = _unmatched_reason(row, level, report.parent_property) if not row.code else (
                f"features {', '.join(map(str, duplicates[row.code]))} all match {short} "
                f"{row.registry_name}: none of them written")
            report.unmatched.append({"index": row.idx, "name": row.name, "reason": reason})
            continue
        report.matched += 1
        report.matched_by_code += row.matched_by == "code"
        report.matched_by_name += row.matched_by == "name"
        entry = {"index": row.idx, "feature_name": row.name, "code": short,
                 "registry_name": row.registry_name}
        if row.norm_name and row.norm_name != normalize(row.registry_name):
            report.probable_renames.append(entry)
        if row.valid_to is not None:
            report.historical_matches.append(entry | {
                "valid_from": row.valid_from and row.valid_from.isoformat(),
                "valid_to": row.valid_to.isoformat()})
        report.filled += row.state == "fill"
        report.unchanged += row.state == "same"
        if row.state == "differs" and replace:
            report.replaced += 1
        elif row.state == "differs":
            report.conflicts.append(entry | {
                "reason": "the registry already has a different geometry for this version"})


WRITE_SQL = """
    UPDATE boundaries_divisionversion v
    SET geom = g.geom, area_km2 = g.area_km2, geometry_source = %(source)s
    FROM poly_attr a JOIN poly_geom g USING (idx)
    WHERE v.id = a.version_id AND a.state = ANY(%(states)s)
"""


def write(report: Report, geometry_source: str, replace: bool) -> None:
    if report.conflicts:
        first = report.conflicts[0]
        raise ConflictError.of(gettext_noop(
            "%(count)s matched division(s) already have a different geometry (e.g. %(code)s "
            "%(name)s, feature %(index)s): nothing written. Pass --replace to correct them; a "
            "boundary change is an event with new versions, not a replacement"),
            count=len(report.conflicts), code=first["code"], name=first["registry_name"],
            index=first["index"])
    with connection.cursor() as cur:
        # lz4 compresses the new geometries several times faster than the default pglz;
        # the setting applies to the values written here only and reads are unaffected
        cur.execute("SET LOCAL default_toast_compression = lz4")
        cur.execute(WRITE_SQL, {"source": geometry_source[:200],
                                "states": ["fill", "differs"] if replace else ["fill"]})
    invalidate_on_commit("divisions")  # the division tiles draw the new polygons
    report.committed = True


def level_value(level: str | int) -> int:
    try:
        return int(Level.parse(level))
    except ValueError as exc:
        raise ImporterError.of(gettext_noop("unknown level %(level)r: %(error)s"), level=level,
                               error=str(exc)) from None


def stage(collection, to_target: str, params: list, progress: bool) -> list[tuple]:
    """Geometries into poly_geom, chunk by chunk; returns (idx, properties, type) per feature."""
    with connection.cursor() as cur:
        # ST_IsValid sends a NOTICE per invalid ring: thousands of messages nobody reads
        cur.execute("SET LOCAL client_min_messages = warning")
        cur.execute(TEMP_TABLES)
    props = []
    for chunk in read_ahead(read_chunks(collection, progress)):
        repair_chunk(chunk, to_target, params)
        props += [(idx, values, geom_type) for idx, values, geom_type, _, _ in chunk]
    return props


def run(path: str | Path, *, level: str | int, commit: bool = False,
        code_property: str | None = None, name_property: str | None = None,
        parent_property: str | None = None, progress: bool = False,
        source_label: str | None = None, replace: bool = False, layer: str | None = None,
        encoding: str | None = None) -> Report:
    """Match a file's polygons to division versions of ``level``; write only with ``commit``.

    geometry_source becomes "imported:<source_label or the file name>".
    """
    lvl, path = level_value(level), str(path)
    with transaction.atomic(), open_source(path, layer, encoding) as collection:
        report = Report(source=path, level=Level(lvl).label, driver=collection.driver,
                        crs=collection.crs.to_string() if collection.crs else "")
        to_target, params, report.reprojection = reprojection(path, collection)
        props = stage(collection, to_target, params, progress)
        columns = detect_properties(path, list(collection.schema["properties"]),
                                    [values for _, values, _ in props], lvl,
                                    code_property, name_property, parent_property)
        report.code_property, report.name_property, report.parent_property = columns
        copy_rows("poly_attr", "idx, name, norm_name, raw_code, code, parent, parent_short, "
                  "geom_type", attribute_rows(props, lvl, columns), "ittttttt")
        rows = [Row(*r) for r in match(lvl, parents=columns[2] is not None)]
        build_report(report, rows, lvl, replace)
        if commit:
            label = source_label or Path(path.rstrip("/")).name
            write(report, f"imported:{label}", replace)
        with connection.cursor() as cur:
            cur.execute("DROP TABLE poly_raw, poly_geom, poly_attr")
    return report
