"""Which way border lines run (the left division on the left), and lines through overlaps."""

from datetime import date

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, MultiPolygon, Point, Polygon
from django.db import connection
from pyproj import Transformer

from accounts.services import system_actor
from boundaries.lines import boundary_lines_derive
from boundaries.models import BoundaryLine, DivisionVersion, MarkerStatus
from boundaries.names import search_keys
from boundaries.orientation import oriented, oriented_along
from boundaries.services import marker_register
from tests.boundaries.test_lines import add_county

pytestmark = pytest.mark.django_db

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"
# Two test counties near 乌鲁木齐, drawn in metres on CGCS2000 3° Gauss-Krüger CM 87°E.
WEST, EAST = "650102000000", "650103000000"
GK_87 = 4538
FROM_GK = Transformer.from_crs(GK_87, 4490, always_xy=True)
TO_GK = Transformer.from_crs(4490, GK_87, always_xy=True)
X0, Y0 = 500_000.0, 4_800_000.0


@pytest.fixture(autouse=True)
def registry(demo_registry):
    yield


def derive(**kw) -> dict:
    return boundary_lines_derive(**({"level": 3, "commit": True} | kw))


# A point `metres` to the left of each segment's midpoint, and the side it falls in:
# the metres of each line's segments whose point lies in the left side only, and in the
# right side only. Lines of levels 1 and 2 are judged by the
# county polygons, whose codes start with their sides' short codes.
SIDE_PROBES = """
WITH segs AS (
    SELECT l.id, l.left_code, l.right_code, ST_Length(s.geom::geography) AS m,
           ST_X(ST_StartPoint(s.geom)) AS x1,
           ST_Y(ST_StartPoint(s.geom)) AS y1, ST_X(ST_EndPoint(s.geom)) AS x2,
           ST_Y(ST_EndPoint(s.geom)) AS y2
    FROM boundaries_boundaryline l, ST_Dump(l.geom) d, ST_DumpSegments(d.geom) s
    WHERE l.level = %(level)s AND l.valid_to IS NULL
), probes AS (
    SELECT id, left_code, right_code, m,
           ST_SetSRID(ST_Point((x1 + x2) / 2 - (y2 - y1) * k / c,
                               (y1 + y2) / 2 + (x2 - x1) * c * k), 4490) AS pt
    FROM (SELECT *, cos(radians(y1)) AS c,
                 %(metres)s / 111320.0 / nullif(sqrt(((x2 - x1) * cos(radians(y1))) ^ 2
                                                     + (y2 - y1) ^ 2), 0) AS k
          FROM segs) s
    WHERE k IS NOT NULL
), found AS (
    SELECT p.id, p.m, bool_or(left(d.code, %(n)s) = left(p.left_code, %(n)s)) AS l,
           bool_or(left(d.code, %(n)s) = left(p.right_code, %(n)s)) AS r
    FROM probes p JOIN boundaries_divisionversion d
      ON d.level = %(src)s AND d.valid_to IS NULL AND d.geom && p.pt AND ST_Intersects(d.geom, p.pt)
    GROUP BY p.id, p.pt, p.m
)
SELECT id, coalesce(sum(m) FILTER (WHERE l AND NOT r), 0),
       coalesce(sum(m) FILTER (WHERE r AND NOT l), 0)
FROM found GROUP BY id
"""


def sides(level: int, metres: float = 3.0) -> dict[int, tuple[float, float]]:
    n = {1: 2, 2: 4}.get(level, 12)
    with connection.cursor() as cur:
        cur.execute(SIDE_PROBES, {"level": level, "metres": metres, "n": n,
                                  "src": 3 if level < 3 else level})
        return {row[0]: (row[1], row[2]) for row in cur.fetchall()}


def test_it_runs_every_county_line_with_its_left_division_on_its_left():
    derive()
    probes = sides(3)
    assert set(probes) == set(BoundaryLine.objects.filter(level=3).values_list("id", flat=True))
    assert sum(good for good, _ in probes.values()) > 1_000_000  # metres
    # every segment of every line: the point 3 m to its left lies in the left county
    assert {line: bad for line, (_, bad) in probes.items() if bad} == {}


def test_it_runs_township_lines_the_same_way():
    derive(level=4)
    probes = sides(4)
    assert len(probes) > 1000
    # synthetic townships meet county borders in slivers: a few metres of the line there
    # may belong to neither side, or to the other
    assert all(bad <= 0.01 * (good + bad) for good, bad in probes.values())
    assert sum(bad for _, bad in probes.values()) < 50


def test_it_keeps_the_orientation_from_county_to_province_lines():
    add_county("宣威市", "530381000000", [("530000000000", "云南省", 1),
                                        ("530300000000", "曲靖市", 2)])
    derive()
    derive(level=1)
    province = BoundaryLine.objects.get(level=1, valid_to__isnull=True)
    good, bad = sides(1)[province.id]
    assert good > 0.9 * province.length_m
    assert bad == 0


def test_it_versions_a_line_that_ran_the_other_way_and_keeps_the_old_one():
    derive()
    line = BoundaryLine.objects.get(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG)
    marker = marker_register(number="钟水01", type="single", lines=[line],
                             position=line.geom[0].interpolate_normalized(0.3),
                             status=MarkerStatus.INTACT, actor=system_actor())
    # as lines were stored before they were oriented
    with connection.cursor() as cur:
        cur.execute("UPDATE boundaries_boundaryline SET geom = ST_Reverse(geom), "
                    "valid_from = '2021-01-01' WHERE id = %s", [line.id])
    reversed_geom = BoundaryLine.objects.get(pk=line.pk).geom
    assert sides(3)[line.id][0] == 0
    report = derive()
    assert (report["reoriented"], report["changed"], report["new"]) == (1, 0, 0)
    old = BoundaryLine.objects.get(pk=line.pk)
    assert old.valid_to == date.today()
    assert old.geom.equals_exact(reversed_geom, 0)  # history is not rewritten
    new = BoundaryLine.objects.get(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG,
                                   valid_to__isnull=True)
    assert new.valid_from == date.today()
    assert new.geom.equals(old.geom)  # the same line, the other way round
    assert sides(3)[new.id][1] == 0
    assert list(new.markers.all()) == [marker]
    assert derive()["reoriented"] == 0


def test_it_orients_a_line_by_a_polygon_or_along_another_line():
    zhongshan = DivisionVersion.objects.get(code=ZHONGSHAN, level=3)
    ring = zhongshan.geom[0].exterior_ring
    stretch = LineString(ring.coords[10:60], srid=4490)
    backwards = LineString(stretch.coords[::-1], srid=4490)
    left, right = (oriented(g, zhongshan.geom) for g in (stretch, backwards))
    assert left.equals_exact(right, 0)
    # the polygon lies on the left: walking along it, the interior is to the left
    x0, y0 = left[0].coords[20]
    x1, y1 = left[0].coords[21]
    probe = Point((x0 + x1) / 2 - (y1 - y0) * 0.01, (y0 + y1) / 2 + (x1 - x0) * 0.01, srid=4490)
    assert zhongshan.geom.contains(probe)
    along = oriented_along(MultiLineString(backwards, srid=4490), left)
    assert along.equals_exact(left, 0)


# Two counties drawn in metres ----------------------------------------------------------

def lonlat(coords: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [FROM_GK.transform(X0 + x, Y0 + y) for x, y in coords]


def densified(corners: list[tuple[float, float]], step: float = 50.0) -> list[tuple]:
    """The ring through the corners with a vertex every ``step`` metres, as a survey has."""
    out = []
    for (xa, ya), (xb, yb) in zip(corners, corners[1:], strict=False):
        n = max(1, int(((xb - xa) ** 2 + (yb - ya) ** 2) ** 0.5 // step))
        out += [(xa + (xb - xa) * i / n, ya + (yb - ya) * i / n) for i in range(n)]
    return out + [corners[-1]]


def two_counties(west: list[tuple], east: list[tuple]) -> None:
    rows = [("650000000000", "新疆维吾尔自治区", 1, None, None),
            ("650100000000", "乌鲁木齐市", 2, "650000000000", None),
            (WEST, "天山区", 3, "650100000000", west),
            (EAST, "沙依巴克区", 3, "650100000000", east)]
    for code, name, level, parent, corners in rows:
        geom = None
        if corners:
            geom = MultiPolygon(Polygon(lonlat(densified(corners)), srid=4490), srid=4490)
        DivisionVersion.objects.create(code=code, name=name, place_name=name, level=level,
                                       kind="市辖区", parent_code=parent, geom=geom,
                                       **search_keys(name, name))


def in_gk(line: BoundaryLine) -> list[list[tuple[float, float]]]:
    return [[(x - X0, y - Y0) for x, y in (TO_GK.transform(*c) for c in part.coords)]
            for part in line.geom]


def hausdorff_m(line: BoundaryLine, expected: list[tuple[float, float]]) -> float:
    """The farthest either line strays from the other, in metres (sampled every metre)."""
    ours = MultiLineString(*[LineString(p) for p in in_gk(line)])
    theirs = LineString(expected)
    return max(max(theirs.interpolate(t).distance(ours) for t in range(int(theirs.length))),
               max(part.interpolate(t).distance(theirs) for part in ours
                   for t in range(int(part.length))))


def the_line(report: dict) -> BoundaryLine:
    return BoundaryLine.objects.get(level=3, left_code=WEST, right_code=EAST,
                                    valid_to__isnull=True)


def overlap_of(report: dict) -> dict:
    [found] = [o for o in report["overlaps"] if (o["left_code"], o["right_code"]) == (WEST, EAST)]
    return found


def test_it_draws_the_line_along_the_centre_of_two_squares_overlapping_by_20_m():
    two_counties(west=[(0, 0), (1000, 0), (1000, 1000), (0, 1000), (0, 0)],
                 east=[(980, 0), (1980, 0), (1980, 1000), (980, 1000), (980, 0)])
    report = derive()
    line = the_line(report)
    assert len(line.geom) == 1
    assert hausdorff_m(line, [(990, 0), (990, 1000)]) < 1.0
    assert line.length_m == pytest.approx(1000, abs=5)
    overlap = overlap_of(report)
    assert overlap["area_m2"] == pytest.approx(20_000, rel=0.02)
    assert overlap["width_m"] == pytest.approx(20, abs=0.5)
    assert overlap["centre_line"] is True
    x, y = TO_GK.transform(overlap["lon"], overlap["lat"])
    assert 980 < x - X0 < 1000 and 0 < y - Y0 < 1000
    # 天山区 (the lower code) lies west: the line runs north, 15 m off it is outside the sliver
    start, end = in_gk(line)[0][0], in_gk(line)[0][-1]
    assert end[1] - start[1] > 900
    assert sides(3, metres=15)[line.id][1] == 0


def protruding(width: float) -> tuple[list, list]:
    """A shared border x = 1000 from y = 0 to 2000, where the east side runs ``width`` m into
    the west one between y = 500 and 1500."""
    west = [(0, 0), (1000, 0), (1000, 2000), (0, 2000), (0, 0)]
    east = [(1000, 0), (2000, 0), (2000, 2000), (1000, 2000), (1000, 1500),
            (1000 - width, 1500), (1000 - width, 500), (1000, 500), (1000, 0)]
    return west, east


def test_it_draws_through_an_overlap_where_one_border_runs_into_the_other_side():
    two_counties(*protruding(20))
    report = derive()
    line = the_line(report)
    # one line from end to end, along the sliver's centre where the borders part
    assert len(line.geom) == 1
    expected = [(1000, 0), (1000, 500), (990, 510), (990, 1490), (1000, 1500), (1000, 2000)]
    # within the 5 m tolerance: past the corners a line runs on up to it, as every one does
    assert hausdorff_m(line, expected) < 5.5
    # along the centre of the sliver, not along either side
    centre = LineString((990, 550), (990, 1450))
    ours = MultiLineString(*[LineString(p) for p in in_gk(line)])
    assert max(centre.interpolate(t).distance(ours) for t in range(900)) < 0.5
    assert line.length_m == pytest.approx(2000, abs=30)
    overlap = overlap_of(report)
    assert overlap["width_m"] == pytest.approx(20, abs=0.5)
    assert overlap["centre_line"] is True
    assert report["suspect_pairs"] >= 1
    assert sides(3, metres=15)[line.id][1] == 0


def test_it_reports_an_overlap_wider_than_a_sliver_and_draws_none():
    two_counties(*protruding(80))
    report = derive(commit=False)
    overlap = overlap_of(report)
    assert overlap["width_m"] == pytest.approx(80, abs=1)
    assert overlap["centre_line"] is False
    assert report["max_overlap_width_m"] == 50
    derive()
    assert len(the_line(report).geom) == 2  # the line ends where the borders part
    wider = derive(max_overlap_width_m=100, as_of=date.today().replace(year=date.today().year + 1))
    assert overlap_of(wider)["centre_line"] is True
    assert wider["changed"] == 1
    assert len(BoundaryLine.objects.get(level=3, left_code=WEST, valid_to__isnull=True).geom) == 1
