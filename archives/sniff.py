"""What an uploaded file is, by its content alone: the name and the client's Content-Type
are never believed.

Only the formats an archive holds are accepted (an allow-list): PDF, TIFF (GeoTIFF when
its first directory carries the GeoKey tag), JPEG, PNG, office files — OOXML zip packages
with a [Content_Types].xml, and the legacy OLE compound files. Anything else is refused,
and executables, HTML, SVG and scripts are named as such. Macro-enabled OOXML (a
vbaProject.bin part) is active content and is refused too. Zip packages are checked by
their central directory (zip slip, bombs) with the survey files' own rules.
"""

import struct
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from config.errors import BadRequest
from config.said import Said
from importers.survey.safety import check_archive

HEAD = 8192


@dataclass(frozen=True)
class Sniffed:
    media_type: str
    format: str
    extension: str


PDF = Sniffed("application/pdf", "PDF", ".pdf")
JPEG = Sniffed("image/jpeg", "JPEG", ".jpg")
PNG = Sniffed("image/png", "PNG", ".png")
TIFF = Sniffed("image/tiff", "TIFF", ".tif")
GEOTIFF = Sniffed("image/tiff", "GeoTIFF", ".tif")
OLE = Sniffed("application/x-ole-storage", "Office (legacy OLE)", ".ole")
OOXML = {
    "word/": Sniffed("application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                     "Word (OOXML)", ".docx"),
    "xl/": Sniffed("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   "Excel (OOXML)", ".xlsx"),
    "ppt/": Sniffed("application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    "PowerPoint (OOXML)", ".pptx"),
}
KNOWN = [PDF, JPEG, PNG, TIFF, GEOTIFF, OLE, *OOXML.values()]


def extension_for(media_type: str) -> str:
    """The extension a download gets: the detected type's, never the uploader's."""
    return next((k.extension for k in KNOWN if k.media_type == media_type), ".bin")


# What a refused file looks like, to say so: (leading bytes, what it is).
REFUSED_MAGIC = [
    (b"MZ", gettext_noop("a Windows executable (MZ)")),
    (b"\x7fELF", gettext_noop("an ELF executable")),
    (b"\xca\xfe\xba\xbe", gettext_noop("a Mach-O or Java class file")),
    (b"#!", gettext_noop("a script (#!)")),
]
ACTIVE_TEXT = [(b"<!doctype html", "HTML"), (b"<html", "HTML"), (b"<svg", "SVG"),
               (b"<script", gettext_noop("a script (HTML)")),
               (b"<?xml", gettext_noop("XML (SVG or XHTML may run scripts)"))]
GEOKEY_TAGS = {33550, 33922, 34264, 34735}  # pixel scale, tie point, transform, GeoKeys


def _tiff_is_geo(fh, little: bool) -> bool:
    """Whether the first image directory carries a GeoTIFF tag (classic TIFF only)."""
    order = "<" if little else ">"
    fh.seek(4)
    (offset,) = struct.unpack(order + "I", fh.read(4))
    fh.seek(offset)
    raw = fh.read(2)
    if len(raw) < 2:
        raise BadRequest.of(gettext_noop("file: a TIFF whose first image directory is missing "
                                         "(truncated)"))
    (count,) = struct.unpack(order + "H", raw)
    entries = fh.read(12 * min(count, 4096))
    tags = {struct.unpack(order + "H", entries[i:i + 2])[0]
            for i in range(0, len(entries) - 11, 12)}
    return bool(tags & GEOKEY_TAGS)


def _ooxml(fh) -> Sniffed:
    try:
        with zipfile.ZipFile(fh) as package:
            entries = check_archive("file", package)
    except zipfile.BadZipFile as exc:  # check_archive's refusals are BadRequests already
        raise BadRequest.of(gettext_noop("file: a broken zip package: %(error)s"),
                            error=str(exc)) from exc
    names = {info.filename for info in entries}
    if "[Content_Types].xml" not in names:
        raise BadRequest.of(gettext_noop("file: a zip archive that is not an office document "
                                         "(no [Content_Types].xml): archives take documents, "
                                         "not archives"))
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise BadRequest.of(gettext_noop("file: an office document with macros "
                                         "(vbaProject.bin): active content is refused; save it "
                                         "without macros (.docx, .xlsx, .pptx)"))
    for prefix, kind in OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return kind
    raise BadRequest.of(gettext_noop("file: an OOXML package that is neither Word, Excel nor "
                                     "PowerPoint"))


def sniff(fh) -> Sniffed:
    """The file's kind from its bytes (``fh`` seekable, binary); BadRequest otherwise."""
    fh.seek(0)
    head = fh.read(HEAD)
    if not head:
        raise BadRequest.of(gettext_noop("file: empty (0 bytes)"))
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head[:4] in (b"II*\x00", b"MM\x00*"):
            return GEOTIFF if _tiff_is_geo(fh, head[:2] == b"II") else TIFF
        if head[:4] in (b"II+\x00", b"MM\x00+"):
            return TIFF  # BigTIFF: its GeoKeys are not looked for
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            return OLE
        if head.startswith(b"PK\x03\x04"):
            return _ooxml(fh)
    finally:
        fh.seek(0)
    raise BadRequest.of(gettext_noop("file: %(what)s: refused (the archive takes PDF, "
                                     "TIFF/GeoTIFF, JPEG, PNG and office files, recognised by "
                                     "their content)"), what=_what(head))


def _what(head: bytes) -> Said:
    """What the refused file is (a Said: a page says it in its language)."""
    for magic, what in REFUSED_MAGIC:
        if head.startswith(magic):
            return Said(what)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    for magic, what in ACTIVE_TEXT:
        if text.startswith(magic) or magic in text[:1024]:
            return Said(what)
    return Said(gettext_noop("not a format the archive keeps"))
