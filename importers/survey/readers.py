"""Read a checked survey file with Fiona into features in the file's own coordinates."""

import codecs
import re
from pathlib import Path

import fiona
from django.utils.translation import gettext_noop
from fiona.errors import FionaError
from tqdm import tqdm

from ..errors import RefusedFile
from . import formats
from .offline import gdal_offline
from .safety import check_feature_count, check_shapefile, sibling
from .types import INFO, Feature, Finding, Source

# Fiona lists only the drivers it tests; GDAL's KML reader is sound and read-only here.
fiona.supported_drivers.setdefault("KML", "r")
gdal_offline()  # before GDAL first reads anything in this process

# GPX route_points/track_points repeat the vertices of routes/tracks one by one
GPX_LAYERS = ["waypoints", "routes", "tracks"]
DWG_CODEPAGE = re.compile(rb"\$DWGCODEPAGE\s*\r?\n\s*3\s*\r?\n\s*(\S+)")
# the content decided the format: GDAL is not left to guess again from the extension
DRIVERS = {formats.SHAPEFILE: "ESRI Shapefile", formats.GEOJSON: "GeoJSON",
           formats.GEOPACKAGE: "GPKG", formats.KML: "KML", formats.GPX: "GPX",
           formats.DXF: "DXF"}
# formats whose text encoding the format itself fixes
FIXED_ENCODING = {formats.GEOJSON: "utf-8", formats.GEOPACKAGE: "utf-8", formats.KML: "utf-8",
                  formats.GPX: "utf-8"}


def _geometry(geom) -> dict | None:
    if geom is None:
        return None
    if geom.type == "GeometryCollection":
        return {"type": geom.type, "geometries": [_geometry(g) for g in geom.geometries]}
    return {"type": geom.type, "coordinates": geom.coordinates}


def _properties(props) -> dict:
    # Fiona 1.10's Properties copies its whole dict on every item access: a table of
    # markers with a dozen columns spends most of its reading time there
    data = getattr(props, "_data", None)  # made for this feature alone: no copy needed
    return data if isinstance(data, dict) else dict(props)


def _collection_features(collection, layer: str, start: int, drop_nulls: bool,
                         progress: bool) -> list[Feature]:
    out = []
    shown = tqdm(collection, desc=f"reading {layer}", unit=" features") if progress else \
        collection
    for index, feature in enumerate(shown, start):
        props = _properties(feature.properties)
        if drop_nulls:
            props = {k: v for k, v in props.items() if v is not None}
        out.append(Feature(index, layer, _geometry(feature.geometry), props))
    return out


def _crs_of(collection) -> str | None:
    # the WKT as GDAL has it: Fiona's crs property builds a CRS object (25 ms a layer)
    return collection.crs_wkt or None


def read_layers(path: Path, fmt: str, layers: list[tuple[str, str | None]], encoding: str | None,
                progress: bool = False) -> tuple[list[Feature], set[str | None]]:
    """Features of every (dataset, layer) and the CRSs the layers declare."""
    features, crss = [], set()
    try:
        for dataset, layer in layers:
            with fiona.open(dataset, layer=layer, encoding=encoding,
                            driver=DRIVERS[fmt]) as collection:
                crss.add(_crs_of(collection))
                check_feature_count(path, len(features) + _count(collection))
                features += _collection_features(collection, collection.name, len(features),
                                                 fmt == formats.GPX, progress)
    except UnicodeDecodeError:
        raise  # a ValueError too, but the caller retries with another encoding
    except (FionaError, ValueError, RuntimeError) as exc:
        raise RefusedFile.of(gettext_noop("%(path)s: not a readable %(format)s file: %(error)s"),
                             path=str(path), format=fmt, error=str(exc)) from exc
    return features, crss


def _count(collection) -> int:
    """The layer's feature count as the driver knows it (-1, unknown, reads as none)."""
    try:
        return max(len(collection), 0)
    except (TypeError, FionaError):
        return 0


def _codec(name: str) -> str:
    name = name.strip()
    candidates = [name, f"cp{name}"] if name.isdigit() else [name]
    for candidate in candidates:
        try:
            return codecs.lookup("utf-8" if candidate == "cp65001" else candidate).name
        except LookupError:
            continue
    raise RefusedFile.of(gettext_noop("the .cpg names an unknown code page %(name)r: give "
                                      "--encoding"), name=name)


def shapefile_encoding(shps: list[Path], given: str | None) -> str | None:
    """The encoding to read with: given, else the .cpg's, else None (try UTF-8, then GB18030)."""
    if given:
        return given
    cpgs = {_codec(cpg.read_text("ascii", "ignore")) for shp in shps
            if (cpg := sibling(shp, ".cpg")) and cpg.read_text("ascii", "ignore").strip()}
    if len(cpgs) > 1:
        raise RefusedFile.of(gettext_noop("the shapefiles' .cpg files name different encodings "
                                          "(%(encodings)s): give --encoding"),
                             encodings=", ".join(sorted(cpgs)))
    return cpgs.pop() if cpgs else None


def read_shapefiles(path: Path, shps: list[Path], given: str | None, progress: bool = False
                    ) -> Source:
    for shp in shps:
        check_shapefile(shp)
    layers = [(str(shp), shp.stem) for shp in shps]
    encoding = shapefile_encoding(shps, given)
    notes = []
    if encoding is None:
        try:
            features, crss = read_layers(path, formats.SHAPEFILE, layers, "utf-8", progress)
            encoding = "utf-8"
        except UnicodeDecodeError:
            features, crss = _decoding(path, layers, "gb18030", progress)
            encoding = "gb18030"
            notes.append(Finding.said("encoding", INFO, gettext_noop(
                "no .cpg and the attributes are not UTF-8: read as GB18030")))
    else:
        features, crss = _decoding(path, layers, encoding, progress)
    return _source(path, formats.SHAPEFILE, features, crss, encoding, notes)


def _decoding(path: Path, layers, encoding: str, progress: bool):
    try:
        return read_layers(path, formats.SHAPEFILE, layers, encoding, progress)
    except (UnicodeDecodeError, LookupError) as exc:
        raise RefusedFile.of(gettext_noop("%(path)s: the attributes cannot be read as "
                                          "%(encoding)s: %(error)s: give --encoding"),
                             path=str(path), encoding=encoding, error=str(exc)) from exc


def _source(path: Path, fmt: str, features, crss: set, encoding: str, notes: list) -> Source:
    if len(crss) > 1:
        raise RefusedFile.of(gettext_noop("%(path)s: its layers declare different coordinate "
                                          "systems"), path=str(path))
    if not features:
        raise RefusedFile.of(gettext_noop("%(path)s: no features in the file"), path=str(path))
    return Source(fmt, features, declared_crs=next(iter(crss)), encoding=encoding,
                  findings=notes)


def _geojson_declares_crs(path: Path) -> bool:
    """GDAL reports WGS 84 for every GeoJSON; only a "crs" member is a declaration."""
    with path.open("rb") as fh:
        return re.search(rb'"crs"\s*:', fh.read(formats.HEAD)) is not None


def read_other(path: Path, fmt: str, given: str | None, progress: bool = False) -> Source:
    """GeoPackage, GeoJSON, KML, GPX, DXF: every layer (GPX: waypoints, routes, tracks)."""
    try:
        names = fiona.listlayers(str(path), driver=DRIVERS[fmt])
    except (FionaError, ValueError) as exc:
        raise RefusedFile.of(gettext_noop("%(path)s: not a readable %(format)s file: %(error)s"),
                             path=str(path), format=fmt, error=str(exc)) from exc
    if fmt == formats.GPX:
        names = [n for n in GPX_LAYERS if n in names]
    if fmt == formats.GEOJSON:
        names = [None]  # one layer, named after the file or its "name" member
    notes = []
    encoding = FIXED_ENCODING.get(fmt)
    if encoding and given and codecs.lookup(given).name != encoding:
        notes.append(Finding.said("encoding", INFO, gettext_noop(
            "%(format)s is %(encoding)s by definition: --encoding %(given)s ignored"),
            {"format": fmt, "encoding": encoding, "given": given}))
    if fmt == formats.DXF:
        with path.open("rb") as fh:
            page = DWG_CODEPAGE.search(fh.read(formats.HEAD))
        encoding = given or (page.group(1).decode("ascii", "replace") if page else "utf-8")
    features, crss = read_layers(path, fmt, [(str(path), n) for n in names],
                                 given if fmt == formats.DXF else None, progress)
    if fmt == formats.GEOJSON and not _geojson_declares_crs(path):
        crss = {None}
    return _source(path, fmt, features, crss, encoding, notes)
