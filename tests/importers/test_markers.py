"""load_markers: a surveyors' CSV (Gauss-Krüger, X the northing) and a GeoPackage made here
with Fiona, previewed by row, committed all or nothing, lines given or named by the number."""

import csv
import io
import json

import fiona
import pytest
from django.contrib.gis.geos import GEOSGeometry, Point
from django.core.management import CommandError, call_command
from django.db import connection
from fiona.crs import CRS
from pyproj import Transformer

from boundaries.lines import boundary_lines_derive
from boundaries.models import BoundaryLine, BoundaryMarker, MarkerState

pytestmark = pytest.mark.django_db

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"
TO_GK = Transformer.from_crs(4490, 4523, always_xy=True)  # zone 35, prefix in the easting


@pytest.fixture(autouse=True)
def line(demo_registry) -> BoundaryLine:
    boundary_lines_derive(level=3, commit=True)
    return BoundaryLine.objects.get(left_code=ZHONGSHAN, right_code=SHUICHENG,
                                    valid_to__isnull=True)


def at(line: BoundaryLine, fraction: float, north_m: float = 0.0) -> Point:
    p = line.geom[0].interpolate_normalized(fraction)
    return Point(p.x, p.y + north_m / 111_320, srid=4490)


def write_csv(path, rows: list[tuple[str, Point, str]]):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["界桩号", "X", "Y", "类型", "材质", "埋设日期"])
        for number, point, kind in rows:
            east, north = TO_GK.transform(point.x, point.y)
            writer.writerow([number, f"{north:.3f}", f"{east:.3f}", kind, "花岗岩", "2010-05-01"])
    return path


def load(path, *args) -> dict:
    out = io.StringIO()
    call_command("load_markers", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_it_previews_a_csv_row_by_row_and_writes_nothing(tmp_path, line):
    path = write_csv(tmp_path / "钟水线界桩.csv", [
        ("钟水01", at(line, 0.2), "单立"), ("钟水02", at(line, 0.4), "同号双立"),
        ("钟水03", at(line, 0.6, north_m=5000), "单立"), ("钟水4", at(line, 0.8), "单立"),
        ("钟水02", at(line, 0.9), "单立")])
    plan = load(path)
    assert (plan["crs"], plan["accepted"], plan["refused"]) == ("EPSG:4523", 2, 3)
    assert [m["line_ids"] for m in plan["markers"]] == [[line.id], [line.id]]
    # the header is line 1: the rows are lines 2–6
    out = io.StringIO()
    call_command("load_markers", str(path), "--no-color", stdout=out)
    text = out.getvalue()
    assert "would register 2 marker(s)" in text
    assert "line 2: 钟水01 single on 钟水线" in text
    assert "line 3: 钟水02 paired on 钟水线" in text
    assert "line 4: 钟水03 position" in text and "m from 钟水线" in text
    assert "line 5: 钟水4 number" in text
    assert "line 6: 钟水02 marker number 钟水02 (界桩号) appears 2 times" in text
    assert text.index("line 4:") < text.index("line 5:") < text.index("line 6:")
    assert "dry run" in text
    assert not BoundaryMarker.objects.exists()


def test_it_commits_all_or_nothing(tmp_path, line):
    bad = write_csv(tmp_path / "bad.csv", [("钟水01", at(line, 0.2), "单立"),
                                          ("钟水02", at(line, 0.4, north_m=5000), "单立")])
    with pytest.raises(CommandError, match=r"bad.csv: line 3: 钟水02 position"):
        call_command("load_markers", str(bad), "--commit", stdout=io.StringIO())
    assert not BoundaryMarker.objects.exists()
    good = write_csv(tmp_path / "good.csv", [("钟水01", at(line, 0.2), "单立"),
                                            ("钟水02", at(line, 0.4), "单立")])
    call_command("load_markers", str(good), "--commit", "--source", "2010 年成果表",
                 stdout=io.StringIO())
    states = {s.marker.number: s for s in MarkerState.objects.select_related("marker")}
    assert set(states) == {"钟水01", "钟水02"}
    first = states["钟水01"]
    assert (first.source, first.material, str(first.installed)) == (
        "2010 年成果表", "花岗岩", "2010-05-01")
    # through Gauss-Krüger and back, to the millimetre
    assert first.position.distance(at(line, 0.2)) * 111_320 < 0.005
    assert list(first.marker.lines.all()) == [line]
    again = load(good)
    assert again["accepted"] == 0 and again["refused"] == 2  # already registered


def write_gpkg(path, points: dict[str, Point]):
    schema = {"geometry": "Point", "properties": {"编号": "str", "类型": "str"}}
    with fiona.open(path, "w", driver="GPKG", layer="界桩", crs=CRS.from_epsg(4490),
                    schema=schema) as sink:
        sink.writerecords({"geometry": {"type": "Point", "coordinates": (p.x, p.y)},
                           "properties": {"编号": number, "类型": kind}}
                          for number, (p, kind) in points.items())
    return path


def junction() -> tuple[BoundaryLine, BoundaryLine, Point]:
    """Two county lines of the demo that meet, and where (a three-county junction)."""
    with connection.cursor() as cur:
        cur.execute("""SELECT a.id, b.id, ST_AsText(ST_ClosestPoint(a.geom, b.geom))
                       FROM boundaries_boundaryline a JOIN boundaries_boundaryline b
                         ON a.id < b.id AND ST_DWithin(a.geom, b.geom, 0.0001)
                       WHERE a.level = 3 AND b.level = 3 AND a.valid_to IS NULL
                         AND b.valid_to IS NULL
                       ORDER BY a.left_code, a.right_code, b.left_code LIMIT 1""")
        a, b, wkt = cur.fetchone()
    return BoundaryLine.objects.get(pk=a), BoundaryLine.objects.get(pk=b), \
        GEOSGeometry(wkt, srid=4490)


def test_it_reads_a_geopackage_and_puts_a_triple_marker_on_every_line_there(tmp_path):
    first, second, where = junction()
    number = f"{first.name[:2]}05"
    path = write_gpkg(tmp_path / "junction.gpkg", {number: (where, "同号三立")})
    call_command("load_markers", str(path), "--commit", stdout=io.StringIO())
    marker = BoundaryMarker.objects.get(number=number)
    assert marker.type == "triple"
    assert {first.id, second.id} <= set(marker.lines.values_list("id", flat=True))


def test_it_takes_the_line_from_a_pair_of_codes(tmp_path, line):
    path = write_gpkg(tmp_path / "pair.gpkg", {"钟水01": (at(line, 0.5), "单立")})
    plan = load(path, "--pair", "520204", "520201")
    assert plan["accepted"] == 1
    with pytest.raises(CommandError, match="no border line in force"):
        load(path, "--pair", "520201", "520281")
    other = BoundaryLine.objects.filter(level=3, valid_to__isnull=True).exclude(pk=line.pk)[0]
    refused = load(path, "--line", str(other.id))
    assert refused["refusals"][0]["reason"].startswith("number 钟水01: its abbreviation")
