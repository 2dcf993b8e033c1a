"""Phone-map surveys: positions shifted by GCJ-02 are told from honest ones by the markers."""

import io
import json
import math
import re
from datetime import date

import prcoords
import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from pyproj import Geod

from accounts.services import system_actor
from boundaries.models import BoundaryMarker, MarkerState
from importers import survey

# Three markers along the 钟山区 | 水城区 border (lon, lat).
REGISTERED = {"钟水01": (104.7612, 26.5731), "钟水02": (104.7785, 26.5512),
              "钟水03": (104.7951, 26.5327)}


@pytest.fixture
def markers(db):
    for number, (lon, lat) in REGISTERED.items():
        marker = BoundaryMarker.objects.create(number=number, type="single")
        MarkerState.objects.create(marker=marker, position=Point(lon, lat, srid=4490),
                                   status="intact", valid_from=date(2020, 1, 1),
                                   actor=system_actor())


def write(tmp_path, positions: dict) -> str:
    path = tmp_path / "phone.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"number": n},
         "geometry": {"type": "Point", "coordinates": list(p)}} for n, p in positions.items()
    ]}, ensure_ascii=False), encoding="utf-8")
    return str(path)


def gcj(lon: float, lat: float) -> tuple[float, float]:
    moved = prcoords.wgs_gcj((lat, lon))
    return moved.lon, moved.lat


def gcj_findings(result) -> list:
    return [f for f in result.findings if f.rule == "gcj02"]


def test_it_flags_markers_displaced_by_the_gcj02_shift(tmp_path, markers):
    path = write(tmp_path, {n: gcj(*p) for n, p in REGISTERED.items()})
    [finding] = gcj_findings(survey.run(path, phone_map=True))
    assert finding.severity == "warning"
    assert finding.message.startswith("looks like GCJ-02")
    # the shift the message states is the one a geodesic measure of the move gives
    _, _, metres = Geod(ellps="GRS80").inv(*REGISTERED["钟水01"], *gcj(*REGISTERED["钟水01"]))
    stated = float(re.search(r"on average (\d+) m", finding.message).group(1))
    assert 100 < metres < 1000
    assert math.isclose(stated, metres, abs_tol=2)


def test_it_passes_markers_surveyed_in_cgcs2000(tmp_path, markers):
    path = write(tmp_path, REGISTERED)
    [finding] = gcj_findings(survey.run(path, phone_map=True))
    assert finding.severity == "info"
    assert finding.message.startswith("does not look like")


def test_it_warns_of_the_shift_when_no_marker_is_known(tmp_path, markers):
    path = write(tmp_path, {"黔滇99": gcj(104.70, 26.60)})
    [finding] = gcj_findings(survey.run(path, phone_map=True))
    assert finding.severity == "warning"
    assert "cannot be checked" in finding.message


def test_it_checks_only_when_the_user_says_phone_map(tmp_path, markers):
    path = write(tmp_path, {n: gcj(*p) for n, p in REGISTERED.items()})
    assert gcj_findings(survey.run(path)) == []


def test_it_reports_the_check_through_the_command(tmp_path, markers):
    path = write(tmp_path, {n: gcj(*p) for n, p in REGISTERED.items()})
    out = io.StringIO()
    call_command("import_survey", path, "--phone-map", "--json", stdout=out)
    rules = {f["rule"]: f for f in json.loads(out.getvalue())["findings"]}
    assert rules["gcj02"]["severity"] == "warning"
