"""Reading an uploaded file never makes the server fetch a URL.

Files are checked for references a reader could follow before any parser sees them
(``check_links``): a GeoJSON ``crs`` of type link, KML links (NetworkLink, Icon, any
href), XLink and GDAL's /vsicurl/-style paths anywhere. As a second wall, GDAL's HTTP
client is pointed at a closed local port for the whole process (``gdal_offline``): GDAL
resolves a GeoJSON crs link with libcurl, and libcurl would bypass a proxy for hosts in
no_proxy, so those variables go too. GPX ``<link>`` elements are descriptive (a vendor's
web page); GDAL keeps their text and never loads them, so they are not refused.
"""

import os
import re
from pathlib import Path

from django.utils.translation import gettext_noop

from config.said import Said

from ..errors import RefusedFile

CHUNK = 1024 * 1024
CLOSED_PORT = "127.0.0.1:1"

VSI = re.compile(rb"/vsi(?:curl|curl_streaming|s3|gs|az|adls|oss|swift|webhdfs|http)\w*/",
                 re.IGNORECASE)
# "crs": {"type": "link", ...} or any href/url inside a crs member
GEOJSON_LINK = re.compile(rb'"crs"\s*:\s*\{[^{}]*(?:\{[^{}]*\}[^{}]*)*?"(?:link|href|url)"',
                          re.IGNORECASE)
KML_LINK = re.compile(rb"<\s*(?:[\w.-]+:)?(?:NetworkLink|href)\b|xlink:href|xi:include",
                      re.IGNORECASE)


def gdal_offline() -> None:
    for name in ("no_proxy", "NO_PROXY"):
        os.environ.pop(name, None)
    os.environ.update({
        "GDAL_HTTP_PROXY": CLOSED_PORT, "GDAL_HTTPS_PROXY": CLOSED_PORT,
        "GDAL_HTTP_CONNECTTIMEOUT": "1", "GDAL_HTTP_TIMEOUT": "1", "GDAL_HTTP_MAX_RETRY": "0",
        "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".none", "PROJ_NETWORK": "OFF"})


def _scan(path: Path, patterns: list[tuple[re.Pattern, str]]) -> None:
    """Look for each pattern across the file in overlapping blocks (a match cut between two
    blocks is still seen; UTF-16 files are compared after removing their NUL bytes)."""
    tail = b""
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            text = tail + block.replace(b"\x00", b"")
            for pattern, what in patterns:
                if pattern.search(text):
                    raise RefusedFile.of(gettext_noop("%(path)s: %(what)s: a file may not make "
                                                      "the server fetch anything; refused"),
                                         path=str(path), what=Said(what))
            tail = text[-4096:]


def check_links(path: Path, fmt: str) -> None:
    patterns = [(VSI, gettext_noop("a GDAL virtual network path (/vsicurl/ and the like)"))]
    if fmt == "geojson":
        patterns.append((GEOJSON_LINK, gettext_noop("a GeoJSON crs given as a link")))
    if fmt == "kml":
        patterns.append((KML_LINK, gettext_noop("a KML link (NetworkLink, href or XLink)")))
    _scan(path, patterns)
