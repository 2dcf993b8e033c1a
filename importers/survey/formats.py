"""Tell a survey file's format from its first bytes: the extension is only a hint."""

import re
import zipfile
from pathlib import Path, PurePosixPath

from django.utils.translation import gettext_noop

from config.said import said

from ..errors import RefusedFile
from . import csvfile
from .offline import check_links
from .safety import check_xml

HEAD = 64 * 1024
SHAPEFILE, SHAPEFILE_ZIP, GEOPACKAGE = "shapefile", "shapefile-zip", "geopackage"
GEOJSON, KML, KMZ, GPX, DXF, CSV = "geojson", "kml", "kmz", "gpx", "dxf", "csv"
# what each format's files are usually called, to mention a misleading name
EXTENSIONS = {SHAPEFILE: {".shp"}, SHAPEFILE_ZIP: {".zip"}, GEOPACKAGE: {".gpkg"},
              GEOJSON: {".geojson", ".json"}, KML: {".kml"}, KMZ: {".kmz"}, GPX: {".gpx"},
              DXF: {".dxf"},
              CSV: {".csv", ".txt"}}

XML_ROOT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(kml|gpx)[\s>/]")
DXF_START = re.compile(r"^\s*0\s*\r?\n\s*SECTION\s*\r?\n")


def _text(head: bytes) -> str:
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "replace")
    if head[:2] in (b"<\x00", b"{\x00"):
        return head.decode("utf-16-le", "replace")
    try:
        return head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a cut multi-byte sequence at the end of the head is not a reason to switch
        if exc.start >= len(head) - 4:
            return head[:exc.start].decode("utf-8")
        return head.decode("gb18030", "replace")


def sniff(path: Path) -> str:
    """The format of ``path`` from its content, after refusing links a reader could follow;
    refused when it is none the reader knows."""
    fmt = _sniff(path)
    if fmt not in (SHAPEFILE_ZIP, KMZ, GEOPACKAGE, SHAPEFILE):  # binary: nothing to follow
        check_links(path, fmt)
    return fmt


def _sniff(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(HEAD)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return KMZ if _kml_zip(path) else SHAPEFILE_ZIP
    if head.startswith(b"SQLite format 3\x00"):
        return GEOPACKAGE
    if head[:4] == b"\x00\x00\x27\x0a":
        return SHAPEFILE
    if head.startswith(b"AutoCAD Binary DXF"):
        return DXF
    text = _text(head).lstrip()
    if text.startswith(("{", "[")):
        return GEOJSON
    if text.startswith("<"):
        check_xml(path)  # before anything, GDAL included, parses it
        root = XML_ROOT.search(text.encode("utf-8"))
        if root is None:
            raise RefusedFile.of(gettext_noop("%(path)s: XML that is neither KML nor GPX"),
                                 path=str(path))
        return KML if root.group(1) == b"kml" else GPX
    if DXF_START.match(text):
        return DXF
    if csvfile.looks_like(text):
        return CSV
    raise RefusedFile.of(gettext_noop("%(path)s: not a survey file the reader knows (zipped "
                                      "Shapefile, .shp, GeoPackage, GeoJSON, KML, KMZ, GPX, DXF "
                                      "or a CSV of marker coordinates)"), path=str(path))


def _kml_zip(path: Path) -> bool:
    """A zip holding KML and no shapefile: a KMZ (Google Earth's, 奥维's exports). Only the
    central directory is read; the archive's checks come when it is unpacked."""
    try:
        with zipfile.ZipFile(path) as archive:
            suffixes = {PurePosixPath(n).suffix.lower() for n in archive.namelist()}
    except (zipfile.BadZipFile, EOFError, ValueError, OSError):
        return False  # refused with its reason when unpacked
    return ".kml" in suffixes and ".shp" not in suffixes


def name_mismatch(path: Path, fmt: str) -> dict | None:
    """A note (config.said) when the name says another format than the content."""
    suffix = path.suffix.lower()
    known = {s for exts in EXTENSIONS.values() for s in exts}
    if suffix in known and suffix not in EXTENSIONS[fmt]:
        return said(gettext_noop("the content is %(format)s although the name ends in "
                                 "%(suffix)s: read as %(format)s"),
                    {"format": fmt, "suffix": suffix})
    return None
