"""The survey-file reader: check → sniff → read → choose the CRS → reproject → validate → stage.

Nothing is written to the registry. Staging goes to a temporary table dropped at the end,
or to a scratch table the caller names (``stage_table``), in one transaction: a refusal
anywhere leaves nothing behind.
"""

import gc
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils.translation import gettext_noop

from config.errors import BadRequest, NotFound
from config.said import said

from ..errors import ImporterError, RefusedFile
from . import (
    checks,
    csvfile,
    datum,
    formats,
    gcj,
    geometry,
    mixup,
    params,
    readers,
    safety,
    staging,
)
from . import crs as crs_
from .types import INFO, WARNING, Finding, Source, SurveyResult


def read(path: Path, fmt: str, encoding: str | None, progress: bool = False) -> Source:
    """The file's features in its own coordinates; archives are unpacked privately first."""
    if fmt == formats.SHAPEFILE_ZIP:
        with safety.unpacked(path) as (root, names):
            shapefiles = safety.shapefiles_in(path, root, names)
            source = readers.read_shapefiles(path, shapefiles, encoding, progress)
        source.format = fmt
        return source
    if fmt == formats.KMZ:
        return _read_kmz(path, encoding, progress)
    if fmt == formats.SHAPEFILE:
        return readers.read_shapefiles(path, [path], encoding, progress)
    if fmt == formats.CSV:
        source = csvfile.read(path, encoding)
        if not source.features:
            raise RefusedFile.of(gettext_noop("%(path)s: no rows under the header"),
                                 path=str(path))
        return source
    return readers.read_other(path, fmt, encoding, progress)


def _read_kmz(path: Path, encoding: str | None, progress: bool) -> Source:
    """A zipped KML: unpacked privately, its document checked as a KML file is (XML
    entities, network links) before GDAL reads it."""
    with safety.unpacked(path) as (root, _):
        document = safety.kml_in(path, root)
        if formats.sniff(document) != formats.KML:
            raise RefusedFile.of(gettext_noop("%(path)s: its %(name)s is not KML"),
                                 path=str(path), name=document.name)
        source = readers.read_other(document, formats.KML, encoding, progress)
    source.format = formats.KMZ
    return source


def division_of(code: str | None):
    """The registered division a survey should lie in, or None."""
    if not code:
        return None
    # imported here: boundaries' selectors load pypinyin's dictionaries, a quarter second
    # that a survey read without --division does not need
    from boundaries.selectors import division_get

    try:
        version = division_get(code)
    except (BadRequest, NotFound) as exc:
        raise ImporterError.of(gettext_noop("--division %(code)s: %(reason)s"), code=code,
                               reason=exc.args[0] if exc.args else str(exc)) from exc
    if version.geom is None:
        raise ImporterError.of(gettext_noop("--division %(code)s: %(name)s has no polygon in "
                                            "the registry to compare with"),
                               code=code, name=version.name)
    return version


def _crs_notes(choice: crs_.Choice) -> list[Finding]:
    out = [Finding.said("crs", INFO, **choice.note)] if choice.note else []
    if choice.warning:
        out.append(Finding.said("crs", WARNING, **choice.warning))
    if choice.swap and choice.source != "detected":
        out.append(Finding.said("crs", INFO, gettext_noop(
            "the first coordinate column holds northings (or latitudes): axes swapped")))
    return out


def _in_db(conn, table: str, source: Source, unstageable: set[int], repair: bool,
           division) -> tuple[list[Finding], dict[int, dict]]:
    """Staging and the PostGIS checks: run beside the Python checks, on the same connection."""
    lines = {f.index: f.line for f in source.features}
    staging.stage(table, source.features, unstageable, conn)
    findings, repaired = staging.validity(table, lines, repair, conn)
    if division is not None:
        findings += staging.far_from(table, lines, division.id,
                                     f"{division.short_code} {division.name}", conn)
    return findings, repaired


def _validate(source: Source, flat: geometry.Flat, choice: crs_.Choice, division,
              repair: bool, stage_table: str | None) -> list[Finding]:
    findings, unstageable = checks.geometry_findings(source.features, flat, choice)
    table = staging.create(stage_table)
    with _beside() as submit:
        in_db = submit(_in_db, table, source, unstageable, repair, division)
        prop = checks.number_property(source.features, source.number_property)
        findings += checks.duplicate_numbers(source.features, prop)
        findings += checks.mixed_types(source.features)
        more, repaired = in_db.result()
    for idx, geom in repaired.items():  # indexes are positions in the feature list
        source.features[idx].geometry = geom
    return findings + more


def _order(finding: Finding) -> tuple:
    return (finding.index is not None, finding.index or 0, finding.rule)


@contextmanager
def _collector_paused():
    """Reading allocates a few objects a vertex, none of them cyclic: the cyclic garbage
    collector's passes over them took up to a third of a run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _no_coordinates(path: Path, source: Source) -> None:
    """Refuse a file with features and no coordinate, saying the first unreadable row."""
    first = next((f for f in source.findings if f.rule == "bad_coordinates"), None)
    if first is None:
        raise RefusedFile.of(gettext_noop("%(path)s: %(count)s feature(s) and not one "
                                          "coordinate among them"),
                             path=str(path), count=len(source.features))
    raise RefusedFile.of(gettext_noop("%(path)s: %(count)s feature(s) and not one coordinate "
                                      "among them; line %(line)s: %(finding)s"),
                         path=str(path), count=len(source.features), line=first.line,
                         finding=said(first.template, first.params) if first.template
                         else first.message)


def run(path: str | Path, *, crs: str | None = None, encoding: str | None = None,
        repair: bool = False, division: str | None = None,
        stage_table: str | None = None, progress: bool = False,
        phone_map: bool = False, report=None, helmert: str | None = None,
        plane: str | None = None, convention: str | None = None,
        params_from: str | None = None) -> SurveyResult:
    """Read a survey file whatever its format, CRS and encoding; report its features in
    EPSG:4490 and what is wrong with them. Hostile or broken files raise RefusedFile.

    ``division`` (a code) adds the distance check and lets a Gauss-Krüger file without
    zone prefix be placed; ``stage_table`` keeps the staged features in a new table;
    ``phone_map`` (the user says the positions come from a consumer map) adds the
    GCJ-02 check. ``helmert`` / ``plane`` (comma-separated numbers, see datum.Parameters)
    or ``params_from`` (a county's registered set) take a file in an old datum to CGCS2000;
    without them the county's registered set is used (params.py says which county), and
    without one such a file is refused. ``report(stage, done)`` is told as each of the
    STAGES ends (a background job's progress)."""
    given = datum.given(helmert, plane, convention)
    with _collector_paused():
        result, choice, county = _run(Path(path), crs, encoding, repair, division, stage_table,
                              progress, report or (lambda stage, done: None),
                              (given, params_from))
    prop = checks.number_property(result.features, None)
    more = mixup.findings(result.features, choice.crs, prop, county)
    if phone_map:
        more += gcj.findings(result.features, choice.crs.is_geographic, prop)
    result.findings = sorted(result.findings + more, key=_order)
    return result


@contextmanager
def _beside():
    """Submit work to a thread that uses this thread's database connection, while this one
    goes on in Python: libpq waits on the server without the GIL. Django lets another thread
    use a connection only while it is marked as shared; this thread must not use it then."""
    conn = connections[DEFAULT_DB_ALIAS]
    conn.inc_thread_sharing()
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="survey-db") as pool:
            yield lambda fn, *args: pool.submit(fn, conn, *args)
    finally:
        conn.dec_thread_sharing()


@contextmanager
def _connecting():
    """Open the database connection beside reading the file."""
    with _beside() as submit:
        opened = submit(lambda conn: conn.ensure_connection())
        try:
            yield
        except BaseException:
            opened.exception()  # waited for; the refusal says more than its failure
            raise
        opened.result()


STAGES = ["checked", "read", "reprojected", "validated"]


def _run(path: Path, crs: str | None, encoding: str | None, repair: bool,
         division: str | None, stage_table: str | None, progress: bool,
         report, parameters: tuple) -> tuple[SurveyResult, crs_.Choice, Callable]:
    safety.check_readable(path)
    fmt = formats.sniff(path)
    report("checked", 1)
    with _connecting():
        source = read(path, fmt, encoding, progress)
    report(f"read {len(source.features)} features", 2)
    version = division_of(division)
    flat = geometry.flatten(source.features)
    if not flat.points:
        _no_coordinates(path, source)
    centre = version.geom.centroid.x if version is not None else None
    choice = crs_.choose(source.declared_crs, crs, flat.bounds, axis_free=source.axis_free,
                         division_lon=centre)
    transformation, transformer = params.resolve(
        choice, *parameters, lambda ballpark: params.locate(version, flat, choice, ballpark))
    geometry.to_target(flat, choice.crs, choice.swap, transformer)
    geometry.put_back(source.features, flat)
    report(f"reprojected to EPSG:4490 from {choice.label}", 3)
    findings = checks.notes([formats.name_mismatch(path, fmt)], "format")
    findings += source.findings + _crs_notes(choice)
    with transaction.atomic():
        findings += _validate(source, flat, choice, version, repair, stage_table)
    report("validated and staged", 4)
    result = SurveyResult(str(path), source.format, choice.label, choice.source,
                          source.encoding, source.features, sorted(findings, key=_order),
                          stage_table, transformation.as_dict())
    return result, choice, lambda: params.locate(version, flat, choice, None)
