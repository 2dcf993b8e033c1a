"""Exports of divisions (with their history), border lines and markers, read back with
Fiona: GeoJSON, GeoPackage, zipped Shapefile with .cpg, CSV; filtered by division, level
and date, on the demo."""

import csv
import io
import zipfile

import fiona
import pytest

from boundaries.models import BoundaryMarker
from tests.support import demo_loaded

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def download(client, url: str, tmp_path, name: str):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    path = tmp_path / name
    path.write_bytes(response.content)
    return path, response


def records(path, layer=None) -> list[dict]:
    with fiona.open(path, layer=layer) as source:
        return [dict(f.properties) for f in source]


def test_it_exports_division_history_with_the_events(client, tmp_path):
    path, response = download(client, "/api/v1/divisions/export?division=5202&level=county",
                              tmp_path, "d.geojson")
    rows = {r["name"]: r for r in records(path)}
    assert response["Content-Disposition"].endswith('divisions.geojson"')
    assert str(rows["盘县"]["valid_to"]) == "2017-04-14"
    assert "kind_change 2017-04-14" in rows["盘县"]["ended_by"]
    assert "kind_change 2017-04-14" in rows["盘州市"]["began_by"]


def test_it_exports_divisions_as_they_stood_on_a_date(client, tmp_path):
    path, _ = download(client, "/api/v1/divisions/export?division=5202&level=3"
                       "&as_of=2016-06-01&format=gpkg", tmp_path, "d.gpkg")
    names = {r["name"] for r in records(path)}
    assert "盘县" in names
    assert "盘州市" not in names


def test_it_exports_lines_as_a_zipped_shapefile_with_a_cpg(client, tmp_path):
    path, _ = download(client, "/api/v1/boundaries/export?division=520201&level=county"
                       "&format=shp", tmp_path, "b.zip")
    members = zipfile.ZipFile(path).namelist()
    with zipfile.ZipFile(path) as archive:
        cpg = archive.read("boundaries_line.cpg").decode()
    rows = records(f"zip://{path}", layer="boundaries_line")
    assert "boundaries_line.shp" in members
    assert cpg.strip().upper() in ("UTF-8", "UTF8")
    assert any(r["left_name"] == "钟山区" or r["right_name"] == "钟山区" for r in rows)
    assert all("520201" in (r["left_code"][:6], r["right_code"][:6]) for r in rows)


def test_it_exports_the_markers_of_a_divisions_lines(client, tmp_path):
    path, _ = download(client, "/api/v1/markers/export?division=520201&format=gpkg",
                       tmp_path, "m.gpkg")
    rows = records(path)
    expected = BoundaryMarker.objects.filter(
        retired_on__isnull=True, lines__left_code__startswith="520201").distinct().count() \
        + BoundaryMarker.objects.filter(retired_on__isnull=True,
                                        lines__right_code__startswith="520201").exclude(
            lines__left_code__startswith="520201").distinct().count()
    assert len(rows) == expected
    assert all(r["status"] for r in rows)
    assert all(r["synthetic"] == "true" for r in rows)


def test_it_exports_csv_that_spreadsheets_read(client, tmp_path):
    _, response = download(client, "/api/v1/boundaries/export?division=520201&format=csv",
                           tmp_path, "b.csv")
    text = response.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert text.startswith("\ufeff")
    assert rows[0]["wkt"].startswith("MULTILINESTRING")
    assert {"left_name", "right_name", "valid_from"} <= set(rows[0])


def test_it_refuses_an_unknown_division_or_format(client):
    unknown = client.get("/api/v1/markers/export?division=529999")
    bad = client.get("/api/v1/divisions/export?format=xlsx")
    assert unknown.status_code == 404
    assert bad.status_code == 400
    assert "format" in bad.json()["detail"]
