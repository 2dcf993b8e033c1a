"""Survey files in Xian 1980 and Beijing 1954: the transformation to CGCS2000 is reported,
PROJ's ballpark (no datum shift) is refused from an old datum, Helmert and plane parameters
given or registered for the county take the file there to the millimetre, and a file in an
old datum labelled CGCS2000 is told by its markers. The old-datum files are made through
pyproj by a path independent of the reader's (a +towgs84 CRS, the published plane formula)."""

import json
import math
from datetime import date
from io import StringIO

import fiona
import pyproj
import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.db import InternalError, transaction

from accounts.services import system_actor
from boundaries.models import BoundaryMarker, MarkerState
from config.errors import Conflict, Forbidden
from importers import survey
from importers.errors import ImporterError
from importers.models import DatumParameters
from importers.services import datum_parameters_register
from tests.support import county_features

pytestmark = pytest.mark.django_db

GEOD = pyproj.Geod(ellps="GRS80")
# Xian 1980 → CGCS2000, of the size survey offices publish: m, arc-seconds, ppm
HELMERT = (-24.3, 112.7, 63.1, 0.45, -1.2, 0.8, -2.1)
# dX north, dY east (m), rotation (arc-seconds), scale (ppm), with the zone prefix
PLANE = (-38.5, 61.2, 0.35, 4.2)
SCHEMA = {"geometry": "Point", "properties": {"编号": "str"}}


@pytest.fixture(scope="module")
def points() -> dict[str, tuple]:
    """Every tenth vertex of 钟山区's border as a marker, CGCS2000 lon/lat."""
    geom = county_features(codes={"520201"})[0]["geometry"]
    ring = geom["coordinates"][0][0] if geom["type"] == "MultiPolygon" else \
        geom["coordinates"][0]
    return {f"钟水{n + 1:02d}": tuple(p[:2]) for n, p in enumerate(ring[::10][:12])}


def xian80_gk(points: dict, helmert=HELMERT) -> dict:
    """The points as a Xian 1980 / GK zone 35 survey would have them, if ``helmert`` (position
    vector) takes Xian 1980 to CGCS2000: PROJ's +towgs84, CGCS2000 taken as WGS 84 (the
    same frame here; the ellipsoids differ by 0.1 mm of latitude)."""
    old = pyproj.CRS("+proj=tmerc +lat_0=0 +lon_0=105 +k=1 +x_0=35500000 +y_0=0 "
                     f"+ellps=IAU76 +towgs84={','.join(map(str, helmert))} +units=m")
    to_old = pyproj.Transformer.from_crs("EPSG:4326", old, always_xy=True)
    return {n: to_old.transform(*p) for n, p in points.items()}


def plane_old(points: dict, plane=PLANE) -> dict:
    """The points in an old zone-35 plane that the published 4-parameter formula
    N' = dX + k(N cos a - E sin a), E' = dY + k(N sin a + E cos a) takes to CGCS2000's."""
    dx, dy, seconds, ppm = plane
    a, k = math.radians(seconds / 3600), 1 + ppm * 1e-6
    to_gk = pyproj.Transformer.from_crs(4490, 4523, always_xy=True)
    out = {}
    for n, p in points.items():
        east, north = to_gk.transform(*p)
        u, v = (north - dx) / k, (east - dy) / k
        out[n] = (-u * math.sin(a) + v * math.cos(a), u * math.cos(a) + v * math.sin(a))
    return out


def write(path, coords: dict, crs: str | None) -> str:
    with fiona.open(path, "w", driver="ESRI Shapefile", schema=SCHEMA, crs=crs,
                    encoding="utf-8") as out:
        out.writerecords(fiona.Feature.from_dict(
            geometry={"type": "Point", "coordinates": xy}, properties={"编号": n})
            for n, xy in coords.items())
    return str(path)


def write_prj(path, coords: dict, epsg: int) -> str:
    """A shapefile whose .prj is the ESRI WKT of ``epsg``, as ArcGIS writes it."""
    shp = write(path, coords, None)
    path.with_suffix(".prj").write_text(pyproj.CRS.from_epsg(epsg).to_wkt("WKT1_ESRI"))
    return shp


def worst_mm(result, points: dict) -> float:
    got = {f.properties["编号"]: f.geometry["coordinates"] for f in result.features}
    return max(GEOD.inv(*points[n], *got[n][:2])[2] for n in points) * 1000


def run_json(*args) -> dict:
    out = StringIO()
    try:
        call_command("import_survey", *args, "--json", stdout=out)
    except CommandError:
        pass
    return json.loads(out.getvalue())


# what PROJ would use, and the refusal


@pytest.mark.parametrize(("epsg", "name"), [(2359, "Xian 1980"), (2411, "Beijing 1954")])
def test_it_refuses_a_ballpark_from_an_old_datum(tmp_path, points, epsg, name):
    path = write(tmp_path / "m.shp", xian80_gk(points), None)
    with pytest.raises(ImporterError) as refused:
        survey.run(path, crs=f"EPSG:{epsg}")
    message = str(refused.value)
    assert message.startswith(f"EPSG:{epsg} ({name} / 3-degree Gauss-Kruger zone 35)")
    assert "only a ballpark transformation" in message and "--helmert" in message
    detail = run_json(path, "--crs", f"EPSG:{epsg}")["detail"]
    assert detail == message


def test_it_detects_an_old_datum_from_the_prj_and_refuses_it(tmp_path, points):
    path = write_prj(tmp_path / "m.shp", xian80_gk(points), 2359)
    with pytest.raises(ImporterError, match=r"^EPSG:2359 \(Xian 1980"):
        survey.run(path)


def test_it_reports_an_exact_projection_for_a_cgcs2000_file(tmp_path, points):
    to_gk = pyproj.Transformer.from_crs(4490, 4523, always_xy=True)
    path = write(tmp_path / "m.shp", {n: to_gk.transform(*p) for n, p in points.items()},
                 "EPSG:4523")
    data = run_json(path)
    assert data["transformation"]["accuracy_m"] == 0
    assert data["transformation"]["ballpark"] is False
    assert "Gauss-Kruger zone 35" in data["transformation"]["description"]
    assert data["transformation"]["parameters"] is None


def test_it_accepts_wgs84_whose_ballpark_is_centimetres(tmp_path, points):
    to_utm = pyproj.Transformer.from_crs(4490, 32648, always_xy=True)
    path = write(tmp_path / "m.shp", {n: to_utm.transform(*p) for n, p in points.items()},
                 "EPSG:32648")
    result = survey.run(path)
    assert result.transformation["ballpark"] is True
    assert result.transformation["accuracy_m"] is None
    assert worst_mm(result, points) < 1


# parameters given


def test_it_takes_xian80_to_cgcs2000_with_helmert_parameters(tmp_path, points):
    path = write(tmp_path / "m.shp", xian80_gk(points), "EPSG:2359")
    result = survey.run(path, helmert=",".join(map(str, HELMERT)),
                        convention="position_vector")
    assert worst_mm(result, points) < 1
    assert result.transformation["ballpark"] is False
    assert result.transformation["parameters"]["values"] == list(HELMERT)
    assert result.transformation["parameters"]["origin"] == "given"
    # the old coordinates read as CGCS2000 are tens of metres off: the shift was real
    as_cgcs = pyproj.Transformer.from_crs(4523, 4490, always_xy=True)
    off = [GEOD.inv(*points[n], *as_cgcs.transform(*p))[2]
           for n, p in xian80_gk(points).items()]
    assert 20 < min(off) < 200


def test_it_needs_the_convention_of_helmert_rotations(tmp_path, points):
    path = write(tmp_path / "m.shp", xian80_gk(points), "EPSG:2359")
    with pytest.raises(ImporterError, match="convention"):
        survey.run(path, helmert=",".join(map(str, HELMERT)))
    wrong = survey.run(path, helmert=",".join(map(str, HELMERT)),
                       convention="coordinate_frame")
    assert worst_mm(wrong, points) > 1000  # the rotations' signs: metres apart


def test_it_takes_an_old_plane_to_cgcs2000_with_plane_parameters(tmp_path, points):
    path = write(tmp_path / "m.shp", plane_old(points), "EPSG:2359")
    data = run_json(path, "--plane=" + ",".join(map(str, PLANE)))  # "=": it starts with -
    assert data["transformation"]["parameters"]["kind"] == "plane4"
    got = {f["properties"]["编号"]: f["geometry"]["coordinates"] for f in data["features"]}
    assert max(GEOD.inv(*points[n], *got[n])[2] for n in points) < 0.001


def test_it_refuses_plane_parameters_for_longitude_latitude(tmp_path, points):
    path = write(tmp_path / "m.shp", points, "EPSG:4610")
    with pytest.raises(ImporterError, match="Gauss-Krüger plane"):
        survey.run(path, plane="1,2,0,0")


# parameters registered for a county


def register(kind="helmert7", values=HELMERT, source="EPSG:4610", **kw):
    fields = {"convention": "position_vector" if kind == "helmert7" else "",
              "authority": "贵州省测绘地理信息院", "document": "黔测〔2019〕12号",
              "valid_from": date(2019, 1, 1)} | kw
    return datum_parameters_register(actor=system_actor(), county="520201",
                                     source_crs=source, kind=kind, values=values, **fields)


def test_it_reuses_the_parameters_registered_for_the_county(tmp_path, points, lps_polygons):
    found = register()
    path = write(tmp_path / "m.shp", xian80_gk(points), "EPSG:2359")
    for kwargs in ({"division": "520201"}, {}, {"params_from": "520201"}):
        result = survey.run(path, **kwargs)
        assert worst_mm(result, points) < 1
        used = result.transformation["parameters"]
        assert used["set_id"] == found.id and "values" not in used
        assert "黔测〔2019〕12号" in result.transformation["description"]


def test_it_prefers_a_plane_set_fitted_in_the_files_zone(tmp_path, points, lps_polygons):
    register()
    register(kind="plane4", values=PLANE, source="EPSG:2359")
    result = survey.run(write(tmp_path / "m.shp", plane_old(points), "EPSG:2359"))
    assert result.transformation["parameters"]["kind"] == "plane4"
    assert worst_mm(result, points) < 1


def test_it_refuses_naming_the_county_without_a_set(tmp_path, points, lps_polygons):
    path = write(tmp_path / "m.shp", xian80_gk(points), "EPSG:2411")
    register()  # Xian 1980's: not for a Beijing 1954 file
    with pytest.raises(ImporterError, match=r"none is registered for 520201"):
        survey.run(path, division="520201")


def test_it_ends_a_set_when_a_new_one_is_published(divisions_db):
    old = register()
    new = register(values=(1, 2, 3, 0, 0, 0, 0), document="黔测〔2024〕3号",
                   valid_from=date(2024, 7, 1))
    old.refresh_from_db()
    assert old.valid_to == new.valid_from
    with pytest.raises(Conflict, match="overlaps"):
        register(valid_from=date(2024, 7, 1), valid_to=date(2025, 1, 1))


def test_it_lets_only_the_office_register(divisions_db, django_user_model):
    nobody = django_user_model.objects.create(username="surveyor")
    with pytest.raises(Forbidden, match="place-name office"):
        datum_parameters_register(actor=nobody, county="520201", source_crs="EPSG:4610",
                                  kind="helmert7", values=HELMERT, authority="a",
                                  document="d", valid_from=date(2019, 1, 1),
                                  convention="position_vector")


# a datum mix-up


@pytest.fixture
def markers(points, db):
    for number, (lon, lat) in points.items():
        marker = BoundaryMarker.objects.create(number=number, type="single")
        MarkerState.objects.create(marker=marker, position=Point(lon, lat, srid=4490),
                                   status="intact", valid_from=date(2020, 1, 1),
                                   actor=system_actor())


def mixup(result) -> list:
    return [f for f in result.findings if f.rule == "datum_mixup"]


def test_it_warns_of_a_constant_offset_from_the_registered_markers(tmp_path, points,
                                                                    markers):
    to_gk = pyproj.Transformer.from_crs(4490, 4523, always_xy=True)
    shifted = {n: (x + 48.0, y - 71.0) for n, (x, y) in
               ((n, to_gk.transform(*p)) for n, p in points.items())}
    [finding] = mixup(survey.run(write(tmp_path / "m.shp", shifted, "EPSG:4523")))
    assert finding.severity == "warning"
    assert "Xian 1980 or Beijing 1954" in finding.message
    stated = float(finding.message.split("sit about ")[1].split(" m")[0])
    assert math.isclose(stated, math.hypot(48, 71), abs_tol=2)


def test_it_names_the_datum_from_the_countys_parameters(tmp_path, points, markers,
                                                        lps_polygons):
    found = register()
    [finding] = mixup(survey.run(write(tmp_path / "m.shp", xian80_gk(points), "EPSG:4523")))
    assert f"Xian 1980 read as China 2000: the parameters registered for 520201 (set " \
           f"{found.id}" in finding.message


def test_it_does_not_warn_of_honest_or_scattered_surveys(tmp_path, points, markers):
    to_gk = pyproj.Transformer.from_crs(4490, 4523, always_xy=True)
    honest = {n: to_gk.transform(*p) for n, p in points.items()}
    assert mixup(survey.run(write(tmp_path / "a.shp", honest, "EPSG:4523"))) == []
    scattered = {n: (x + 60 * math.cos(i), y + 60 * math.sin(i))
                 for i, (n, (x, y)) in enumerate(honest.items())}
    assert mixup(survey.run(write(tmp_path / "b.shp", scattered, "EPSG:4523"))) == []


def test_it_keeps_a_published_set_as_published(divisions_db):
    found = register()
    found.values = [0.0] * 7
    with pytest.raises(InternalError, match="only an open end date"), transaction.atomic():
        found.save()
    with pytest.raises(InternalError, match="not deleted"), transaction.atomic():
        DatumParameters.objects.filter(pk=found.pk).delete()


def test_it_prints_the_transformation(tmp_path, points):
    path = write(tmp_path / "m.shp", xian80_gk(points), "EPSG:2359")
    out = StringIO()
    call_command("import_survey", path, "--helmert=" + ",".join(map(str, HELMERT)),
                 "--convention", "position_vector", stdout=out)
    [line] = [r for r in out.getvalue().splitlines() if r.strip().startswith("datum:")]
    assert "7-parameter Helmert, position vector convention from EPSG:2359" in line
    assert line.endswith("(accuracy unknown)")


def test_it_names_the_datum_of_a_prj_without_epsg_code(tmp_path, points):
    """A .prj as some Chinese software writes it: its own names, Krassowsky's ellipsoid."""
    shp = write(tmp_path / "m.shp", xian80_gk(points), None)
    tmp_path.joinpath("m.prj").write_text(
        'PROJCS["Gauss_Kruger",GEOGCS["GCS_BJ54",DATUM["D_BJ54",SPHEROID["Krasovsky_1940",'
        '6378245.0,298.3]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],'
        'PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",35500000.0],'
        'PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",105.0],'
        'PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],'
        'UNIT["Meter",1.0]]')
    with pytest.raises(ImporterError, match=r"on the Beijing 1954 ellipsoid\)\) → CGCS2000"):
        survey.run(shp)
