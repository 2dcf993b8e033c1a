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

from ..errors import RefusedFile

MAX_UNPACKED = 512 * 1024 * 1024  # bytes an archive may expand to
MAX_RATIO = 100  # uncompressed / compressed, for entries larger than RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
MAX_ENTRIES = 1000
CHUNK = 1024 * 1024

SHAPE_PARTS = (".shx", ".dbf")
# the only entries extracted: whatever else an archive holds is never written to disk
EXTRACTED = {".shp", ".shx", ".dbf", ".prj", ".cpg"}


def max_features() -> int:
    return getattr(settings, "SURVEY_MAX_FEATURES", 1_000_000)


def check_feature_count(path: Path, count: int) -> None:
    """Refuse a file with more features than one survey can hold, before reading them all."""
    if count > max_features():
        raise RefusedFile(f"{path}: {count} features or more (a survey file may hold "
                          f"{max_features()}): split the file")


def check_readable(path: Path) -> int:
    """The file's size; a missing, unreadable or empty file is refused."""
    if not path.exists():
        raise RefusedFile(f"{path}: no such file")
    if not path.is_file():
        raise RefusedFile(f"{path}: not a regular file")
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise RefusedFile(f"{path}: unreadable: {exc.strerror or exc}") from exc
    size = path.stat().st_size
    if size == 0:
        raise RefusedFile(f"{path}: empty file (0 bytes)")
    return size


def _unsafe_name(name: str) -> str | None:
    """Why an entry name could escape the extraction directory, or None."""
    unified = name.replace("\\", "/")
    if unified.startswith("/") or re.match(r"^[A-Za-z]:", unified):
        return "an absolute path"
    if ".." in PurePosixPath(unified).parts:
        return "a '..' component"
    return None


def check_archive(path: Path, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The file entries, after refusing zip slip, links and zip bombs by the central
    directory alone."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise RefusedFile(f"{path}: {len(entries)} entries in the archive (limit {MAX_ENTRIES})")
    total = 0
    for info in entries:
        reason = _unsafe_name(info.filename)
        if reason:
            raise RefusedFile(f"{path}: entry {info.filename!r} has {reason} (zip slip): "
                              "archive refused")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise RefusedFile(f"{path}: entry {info.filename!r} is a symbolic link: "
                              "archive refused")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise RefusedFile(
                f"{path}: entry {info.filename!r} expands {ratio:.0f}-fold ({info.compress_size}"
                f" → {info.file_size} bytes; limit {MAX_RATIO}×): "
                "zip bomb refused")
    if total > MAX_UNPACKED:
        raise RefusedFile(f"{path}: the archive expands to {total} bytes (limit {MAX_UNPACKED}):"
                          " refused")
    return [info for info in entries if not info.is_dir()]


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, root: Path, budget: int) -> int:
    """Copy one entry under root, counting real bytes: a forged size header stops here."""
    target = (root / info.filename.replace("\\", "/")).resolve()
    if root not in target.parents:
        raise RefusedFile(f"entry {info.filename!r} resolves outside the extraction directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with archive.open(info) as src, target.open("xb") as out:
        while block := src.read(CHUNK):
            written += len(block)
            if written > budget:
                raise RefusedFile(f"entry {info.filename!r} expands beyond the declared size "
                                  f"and the limit of {MAX_UNPACKED} bytes: zip bomb refused")
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
            raise RefusedFile(f"{path}: broken zip archive: {exc}") from exc
        except RefusedFile as exc:
            if str(exc).startswith(str(path)):
                raise
            raise RefusedFile(f"{path}: {exc}") from exc
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
        raise RefusedFile(f"{path}: the archive holds no .shp (it has: "
                          f"{', '.join(sorted(names)[:20]) or 'nothing'})")
    return found


def sibling(shp: Path, suffix: str) -> Path | None:
    """The .cpg, .prj … beside a .shp, whatever the case of its extension."""
    for candidate in shp.parent.glob(shp.stem + ".*"):
        if candidate.suffix.lower() == suffix and candidate.stem == shp.stem:
            return candidate
    return None


def _declared_length(data: bytes, name: str) -> int:
    if len(data) < 100 or struct.unpack(">i", data[:4])[0] != 9994:
        raise RefusedFile(f"{name}: not a shapefile part (no 9994 file code in its header)")
    return struct.unpack(">i", data[24:28])[0] * 2  # counted in 16-bit words


def check_shapefile(shp: Path) -> None:
    """Refuse a shapefile whose parts are missing or shorter than their headers say."""
    parts = {}
    for suffix in SHAPE_PARTS:
        part = sibling(shp, suffix)
        if part is None:
            raise RefusedFile(f"{shp.name}: its {suffix} is missing (a shapefile needs .shp, "
                              ".shx and .dbf)")
        parts[suffix] = part
    for part in (shp, parts[".shx"]):
        size = part.stat().st_size
        with part.open("rb") as fh:
            declared = _declared_length(fh.read(100), part.name)
        if size < declared:
            raise RefusedFile(f"{part.name}: truncated: its header says {declared} bytes, the "
                              f"file has {size}")
    dbf = parts[".dbf"]
    with dbf.open("rb") as fh:
        head = fh.read(12)
    if len(head) < 12:
        raise RefusedFile(f"{dbf.name}: truncated: no complete header")
    records, header_len, record_len = struct.unpack("<IHH", head[4:12])
    if dbf.stat().st_size < header_len + records * record_len:
        raise RefusedFile(f"{dbf.name}: truncated: its header says {records} records of "
                          f"{record_len} bytes, the file has {dbf.stat().st_size} bytes")
    shx_records = (parts[".shx"].stat().st_size - 100) // 8
    if shx_records != records:
        raise RefusedFile(f"{shp.name}: the .shx indexes {shx_records} shapes and the .dbf "
                          f"holds {records} records: truncated or mismatched parts")


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
                raise RefusedFile(f"{path}: XML with a <!{found.group(1).upper()}> declaration "
                                  "(external or recursive entities, XXE) refused")
            tail = text[-64:]  # a declaration cut between two blocks is still seen
