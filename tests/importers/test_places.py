"""load_places: standard names from GeoJSON, GeoPackage or CSV, previewed, then written."""

import csv
import json

import fiona
import pyproj
import pytest
from django.core.management import CommandError, call_command
from fiona.crs import CRS

from accounts.services import system_actor
from gazetteer.models import Place, PlaceDivision
from importers import places
from importers.errors import RowError
from tests.support import inside

pytestmark = pytest.mark.django_db


def feature(props, lon, lat):
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


@pytest.fixture
def geojson(tmp_path, divisions_db, request):
    # divisions_db as an argument: the session's divisions load before the test's
    # transaction begins, not inside it (they would be rolled back with it).
    request.getfixturevalue("lps_polygons")
    p = inside("520201")
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        feature({"标准名称": "钟山大道", "地名类别": "路", "含义": "因钟山得名",
                 "别名": "大马路；老马路", "曾用名": "东风路"}, p.x, p.y),
        feature({"标准名称": "明湖花园", "地名类别": "residential",
                 "罗马字母拼写": "Minghu Garden"}, p.x + 0.001, p.y),
    ]}, ensure_ascii=False), encoding="utf-8")
    return path


def test_it_previews_without_writing_then_writes(geojson):
    report = places.run(geojson, actor=system_actor())
    assert report.summary() | {} == {"source": str(geojson), "rows": 2, "places": 2,
                                     "committed": False, "classes": {"2532": 1, "2410": 1}}
    assert not Place.objects.exists()
    places.run(geojson, commit=True, actor=system_actor())
    road = Place.objects.get(name="钟山大道")
    assert road.meaning == "因钟山得名"
    assert road.romanization == "Zhongshan Dadao"
    assert sorted(road.variants.values_list("kind", "name")) == [
        ("alias", "大马路"), ("alias", "老马路"), ("former", "东风路")]
    assert PlaceDivision.objects.filter(place=road, division_code="520201000000").exists()
    garden = Place.objects.get(name="明湖花园")
    assert garden.romanization == "Minghu Huayuan"
    assert garden.romanization_override == "Minghu Garden"  # the file's spelling is kept


@pytest.mark.usefixtures("lps_polygons")
def test_it_reads_a_gb18030_csv_with_points_or_division_codes(tmp_path):
    p = inside("520204")
    path = tmp_path / "places.csv"
    with path.open("w", encoding="gb18030", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["名称", "类别", "行政区划代码", "经度", "纬度"])
        writer.writerow(["水城大桥", "bridge", "", p.x, p.y])
        writer.writerow(["乌蒙山", "mountain", "520203", "", ""])
    places.run(path, commit=True, actor=system_actor())
    bridge = Place.objects.get(name="水城大桥")
    assert PlaceDivision.objects.filter(place=bridge, division_code="520204000000").exists()
    mountain = Place.objects.get(name="乌蒙山")
    assert mountain.geom is None
    assert set(mountain.divisions.values_list("division_code", flat=True)) == {
        "520203000000", "520200000000", "520000000000"}


@pytest.mark.usefixtures("lps_polygons")
def test_it_reprojects_from_a_gauss_kruger_zone(tmp_path):
    p = inside("520201")
    to_gk = pyproj.Transformer.from_crs(4490, 4544, always_xy=True)  # CGCS2000 GK CM 105E
    x, y = to_gk.transform(p.x, p.y)
    path = tmp_path / "gk.gpkg"
    schema = {"geometry": "Point", "properties": {"name": "str", "class": "str"}}
    with fiona.open(path, "w", driver="GPKG", crs=CRS.from_epsg(4544), schema=schema) as out:
        out.write(fiona.Feature.from_dict(**feature({"name": "荷城路", "class": "road"}, x, y)))
    places.run(path, commit=True, actor=system_actor())
    stored = Place.objects.get(name="荷城路").geom
    assert stored.srid == 4490
    assert stored.x == pytest.approx(p.x, abs=1e-6)
    assert stored.y == pytest.approx(p.y, abs=1e-6)


def test_it_reports_every_bad_row_and_writes_nothing(tmp_path, divisions_db):
    path = tmp_path / "bad.csv"
    path.write_text("name,class,division_code\n"
                    "人民路,castle,520201\n"
                    "人民路,road,529999\n"
                    ",road,520201\n"
                    "路,road,520201\n"
                    "解放路,road,\n"
                    "和平路,road,520201\n"
                    "和平路,road,520201\n", encoding="utf-8")
    with pytest.raises(RowError) as caught:
        places.run(path, commit=True, actor=system_actor())
    problems = caught.value.problems
    assert [p.split(":")[1] for p in problems] == ["2", "3", "4", "5", "6", "8"]
    assert "castle" in problems[0]
    assert "529999" in problems[1]
    assert "repeats line 7" in problems[5]
    assert not Place.objects.exists()


def test_the_command_previews_and_fails_with_the_reason(geojson, tmp_path, capsys):
    call_command("load_places", str(geojson))
    assert "dry run" in capsys.readouterr().out
    assert not Place.objects.exists()
    with pytest.raises(CommandError, match="no such file"):
        call_command("load_places", str(tmp_path / "missing.geojson"))
