"""The demo registry with the county lines of 六盘水 derived, markers on 钟山区 | 水城区,
the two sides' teams and survey files built here with Fiona in the line's Gauss-Krüger zone.
"""

import csv
from datetime import date
from pathlib import Path

import fiona
import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import LineString, MultiLineString, Point
from fiona.crs import CRS
from pyproj import Transformer

from boundaries.lines import boundary_lines_derive
from boundaries.models import BoundaryLine, MarkerStatus
from boundaries.services import marker_register
from tests.boundaries.conftest import demo_registry  # noqa: F401

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"
INSTALLED = date(2010, 5, 1)
# 六盘水 lies around 104.8°E: CGCS2000 3-degree zone 35 (105°E), zone prefix in the easting.
GK = 4523
TO_GK = Transformer.from_crs(4490, GK, always_xy=True)
NUMBERS = ["钟水01", "钟水02", "钟水03", "钟水04"]
FRACTIONS = [0.2, 0.4, 0.6, 0.8]


@pytest.fixture(scope="module")
def derived(demo_registry, django_db_blocker):  # noqa: F811
    with django_db_blocker.unblock():
        boundary_lines_derive(level=3, commit=True)


@pytest.fixture
def line(derived, db) -> BoundaryLine:
    return BoundaryLine.objects.get(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG,
                                    valid_to__isnull=True)


def on_line(line: BoundaryLine, fraction: float) -> Point:
    point = line.geom[0].interpolate_normalized(fraction)
    point.srid = 4490
    return point


@pytest.fixture
def markers(line) -> dict:
    return {number: marker_register(number=number, type="single", lines=[line],
                                    position=on_line(line, fraction), material="花岗岩",
                                    installed=INSTALLED, status=MarkerStatus.NEWLY_SET)
            for number, fraction in zip(NUMBERS, FRACTIONS, strict=True)}


@pytest.fixture
def people(db) -> dict[str, User]:
    """The office clerk, a member of each side's team and someone in neither."""
    team_a, _ = Group.objects.get_or_create(name="钟山区联检组")
    team_b, _ = Group.objects.get_or_create(name="水城区联检组")
    clerk_group, _ = Group.objects.get_or_create(name="clerk")
    users = {}
    for name, group in [("clerk", clerk_group), ("a1", team_a), ("b1", team_b),
                        ("outsider", None)]:
        users[name], _ = User.objects.get_or_create(username=name)
        users[name].groups.set([group] if group else [])
    return users


def gk(point: Point) -> tuple[float, float]:
    return TO_GK.transform(point.x, point.y)


def line_in_gk(line: BoundaryLine) -> list[list[tuple[float, float]]]:
    return [[TO_GK.transform(x, y) for x, y in part.coords] for part in line.geom]


def bump(parts: list[list[tuple]], metres: float, at: float = 0.5) -> list[list[tuple]]:
    """The longest part with one vertex near ``at`` of its length moved ``metres`` across the
    chord of its neighbours: a difference enclosing roughly half a neighbour span × metres.
    The vertex is chosen so the line stays simple."""
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    coords = list(parts[longest])
    start = int(len(coords) * at)
    for i in list(range(start, len(coords) - 1)) + list(range(1, start)):
        (x0, y0), (x1, y1), (x2, y2) = coords[i - 1], coords[i], coords[i + 1]
        dx, dy = x2 - x0, y2 - y0
        norm = (dx * dx + dy * dy) ** 0.5
        if norm < 50:
            continue
        moved = coords[:i] + [(x1 - dy / norm * metres, y1 + dx / norm * metres)] + coords[i + 1:]
        if LineString(moved, srid=GK).simple and all(
                not LineString(moved).crosses(LineString(p)) for j, p in enumerate(parts)
                if j != longest):
            return parts[:longest] + [moved] + parts[longest + 1:]
    raise AssertionError("no vertex can be moved without the line crossing itself")


def write_gpkg(path: Path, points: dict[str, tuple[float, float]],
               parts: list[list[tuple]] | None) -> Path:
    """A GeoPackage in EPSG:4523 with a layer 界桩 (界桩号) and a layer 界线."""
    with fiona.open(path, "w", driver="GPKG", layer="界桩", crs=CRS.from_epsg(GK),
                    schema={"geometry": "Point", "properties": {"界桩号": "str"}}) as sink:
        sink.writerecords({"geometry": {"type": "Point", "coordinates": xy},
                           "properties": {"界桩号": number}} for number, xy in points.items())
    if parts is not None:
        with fiona.open(path, "w", driver="GPKG", layer="界线", crs=CRS.from_epsg(GK),
                        schema={"geometry": "MultiLineString",
                                "properties": {"名称": "str"}}) as sink:
            sink.write({"geometry": {"type": "MultiLineString", "coordinates": parts},
                        "properties": {"名称": "钟水线"}})
    return path


def write_csv(path: Path, points: dict[str, tuple[float, float]]) -> Path:
    """Surveyors' convention: X is the northing, Y the easting (with its zone prefix)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["界桩号", "X", "Y"])
        for number, (east, north) in points.items():
            writer.writerow([number, f"{north:.3f}", f"{east:.3f}"])
    return path


def as_geos(parts: list[list[tuple]]) -> MultiLineString:
    return MultiLineString([LineString(p) for p in parts], srid=GK)
