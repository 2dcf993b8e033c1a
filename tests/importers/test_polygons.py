"""The polygon loader against real PostGIS, with real county polygons of 六盘水 written by
the tests as GeoJSON, gzipped GeoJSON, a zipped Shapefile in EPSG:4544 and a GeoPackage."""

import copy
import gzip
import json
import zipfile
from datetime import date
from io import StringIO

import fiona
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from fiona.transform import transform_geom

from boundaries.models import DivisionEvent, DivisionVersion
from importers import polygons
from importers.errors import ConflictError, ImporterError, SourceError
from tests.support import county_features

pytestmark = pytest.mark.django_db

ZHONGSHAN, LIUZHI = "520201", "520203"  # carry their 2023 codes in the real file
OLD_NAMES = {"盘县", "水城县"}  # 盘州市 520281 and 水城区 520204 in 2023
SCHEMA = {"name": "str", "county_code_2023": "str", "city_code": "str", "city_name": "str"}


@pytest.fixture(scope="module")
def lps() -> list[dict]:
    """The four real county polygons of 六盘水, in file order."""
    return county_features(codes={ZHONGSHAN, LIUZHI}, names=OLD_NAMES)


def pick(features: list[dict], *names: str) -> list[dict]:
    return [copy.deepcopy(f) for f in features if f["properties"]["name"] in names]


def _records(features: list[dict], to_crs: str | None = None):
    for f in features:
        geom = f["geometry"]
        if to_crs:
            geom = transform_geom("EPSG:4490", to_crs, geom)
        if geom["type"] == "Polygon":  # Shapefile and GeoPackage layers take one type
            geom = {"type": "MultiPolygon", "coordinates": [geom["coordinates"]]}
        yield fiona.Feature.from_dict(
            geometry=geom, properties={k: f["properties"].get(k) for k in SCHEMA})


def write(path, features: list[dict], driver: str = "GeoJSON", crs: str = "EPSG:4490",
          encoding: str | None = None):
    to_crs = None if crs == "EPSG:4490" else crs
    schema = {"geometry": "MultiPolygon", "properties": SCHEMA}
    with fiona.open(path, "w", driver=driver, crs=crs, schema=schema,
                    encoding=encoding) as out:
        out.writerecords(_records(features, to_crs))
    return path


def write_geojson_gz(tmp_path, features):
    plain = write(tmp_path / "plain.geojson", features)
    target = tmp_path / "lps.geojson.gz"
    target.write_bytes(gzip.compress(plain.read_bytes()))
    return target


def write_shapefile_zip(tmp_path, features, crs="EPSG:4544"):
    """A zipped Shapefile in CGCS2000 / 3-degree Gauss-Krüger CM 105E (六盘水's zone)."""
    shp = write(tmp_path / "lps.shp", features, "ESRI Shapefile", crs)
    target = tmp_path / "lps.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for part in tmp_path.glob("lps.*"):
            if part.suffix != ".zip":
                archive.write(part, part.name)
    assert shp.exists()
    return target


def version(code: str) -> DivisionVersion:
    return DivisionVersion.objects.get(code=code.ljust(12, "0"), level=3, valid_to__isnull=True)


def test_it_matches_features_by_code_and_fills_their_geometry(divisions_db, tmp_path, lps):
    path = write(tmp_path / "lps.geojson", pick(lps, "钟山区", "六枝特区"))
    report = polygons.run(path, level="county", commit=True)
    assert (report.code_property, report.name_property, report.parent_property) == (
        "county_code_2023", "name", "city_code")
    assert report.matched == 2
    assert report.matched_by_code == 2
    assert report.filled == 2
    zhongshan = version(ZHONGSHAN)
    assert zhongshan.geom.srid == 4490
    assert zhongshan.geom.geom_type == "MultiPolygon"
    assert zhongshan.geometry_source == "imported:lps.geojson"
    assert 400 < zhongshan.area_km2 < 1200  # 钟山区 is about 650 km²
    assert report.committed
    assert not report.unmatched


def test_it_matches_by_name_within_the_parent(divisions_db, tmp_path, lps):
    features = pick(lps, "钟山区", "六枝特区")
    for f in features:
        f["properties"]["county_code_2023"] = None
    report = polygons.run(write(tmp_path / "lps.geojson", features), level="county",
                          code_property="county_code_2023", commit=True)
    assert report.matched_by_name == 2
    assert not report.unmatched
    assert version(LIUZHI).geom is not None


def test_it_lists_old_names_as_unmatched_with_the_reason(divisions_db, tmp_path, lps):
    report = polygons.run(write(tmp_path / "lps.geojson", lps), level="county")
    reasons = {u["name"]: u["reason"] for u in report.unmatched}
    assert reasons == {
        "盘县": "no county named 盘县 under 5202 in the registry (renamed since?)",
        "水城县": "no county named 水城县 under 5202 in the registry (renamed since?)",
    }
    assert report.matched == 2


def test_it_matches_a_historical_version_and_says_so(divisions_db, tmp_path, lps):
    DivisionVersion.objects.create(code="520222000000", name="盘县", place_name="盘县", level=3,
                                   kind="县", parent_code="520200000000",
                                   valid_to=date(2017, 4, 10))
    report = polygons.run(write(tmp_path / "lps.geojson", pick(lps, "盘县")), level="county",
                          commit=True)
    assert report.historical_matches == [{
        "index": 0, "feature_name": "盘县", "code": "520222", "registry_name": "盘县",
        "valid_from": None, "valid_to": "2017-04-10"}]
    assert DivisionVersion.objects.get(code="520222000000").geom is not None
    assert version("520281").geom is None  # 盘州市 is another version


def test_it_reports_a_probable_rename_without_applying_it(divisions_db, tmp_path, lps):
    features = pick(lps, "水城县")
    features[0]["properties"]["county_code_2023"] = "520204"
    events = DivisionEvent.objects.count()
    report = polygons.run(write(tmp_path / "lps.geojson", features), level="county",
                          commit=True)
    assert report.probable_renames == [{"index": 0, "feature_name": "水城县", "code": "520204",
                                        "registry_name": "水城区"}]
    assert version("520204").name == "水城区"
    assert version("520204").geom is not None
    assert DivisionEvent.objects.count() == events


def test_it_repairs_invalid_geometry_and_counts_it(divisions_db, tmp_path, lps):
    with connection.cursor() as cur:
        cur.execute("SET LOCAL client_min_messages = warning")
        cur.execute("SELECT count(*) FILTER (WHERE NOT ST_IsValid(ST_GeomFromGeoJSON(g))) "
                    "FROM unnest(%s::text[]) g", [[json.dumps(f["geometry"]) for f in lps]])
        invalid = cur.fetchone()[0]
    assert invalid > 0  # the real polygons of 六盘水 have ring self-intersections
    lps = copy.deepcopy(lps)
    new_codes = {"盘县": "520281", "水城县": "520204"}  # so that all four are written
    for f in lps:
        f["properties"]["county_code_2023"] = new_codes.get(f["properties"]["name"],
                                                            f["properties"]["county_code_2023"])
    report = polygons.run(write(tmp_path / "lps.geojson", lps), level="county", commit=True)
    assert report.repaired == invalid
    assert report.filled == 4
    assert not report.emptied
    stored = DivisionVersion.objects.filter(geom__isnull=False)
    assert stored.count() == 4
    assert all(v.geom.valid for v in stored)


def test_it_lists_features_left_without_an_area(divisions_db, tmp_path):
    # Real faults: 万州区's coordinates are an encoded string GDAL cannot read, and
    # 大渡口区's rings keep nothing polygonal through ST_MakeValid.
    features = county_features(names={"万州区", "大渡口区"})
    path = tmp_path / "cq.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    report = polygons.run(path, level="county")
    assert {(e["name"], e["reason"]) for e in report.emptied} == {
        ("万州区", "no geometry (missing or unreadable in the file)"),
        ("大渡口区", "nothing polygonal is left after ST_MakeValid"),
    }


@pytest.mark.parametrize("crs, expected", [
    ("EPSG:4544", "EPSG:4544 → EPSG:4490"),
    # a CRS with no EPSG code goes to PostGIS as WKT
    ("+proj=tmerc +lon_0=104.8 +k=1 +x_0=500000 +ellps=GRS80 +units=m +no_defs",
     "unknown → EPSG:4490"),
])
def test_it_reprojects_a_zipped_shapefile_onto_the_geojson(divisions_db, tmp_path, lps, crs,
                                                           expected):
    features = pick(lps, "钟山区", "六枝特区")
    source = {f["properties"]["county_code_2023"]: json.dumps(f["geometry"]) for f in features}
    report = polygons.run(write_shapefile_zip(tmp_path, features, crs), level="county",
                          commit=True)
    assert report.reprojection == expected
    assert report.filled == 2
    for code, geojson in source.items():
        with connection.cursor() as cur:
            cur.execute(
                "SELECT ST_HausdorffDistance(v.geom, s.g), v.area_km2 / (ST_Area(s.g::geography)"
                " / 1e6) FROM boundaries_divisionversion v, (SELECT ST_MakeValid(ST_SetSRID("
                "ST_GeomFromGeoJSON(%s), 4490), 'method=structure') AS g) s WHERE v.id = %s",
                [geojson, version(code).id])
            distance, area_ratio = cur.fetchone()
        assert distance < 1e-6  # degrees: about 0.1 m
        assert area_ratio == pytest.approx(1, abs=1e-6)


@pytest.mark.parametrize("writer", ["geojson_gz", "geopackage", "shapefile_zip"])
def test_it_reads_every_format(divisions_db, tmp_path, lps, writer):
    features = pick(lps, "钟山区", "六枝特区")
    path = {
        "geojson_gz": lambda: write_geojson_gz(tmp_path, features),
        "geopackage": lambda: write(tmp_path / "lps.gpkg", features, "GPKG"),
        "shapefile_zip": lambda: write_shapefile_zip(tmp_path, features),
    }[writer]()
    report = polygons.run(path, level="county")
    assert report.matched_by_code == 2
    assert report.filled == 2


def test_it_reads_gbk_attributes_of_a_shapefile_without_cpg(divisions_db, tmp_path, lps):
    features = pick(lps, "钟山区")
    features[0]["properties"]["county_code_2023"] = None  # matched by name, so by the text
    write(tmp_path / "lps.shp", features, "ESRI Shapefile", "EPSG:4490", "gb18030")
    (tmp_path / "lps.cpg").unlink()
    garbled = polygons.run(tmp_path / "lps.shp", level="county", code_property="county_cod")
    assert garbled.matched == 0
    report = polygons.run(tmp_path / "lps.shp", level="county", code_property="county_cod",
                          encoding="gb18030")
    assert report.matched_by_name == 1


def test_it_writes_nothing_in_a_dry_run(divisions_db, tmp_path, lps):
    report = polygons.run(write(tmp_path / "lps.geojson", lps), level="county")
    assert report.filled == 2
    assert not report.committed
    assert not DivisionVersion.objects.filter(geom__isnull=False).exists()


def test_it_commits_all_or_nothing(divisions_db, tmp_path, lps, monkeypatch):
    path = write(tmp_path / "lps.geojson", pick(lps, "钟山区", "六枝特区"))
    monkeypatch.setattr(polygons, "WRITE_SQL", polygons.WRITE_SQL + "; SELECT 1 / 0")
    with pytest.raises(Exception, match="division by zero"):
        polygons.run(path, level="county", commit=True)
    assert not DivisionVersion.objects.filter(geom__isnull=False).exists()


def test_it_refuses_to_overwrite_a_different_geometry_unless_replacing(
        divisions_db, tmp_path, lps):
    path = write(tmp_path / "lps.geojson", pick(lps, "钟山区", "六枝特区"))
    shifted = pick(lps, "钟山区")  # already recorded, 0.01° further east
    shifted[0]["geometry"] = transform_geom("EPSG:4490", "+proj=longlat +lon_0=0.01 +ellps=GRS80",
                                            shifted[0]["geometry"])
    polygons.run(write(tmp_path / "shifted.geojson", shifted), level="county", commit=True)
    with pytest.raises(ConflictError, match="1 matched division"):
        polygons.run(path, level="county", commit=True)
    assert version(LIUZHI).geom is None  # refused as a whole
    report = polygons.run(path, level="county", commit=True, replace=True)
    assert (report.replaced, report.filled) == (1, 1)


def test_it_leaves_an_unchanged_geometry_alone(divisions_db, tmp_path, lps):
    path = write(tmp_path / "lps.geojson", pick(lps, "钟山区"))
    polygons.run(path, level="county", commit=True)
    report = polygons.run(path, level="county", commit=True)
    assert (report.unchanged, report.filled, report.conflicts) == (1, 0, [])


def test_it_does_not_match_a_name_whose_parent_is_missing(divisions_db, tmp_path, lps):
    features = pick(lps, "钟山区", "六枝特区")
    features[0]["properties"].update(county_code_2023=None, city_code=None)
    report = polygons.run(write(tmp_path / "lps.geojson", features), level="county")
    assert report.unmatched == [
        {"index": 0, "name": "钟山区",
         "reason": "no city_code value, and names are only looked up within their parent"}]


def test_it_refuses_an_unreadable_file_with_a_clear_error(divisions_db, tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        polygons.run(tmp_path / "missing.geojson", level="county")
    garbage = tmp_path / "garbage.geojson"
    garbage.write_text("this is not GeoJSON")
    with pytest.raises(SourceError, match="garbage.geojson: not a readable GIS file"):
        polygons.run(garbage, level="county")
    with pytest.raises(CommandError, match="not a readable GIS file"):
        call_command("load_division_polygons", str(garbage), "--level", "county")


def test_it_refuses_an_unknown_level(divisions_db, tmp_path, lps):
    path = write(tmp_path / "lps.geojson", lps)
    with pytest.raises(ImporterError, match="unknown level 'town'"):
        polygons.run(path, level="town")
    with pytest.raises(CommandError, match="invalid choice: 'town'"):
        call_command("load_division_polygons", str(path), "--level", "town")


def test_it_prints_the_report_as_json(divisions_db, tmp_path, lps):
    out = StringIO()
    call_command("load_division_polygons", str(write(tmp_path / "lps.geojson", lps)),
                 "--level", "county", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["matched"] == 2
    assert report["committed"] is False
    assert [u["name"] for u in report["unmatched"]] == ["盘县", "水城县"]
    assert {"repaired", "emptied", "probable_renames", "historical_matches"} <= set(report)
