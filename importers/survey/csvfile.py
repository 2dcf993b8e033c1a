"""CSV tables of marker coordinates: one point per row, columns named as surveyors name them.

The pair of coordinate columns is recognised by name (X/Y, E/N, 东坐标/北坐标, 横坐标/纵坐标,
lon/lat, 经度/纬度 …) and read easting first. Surveyors write X for the northing and Y for the
easting (the Gauss-Krüger convention) but not all of them: the order is only a first guess,
and the CRS detection swaps the axes when the values say so.
"""

import csv
import io
import re
from pathlib import Path

from django.utils.translation import gettext_noop

from ..errors import RefusedFile
from .safety import check_feature_count, max_features
from .types import ERROR, INFO, Feature, Finding, Source

NUMBER_COLUMNS = ["界桩号", "界桩编号", "桩号", "编号", "点号", "点名", "number", "no", "no.",
                  "id", "name", "名称"]
# (easting-like, northing-like): GK's Y is the easting, X the northing
PAIRS = [("lon", "lat"), ("lng", "lat"), ("longitude", "latitude"), ("经度", "纬度"),
         ("e", "n"), ("east", "north"), ("easting", "northing"), ("东坐标", "北坐标"),
         ("横坐标", "纵坐标"), ("y", "x"), ("y坐标", "x坐标"), ("东", "北")]
Z_COLUMNS = ["z", "h", "高程", "ele", "elevation", "height", "z坐标"]
UNIT = re.compile(r"\s*[(（\[].*?[)）\]]\s*$")  # X(m), 经度（°）
DMS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[°度]\s*(?:(\d+(?:\.\d+)?)\s*['′分])?\s*"
                 r"(?:(\d+(?:\.\d+)?)\s*(?:[\"″秒]|'')?)?\s*$")


def _key(header: str) -> str:
    return UNIT.sub("", header.strip().lstrip("\ufeff")).strip().lower()


def columns(header: list[str]) -> tuple[int, int, int | None, int | None] | None:
    """Positions of (easting-like, northing-like, z, number) columns, or None."""
    keys = [_key(h) for h in header]
    for east, north in PAIRS:
        if east in keys and north in keys:
            z = next((keys.index(k) for k in Z_COLUMNS if k in keys), None)
            number = next((keys.index(k) for k in NUMBER_COLUMNS if k in keys), None)
            return keys.index(east), keys.index(north), z, number
    return None


def _dialect(text: str):
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def looks_like(text: str) -> bool:
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        header = next(csv.reader([first], _dialect(text)), [])
    except csv.Error:
        return False
    return len(header) >= 2 and columns(header) is not None


def decode(path: Path, data: bytes, given: str | None) -> tuple[str, str, Finding | None]:
    """(text, encoding used, a note when the fallback was taken)."""
    if given:
        try:
            return data.decode(given), given, None
        except (LookupError, UnicodeDecodeError) as exc:
            raise RefusedFile.of(gettext_noop("%(path)s: cannot be read as %(encoding)s: "
                                              "%(error)s"),
                                 path=str(path), encoding=given, error=str(exc)) from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "strict"), "utf-8", None
    try:
        return data.decode("utf-8"), "utf-8", None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise RefusedFile.of(gettext_noop("%(path)s: neither UTF-8 nor GB18030 text (byte "
                                          "%(byte)s): give --encoding"),
                             path=str(path), byte=exc.start) from exc
    return text, "gb18030", Finding.said("encoding", INFO,
                                         gettext_noop("not UTF-8: read as GB18030"))


def number(value: str) -> float:
    """A coordinate: decimal, or degrees-minutes-seconds (105°30′15.2″)."""
    value = value.strip().replace("\u2212", "-")
    try:
        return float(value)
    except ValueError:
        pass
    dms = DMS.match(value)
    if not dms:
        raise ValueError(value)
    degrees, minutes, seconds = (float(part or 0) for part in dms.groups())
    sign = -1 if degrees < 0 else 1
    return sign * (abs(degrees) + minutes / 60 + seconds / 3600)


def _row_feature(index: int, layer: str, header: list[str], row: list[str], line: int,
                 cols: tuple) -> tuple[Feature, Finding | None]:
    east, north, z, _ = cols
    props = dict(zip(header, row + [""] * (len(header) - len(row)), strict=False))
    try:
        point = [number(row[east]), number(row[north])]
        if z is not None and z < len(row) and row[z].strip():
            point.append(number(row[z]))
    except (ValueError, IndexError):
        shown = ", ".join(repr(row[i]) if i < len(row) else "missing" for i in (east, north))
        return (Feature(index, layer, None, props, line),
                Finding.said("bad_coordinates", ERROR, gettext_noop(
                    "%(east)s/%(north)s are not numbers: %(shown)s"),
                    {"east": header[east], "north": header[north], "shown": shown},
                    index, line))
    return Feature(index, layer, {"type": "Point", "coordinates": tuple(point)}, props, line), None


def read(path: Path, given_encoding: str | None) -> Source:
    text, encoding, note = decode(path, path.read_bytes(), given_encoding)
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        return _read_rows(path, reader, encoding, note)
    except csv.Error as exc:  # a field over csv's limit (128 KiB), a stray NUL …
        raise RefusedFile.of(gettext_noop("%(path)s:%(line)s: not a readable CSV row: "
                                          "%(error)s"),
                             path=str(path), line=reader.line_num, error=str(exc)) from exc


def _read_rows(path: Path, reader, encoding: str, note: Finding | None) -> Source:
    header = next(reader, None)
    cols = columns(header or [])
    if cols is None:
        raise RefusedFile.of(gettext_noop("%(path)s: no pair of coordinate columns (X/Y, E/N, "
                                          "东坐标/北坐标, lon/lat, 经度/纬度 …) in the header "
                                          "%(header)s"), path=str(path), header=str(header))
    header = [h.strip().lstrip("\ufeff") for h in header]
    source = Source("csv", [], encoding=encoding, axis_free=True,
                    number_property=header[cols[3]] if cols[3] is not None else None)
    source.findings += [note] if note else []
    limit = max_features()
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(source.features) >= limit:
            check_feature_count(path, len(source.features) + 1)
        feature, problem = _row_feature(len(source.features), path.stem, header, row,
                                        reader.line_num, cols)
        source.features.append(feature)
        if problem:
            source.findings.append(problem)
    return source
