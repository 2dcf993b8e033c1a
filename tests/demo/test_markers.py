"""The demo's synthetic markers: on every county line of 六盘水, numbered 1..n along it,
within 200 m of each line they stand on, triple at junctions; and an inspection planned,
surveyed by both demo teams and reconciled on one of them, with no developer."""

import csv
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from pyproj import Transformer

from boundaries.marker_checks import MARKER_MAX_OFFSET_M, MARKER_NUMBER
from boundaries.models import BoundaryLine, BoundaryMarker
from inspections import reconciling
from inspections import services as inspections
from tests.support import demo_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def county_lines(prefix: str) -> list[BoundaryLine]:
    return list(BoundaryLine.objects.filter(level=3, valid_to__isnull=True,
                                            left_code__startswith=prefix,
                                            right_code__startswith=prefix))


def along(line: BoundaryLine, marker: BoundaryMarker) -> tuple[int, float]:
    """Where the marker stands along the line: (its part, the fraction along that part)."""
    p = marker.states.get(valid_to__isnull=True).position
    part = min(range(len(line.geom)), key=lambda i: line.geom[i].distance(p))
    return part, line.geom[part].project_normalized(p)


def offsets_m(marker: BoundaryMarker) -> list[float]:
    with connection.cursor() as cur:
        cur.execute("""SELECT ST_Distance(l.geom::geography, s.position::geography)
                       FROM boundaries_markerstate s
                       JOIN boundaries_boundarymarker_lines ml ON ml.boundarymarker_id = s.marker_id
                       JOIN boundaries_boundaryline l ON l.id = ml.boundaryline_id
                       WHERE s.marker_id = %s AND s.valid_to IS NULL""", [marker.id])
        return [row[0] for row in cur.fetchall()]


def test_it_numbers_markers_one_to_n_along_every_county_line_of_liupanshui():
    lines = county_lines("5202")
    assert {line.name for line in lines} >= {"钟水线", "六水线", "水盘线"}
    for line in lines:
        own = [m for m in line.markers.all() if m.number[:2] == line.name[:2]]
        assert len(own) >= line.length_m / 20_000, line.name  # at least one every ~20 km
        in_order = sorted(own, key=lambda m: along(line, m))
        expected = [f"{line.name[:2]}{i:02d}" for i in range(1, len(own) + 1)]
        assert [m.number for m in in_order] == expected, line.name
        for marker in line.markers.all():
            assert marker.synthetic
            assert marker.states.get().source.startswith("synthetic")
            assert MARKER_NUMBER.match(marker.number)
            assert max(offsets_m(marker)) <= MARKER_MAX_OFFSET_M, marker.number


def test_it_stands_a_triple_marker_on_every_line_of_a_junction():
    triples = BoundaryMarker.objects.filter(type="triple")
    assert triples.exists()  # 太原's counties meet three at a time
    for marker in triples:
        assert marker.lines.count() >= 2
        assert max(offsets_m(marker)) <= MARKER_MAX_OFFSET_M
        assert marker.number[:2] in {line.name[:2] for line in marker.lines.all()}


def survey_csv(path, line: BoundaryLine):
    """What a side's surveyors would hand in: every marker's number and GK coordinates."""
    to_gk = Transformer.from_crs(4490, 4523, always_xy=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["界桩号", "X", "Y"])
        for marker in line.markers.all():
            p = marker.states.get(valid_to__isnull=True).position
            east, north = to_gk.transform(p.x, p.y)
            writer.writerow([marker.number, f"{north:.3f}", f"{east:.3f}"])
    return path


def test_it_lets_the_demo_staff_run_an_inspection_on_a_demo_line(tmp_path):
    line = BoundaryLine.objects.get(name="钟水线", level=3, valid_to__isnull=True)
    clerk = User.objects.get(username="demo-clerk")
    inspection = inspections.inspection_plan(actor=clerk, line=line, year=date.today().year,
                                             team_a="钟山区联检组", team_b="水城区联检组")
    inspections.inspection_start_survey(actor=clerk, inspection_id=inspection.id)
    for side, member in [("A", "demo-team-520201"), ("B", "demo-team-520204")]:
        surveyor = User.objects.get(username=member)
        upload = inspections.survey_upload(actor=surveyor, inspection_id=inspection.id,
                                           side=side, path=survey_csv(tmp_path / f"{side}.csv",
                                                                      line))
        inspections.survey_confirm(actor=surveyor, upload_id=upload.id)
    done = reconciling.inspection_reconcile(actor=clerk, inspection_id=inspection.id)
    verdicts = {m["number"]: m["verdict"] for m in done.results["markers"]}
    assert set(verdicts) == set(line.markers.values_list("number", flat=True))
    assert set(verdicts.values()) == {"intact"}
