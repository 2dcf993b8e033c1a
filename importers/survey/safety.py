"""Hostile and broken files are refused here, before GDAL parses them.

Survey files come from outside (uploads by inspection teams), so an archive is checked
entry by entry from its central directory before anything is extracted, extraction goes
only into a private temporary directory and stops at the size limit even when the
declared sizes lie, and XML is refused when it carries a DOCTYPE or an ENTITY (GDAL's
KML and GPX readers are expat-based; refusing the declaration is simpler than trusting
every build to keep external entities off).
"""

import codecs
import re
import shutil
import stat
import struct
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext_noop

from config.said import Said

from ..errors import RefusedFile

MAX_UNPACKED = 512 * 1024 * 1024  # bytes an archive may expand to
MAX_RATIO = 100  # uncompressed / compressed, for entries larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_ENTRIES = 1000
CHUNK = 1024 * 1024

SHAPE_PARTS = (".shx", ".dbf")
# the only entries extracted: whatever else an archive holds is never written to disk
EXTRACTED = {".shp", ".shx", ".dbf", ".prj", ".cpg", ".kml"}


def max_features() -> int:
    return getattr(settings, "SURVEY_MAX_FEATURES", 1_000_000)


def check_feature_count(path: Path, count: int) -> None:
    """Refuse a file with more features than one survey can hold, before reading them all."""
    if count > max_features():
        raise RefusedFile.of(gettext_noop("%(path)s: %(count)s features or more (a survey file "
                                          "may hold %(most)s): split the file"),
                             path=str(path), count=count, most=max_features())


def check_readable(path: Path) -> int:
    """The file's size; a missing, unreadable or empty file is refused."""
    if not path.exists():
        raise RefusedFile.of(gettext_noop("%(path)s: no such file"), path=str(path))
    if not path.is_file():
        raise RefusedFile.of(gettext_noop("%(path)s: not a regular file"), path=str(path))
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise RefusedFile.of(gettext_noop("%(path)s: unreadable: %(error)s"), path=str(path),
                             error=str(exc.strerror or exc)) from exc
    size = path.stat().st_size
    if size == 0:
        raise RefusedFile.of(gettext_noop("%(path)s: empty file (0 bytes)"), path=str(path))
    return size


def _unsafe_name(name: str) -> Said | None:
    """Why an entry name could escape the extraction directory, or None."""
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified):
        return Said(gettext_noop("an absolute path"))
    if ".." in PurePosixPath(unified).parts:
        return Said(gettext_noop("a '..' component"))
    return None


def check_archive(path: Path, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The file entries, after refusing zip slip, links and zip bombs by the central
    directory alone."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise RefusedFile.of(gettext_noop("%(path)s: %(count)s entries in the archive (limit "
                                          "%(most)s)"),
                             path=str(path), count=len(entries), most=MAX_ENTRIES)
    total = 0
    for info in entries:
        reason = _unsafe_name(info.filename)
        if reason:
            raise RefusedFile.of(gettext_noop("%(path)s: entry %(entry)r has %(reason)s (zip "
                                              "slip): archive refused"),
                                 path=str(path), entry=info.filename, reason=reason)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise RefusedFile.of(gettext_noop("%(path)s: entry %(entry)r is a symbolic link: "
                                              "archive refused"),
                                 path=str(path), entry=info.filename)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise RefusedFile.of(
                gettext_noop("%(path)s: entry %(entry)r expands %(ratio).0f-fold (%(packed)s → "
                             "%(size)s bytes; limit %(most)s×): zip bomb refused"),
                path=str(path), entry=info.filename, ratio=ratio, packed=info.compress_size,
                size=info.file_size, most=MAX_RATIO)
    if total > MAX_UNPACKED:
        raise RefusedFile.of(gettext_noop("%(path)s: the archive expands to %(total)s bytes "
                                          "(limit %(most)s): refused"),
                             path=str(path), total=total, most=MAX_UNPACKED)
    return [info for info in entries if not info.is_dir()]


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, budget: int) -> int:
    """Copy one entry under root, counting real bytes: a forged size header stops here."""
    target = (root / info.filename.replace("\\", "/")).resolve()
    if root not in target.parents:
        raise RefusedFile.of(gettext_noop("entry %(entry)r resolves outside the extraction "
                                          "directory"), entry=info.filename)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as src, target.open("xb") as out:
        while block := src.read(CHUNK):
            written += len(block)
            if written > budget:
                raise RefusedFile.of(gettext_noop("entry %(entry)r expands beyond the declared "
                                                  "size and the limit of %(most)s bytes: zip "
                                                  "bomb refused"),
                                     entry=info.filename, most=MAX_UNPACKED)
            out.write(block)
    return written


@contextmanager
def unpacked(path: Path):
    """(a private temporary directory holding the archive's shapefile parts, the names of
    all its files); the directory is removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix="survey-")).resolve()  # mode 0700
    try:
        try:
            with zipfile.ZipFile(path) as archive:
                budget, names = MAX_UNPACKED, []
                for info in check_archive(path, archive):
                    names.append(info.filename)
                    if PurePosixPath(info.filename).suffix.lower() in EXTRACTED:
                        budget -= _extract(archive, info, root, budget)
        except (zipfile.BadZipFile, EOFError, ValueError, NotImplementedError) as exc:
            raise RefusedFile.of(gettext_noop("%(path)s: broken zip archive: %(error)s"),
                                 path=str(path), error=str(exc)) from exc
        except RefusedFile as exc:
            if str(exc).startswith(str(path)):
                raise
            raise RefusedFile.of(gettext_noop("%(path)s: %(reason)s"), path=str(path),
                                 reason=exc.args[0]) from exc
        yield root, names
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _listed(root: Path, path: Path) -> bool:
    """Not macOS's resource forks (__MACOSX/…, ._name.shp), which archives made there carry."""
    parts = path.relative_to(root).parts
    return "__MACOSX" not in parts and not path.name.startswith("._")


def shapefiles_in(path: Path, root: Path, names: list[str]) -> list[Path]:
    found = sorted(p for p in root.rglob("*")
                   if p.suffix.lower() == ".shp" and p.is_file() and _listed(root, p))
    if not found:
        if not names:
            raise RefusedFile.of(gettext_noop("%(path)s: the archive holds no .shp (it has: "
                                              "nothing)"), path=str(path))
        raise RefusedFile.of(gettext_noop("%(path)s: the archive holds no .shp (it has: "
                                          "%(names)s)"),
                             path=str(path), names=", ".join(sorted(names)[:20]))
    return found


def kml_in(path: Path, root: Path) -> Path:
    """A KMZ's document: doc.kml at its root by the format's rule, else its one .kml."""
    found = sorted(p for p in root.rglob("*")
                   if p.suffix.lower() == ".kml" and p.is_file() and _listed(root, p))
    main = [p for p in found if p.parent == root and p.name.lower() == "doc.kml"]
    if main or len(found) == 1:
        return (main or found)[0]
    raise RefusedFile.of(gettext_noop("%(path)s: a KMZ holds one document (doc.kml); this one "
                                      "holds %(count)s .kml files and no doc.kml"),
                         path=str(path), count=len(found))


def sibling(shp: Path, suffix: str) -> Path | None:
    """The .cpg, .prj … beside a .shp, whatever the case of its extension."""
    for candidate in shp.parent.glob(shp.stem + ".*"):
        if candidate.suffix.lower() == suffix and candidate.stem == shp.stem:
            return candidate
    return None


def _declared_length(data: bytes, name: str) -> int:
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise RefusedFile.of(gettext_noop("%(name)s: not a shapefile part (no 9994 file code "
                                          "in its header)"), name=name)
    return struct.unpack(">i", data[24:28])[0] * 2  # counted in 16-bit words


def check_shapefile(shp: Path) -> None:
    """Refuse a shapefile whose parts are missing or shorter than their headers say."""
    parts = {}
    for suffix in SHAPE_PARTS:
        part = sibling(shp, suffix)
        if part is None:
            raise RefusedFile.of(gettext_noop("%(name)s: its %(suffix)s is missing (a shapefile "
                                              "needs .shp, .shx and .dbf)"),
                                 name=shp.name, suffix=suffix)
        parts[suffix] = part
    for part in (shp, parts[".shx"]):
        size = part.stat().st_size
        with part.open("rb") as fh:
            declared = _declared_length(fh.read(100), part.name)
        if size < declared:
            raise RefusedFile.of(gettext_noop("%(name)s: truncated: its header says %(declared)s "
                                              "bytes, the file has %(size)s"),
                                 name=part.name, declared=declared, size=size)
    dbf = parts[".dbf"]
    with dbf.open("rb") as fh:
        head = fh.read(12)
    if len(head) < 12:
        raise RefusedFile.of(gettext_noop("%(name)s: truncated: no complete header"),
                             name=dbf.name)
    records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    if dbf.stat().st_size < header_len + records * record_len:
        raise RefusedFile.of(gettext_noop("%(name)s: truncated: its header says %(records)s "
                                          "records of %(length)s bytes, the file has %(size)s "
                                          "bytes"),
                             name=dbf.name, records=records, length=record_len,
                             size=dbf.stat().st_size)
    shx_records = (parts[".shx"].stat().st_size - 100) // 8
    if shx_records != records:
        raise RefusedFile.of(gettext_noop("%(name)s: the .shx indexes %(shapes)s shapes and the "
                                          ".dbf holds %(records)s records: truncated or "
                                          "mismatched parts"),
                             name=shp.name, shapes=shx_records, records=records)


XML_DECLS = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _xml_codec(head: bytes) -> str:
    """UTF-16 by its BOM or its first '<'; else any ASCII-compatible reading will do, since
    the markup looked for is ASCII in UTF-8 and GB18030 alike."""
    if head.startswith(b"\xff\xfe") or head[:2] == b"<\x00":
        return "utf-16-le"
    if head.startswith(b"\xfe\xff") or head[:2] == b"\x00<":
        return "utf-16-be"
    return "latin-1"


def check_xml(path: Path) -> None:
    """Refuse XML that declares a DOCTYPE or ENTITY (XXE, billion laughs), wherever it is."""
    with path.open("rb") as fh:
        decoder = codecs.getincrementaldecoder(_xml_codec(fh.read(2)))("replace")
        fh.seek(0)
        tail = ""
        while block := fh.read(CHUNK):
            text = tail + decoder.decode(block)
            found = XML_DECLS.search(text)
            if found:
                raise RefusedFile.of(gettext_noop("%(path)s: XML with a <!%(decl)s> declaration "
                                                  "(external or recursive entities, XXE) "
                                                  "refused"),
                                     path=str(path), decl=found.group(1).upper())
            tail = text[-64:]  # a declaration cut between two blocks is still seen
