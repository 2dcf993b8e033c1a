"""Exports open with GDAL (through Fiona): GeoJSON, GeoPackage, zipped Shapefile, CSV."""

import csv
import io
import zipfile

import fiona
import pytest
from django.contrib.gis.geos import Point

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(make_place):
    make_place("人民路")
    make_place("凉都花园", cls="residential", geom=Point(104.83, 26.59, srid=4490).buffer(0.002))
    make_place("妥乐村", cls="natural_village", geom=Point(104.6, 25.9, srid=4490))
    make_place("红旗巷", cls="lane", status="proposed")  # not standard: not exported


def download(client, fmt, **params):
    response = client.get("/api/v1/places/export", {"format": fmt, **params})
    assert response.status_code == 200, response.content
    assert "attachment" in response["Content-Disposition"]
    return response.content


def read(path, **kwargs):
    with fiona.open(path, **kwargs) as source:
        assert source.crs.to_epsg() == 4490
        return {f.properties["name"]: f for f in source}


@pytest.mark.parametrize("fmt, suffix", [("geojson", "geojson"), ("gpkg", "gpkg")])
def test_it_exports_a_file_gdal_reads(client, exported, tmp_path, fmt, suffix):
    path = tmp_path / f"places.{suffix}"
    path.write_bytes(download(client, fmt))
    features = read(path)
    assert set(features) == {"人民路", "凉都花园", "妥乐村"}
    road = features["人民路"]
    assert road.properties["roman"] == "Renmin Lu"
    assert road.properties["class"] == "road"
    assert road.properties["county"] == "520201000000"
    assert road.geometry.type == "LineString"
    assert features["凉都花园"].geometry.type == "Polygon"


def test_it_zips_a_shapefile_per_geometry_with_a_utf8_cpg(client, exported, tmp_path):
    path = tmp_path / "places.zip"
    path.write_bytes(download(client, "shp"))
    names = set(zipfile.ZipFile(path).namelist())
    assert {"places_line.shp", "places_line.dbf", "places_line.cpg", "places_line.prj",
            "places_point.shp", "places_polygon.shp"} <= names
    assert zipfile.ZipFile(path).read("places_line.cpg").decode().upper().startswith("UTF")
    lines = read(f"zip://{path}!places_line.shp")
    assert list(lines) == ["人民路"]
    assert list(read(f"zip://{path}!places_point.shp")) == ["妥乐村"]


def test_it_exports_csv_with_wkt_and_a_point(client, exported):
    text = download(client, "csv").decode("utf-8-sig")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text))}
    assert set(rows) == {"人民路", "凉都花园", "妥乐村"}
    assert rows["妥乐村"]["wkt"] == "POINT(104.6 25.9)"
    assert float(rows["妥乐村"]["lon"]) == pytest.approx(104.6)


def test_it_filters_exports_like_search(client, exported, tmp_path):
    path = tmp_path / "roads.geojson"
    path.write_bytes(download(client, "geojson", **{"class": "road"}))
    assert list(read(path)) == ["人民路"]
    path.write_bytes(download(client, "geojson", status="proposed"))
    assert list(read(path)) == ["红旗巷"]


@pytest.mark.parametrize("query, fragment", [
    ({"format": "kml"}, "format"), ({}, "format"),
    ({"format": "csv", "class": "castle"}, "castle"),
])
def test_it_rejects_bad_export_parameters(client, divisions_db, query, fragment):
    response = client.get("/api/v1/places/export", query)
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
