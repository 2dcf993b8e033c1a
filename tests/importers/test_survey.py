"""The survey-file reader against real PostGIS, with files the tests write with Fiona (or by
hand for KML and the hostile cases) from the real boundary of 钟山区 (520201), surveyed as a
line and markers in Gauss-Krüger zone 35 (EPSG:4523) and in CM 105°E (EPSG:4544)."""

import json
import zipfile
from io import StringIO

import fiona
import pyproj
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from importers import polygons, survey
from importers.errors import ImporterError, RefusedFile
from importers.survey import safety
from tests.support import county_features

pytestmark = pytest.mark.django_db

MARKER_SCHEMA = {"geometry": "Point", "properties": {"编号": "str", "材质": "str"}}
LINE_SCHEMA = {"geometry": "LineString", "properties": {"名称": "str"}}


@pytest.fixture(scope="module")
def ring() -> list[tuple]:
    """The outer ring of 钟山区, lon/lat (EPSG:4490)."""
    geom = county_features(codes={"520201"})[0]["geometry"]
    coords = geom["coordinates"][0][0] if geom["type"] == "MultiPolygon" else geom["coordinates"][0]
    return [tuple(p[:2]) for p in coords]


def project(points: list[tuple], epsg: int) -> list[tuple]:
    to = pyproj.Transformer.from_crs(4490, epsg, always_xy=True)
    return [to.transform(*p) for p in points]


def markers(ring: list[tuple]) -> list[tuple[str, tuple]]:
    """Every tenth vertex of the border as a marker: 钟水01, 钟水02 …"""
    return [(f"钟水{n + 1:02d}", p) for n, p in enumerate(ring[::10])]


def write_markers(path, ring, epsg=4523, driver="ESRI Shapefile", crs=True, encoding="utf-8",
                  layer=None):
    points = project([p for _, p in markers(ring)], epsg) if epsg != 4490 else \
        [p for _, p in markers(ring)]
    records = [fiona.Feature.from_dict(geometry={"type": "Point", "coordinates": p},
                                       properties={"编号": name, "材质": "花岗岩"})
               for (name, _), p in zip(markers(ring), points, strict=True)]
    with fiona.open(path, "w", driver=driver, schema=MARKER_SCHEMA, layer=layer,
                    crs=f"EPSG:{epsg}" if crs else None, encoding=encoding) as out:
        out.writerecords(records)
    return path


def write_line(path, ring, epsg=4523, driver="GPKG", layer="line"):
    coords = project(ring, epsg) if epsg != 4490 else ring
    with fiona.open(path, "w", driver=driver, schema=LINE_SCHEMA, layer=layer,
                    crs=f"EPSG:{epsg}") as out:
        out.write(fiona.Feature.from_dict(geometry={"type": "LineString", "coordinates": coords},
                                          properties={"名称": "钟水线"}))
    return path


def zip_dir(target, files, names=None):
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for n, part in enumerate(files):
            archive.write(part, names[n] if names else part.name)
    return target


def shapefile_zip(tmp_path, ring, **kw):
    write_markers(tmp_path / "markers.shp", ring, **kw)
    return zip_dir(tmp_path / "survey.zip", sorted(tmp_path.glob("markers.*")))


def close(a, b, tol=1e-7) -> bool:
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol


def assert_markers_at(result, ring):
    points = [f for f in result.features if f.geometry["type"] == "Point"]
    assert [f.properties["编号"] for f in points] == [n for n, _ in markers(ring)]
    assert all(close(f.geometry["coordinates"], p)
               for f, (_, p) in zip(points, markers(ring), strict=True))


# formats and CRS


def test_it_reads_a_zipped_shapefile_declared_in_gk_zone_35(tmp_path, ring):
    result = survey.run(shapefile_zip(tmp_path, ring))
    assert (result.format, result.crs, result.crs_source) == ("shapefile-zip", "EPSG:4523",
                                                              "declared")
    assert result.encoding == "utf-8"  # from the .cpg Fiona wrote
    assert_markers_at(result, ring)
    assert not [f for f in result.findings if f.severity != "info"]


def test_it_reads_a_shapefile_in_a_folder_of_a_zip_made_on_a_mac(tmp_path, ring):
    write_markers(tmp_path / "m.shp", ring)
    parts = sorted(tmp_path.glob("m.*"))
    names = [f"界桩/{p.name}" for p in parts] + [f"__MACOSX/界桩/._{p.name}" for p in parts]
    target = zip_dir(tmp_path / "mac.zip", parts + parts, names)
    result = survey.run(target)
    assert {f.layer for f in result.features} == {"m"}
    assert_markers_at(result, ring)


def test_it_reads_a_loose_shapefile_with_its_siblings(tmp_path, ring):
    result = survey.run(write_markers(tmp_path / "m.shp", ring))
    assert (result.format, result.crs) == ("shapefile", "EPSG:4523")
    assert_markers_at(result, ring)


def test_it_detects_undeclared_gk_coordinates_by_their_zone_prefix(tmp_path, ring):
    shp = write_markers(tmp_path / "m.shp", ring)
    (tmp_path / "m.prj").unlink()
    result = survey.run(shp)
    assert (result.crs, result.crs_source) == ("EPSG:4523", "detected")
    assert_markers_at(result, ring)
    assert any(f.rule == "crs" and "zone prefix 35" in f.message for f in result.findings)


def test_it_detects_a_6_degree_zone_and_keeps_a_declared_crs_over_a_given_one(tmp_path, ring):
    shp = write_markers(tmp_path / "m.shp", ring, epsg=4496)  # 6-degree zone 18, CM 105°E
    (tmp_path / "m.prj").unlink()
    assert (survey.run(shp).crs, survey.run(shp).crs_source) == ("EPSG:4496", "detected")
    declared = survey.run(write_markers(tmp_path / "d.shp", ring), crs="EPSG:4544")
    assert (declared.crs, declared.crs_source) == ("EPSG:4523", "declared")
    assert any(f.rule == "crs" and f.severity == "warning" and "--crs EPSG:4544 ignored"
               in f.message for f in declared.findings)
    assert_markers_at(declared, ring)


def test_it_detects_lon_lat_in_a_csv(tmp_path, ring):
    rows = "\n".join(f"{n},{lon:.9f},{lat:.9f}" for n, (lon, lat) in markers(ring))
    (tmp_path / "m.csv").write_text(f"界桩号,经度,纬度\n{rows}\n", encoding="utf-8")
    result = survey.run(tmp_path / "m.csv")
    assert (result.format, result.crs, result.crs_source) == ("csv", "EPSG:4490", "detected")
    assert [f.properties["界桩号"] for f in result.features] == [n for n, _ in markers(ring)]
    assert all(close(f.geometry["coordinates"], p)
               for f, (_, p) in zip(result.features, markers(ring), strict=True))


def test_it_refuses_eastings_without_zone_prefix_unless_given_the_crs(tmp_path, ring):
    points = project([p for _, p in markers(ring)], 4544)
    rows = "\n".join(f"{n},{y:.3f},{x:.3f},1500.5" for (n, _), (x, y) in
                     zip(markers(ring), points, strict=True))
    path = tmp_path / "m.csv"
    path.write_text(f"点号,X坐标,Y坐标,高程\n{rows}\n", encoding="utf-8")
    with pytest.raises(RefusedFile, match="EPSG:4534…4554"):
        survey.run(path)
    result = survey.run(path, crs="EPSG:4544")
    assert (result.crs, result.crs_source) == ("EPSG:4544", "given")
    first = result.features[0].geometry["coordinates"]
    assert close(first, markers(ring)[0][1], 1e-8)
    assert first[2] == 1500.5


def test_it_infers_the_central_meridian_from_the_division(divisions_db, tmp_path, ring):
    county = county_features(codes={"520201"})
    (tmp_path / "zs.geojson").write_text(json.dumps({"type": "FeatureCollection",
                                                     "features": county}), encoding="utf-8")
    polygons.run(tmp_path / "zs.geojson", level="county", commit=True)
    points = project([p for _, p in markers(ring)], 4544) + project([(104.0, 25.0)], 4544)
    rows = "\n".join(f"P{n},{x:.3f},{y:.3f}" for n, (x, y) in enumerate(points))
    (tmp_path / "m.csv").write_text(f"name,E,N\n{rows}\n", encoding="utf-8")
    result = survey.run(tmp_path / "m.csv", division="520201")
    assert (result.crs, result.crs_source) == ("EPSG:4544", "detected")
    far = [f for f in result.findings if f.rule == "far_from_division"]
    assert [f.index for f in far] == [len(points) - 1]
    assert "钟山区" in far[0].message


def test_it_swaps_csv_axes_when_x_holds_the_easting(tmp_path, ring):
    points = project([p for _, p in markers(ring)], 4523)
    rows = "\n".join(f"{n};{x:.3f};{y:.3f}" for (n, _), (x, y) in
                     zip(markers(ring), points, strict=True))
    (tmp_path / "m.csv").write_text(f"编号;X;Y\n{rows}\n", encoding="utf-8")
    result = survey.run(tmp_path / "m.csv")
    assert result.crs == "EPSG:4523"
    assert close(result.features[3].geometry["coordinates"], markers(ring)[3][1])
    assert any("axes swapped" in f.message for f in result.findings)


def test_it_reads_every_layer_of_a_geopackage(tmp_path, ring):
    path = write_line(tmp_path / "s.gpkg", ring)
    write_markers(path, ring, driver="GPKG", layer="markers")
    result = survey.run(path)
    assert (result.format, result.crs, result.crs_source) == ("geopackage", "EPSG:4523",
                                                              "declared")
    line = next(f for f in result.features if f.layer == "line")
    assert len(line.geometry["coordinates"]) == len(ring)
    assert all(close(a, b) for a, b in zip(line.geometry["coordinates"], ring, strict=True))
    assert_markers_at(result, ring)


def test_it_ignores_geojsons_implicit_wgs84_for_gk_coordinates(tmp_path, ring):
    lonlat = write_markers(tmp_path / "a.geojson", ring, epsg=4490, driver="GeoJSON",
                           crs=False)
    result = survey.run(lonlat)
    assert (result.format, result.crs, result.crs_source) == ("geojson", "EPSG:4490",
                                                              "detected")
    gk = write_markers(tmp_path / "b.json", ring, driver="GeoJSON", crs=False)
    result = survey.run(gk)
    assert (result.crs, result.crs_source) == ("EPSG:4523", "detected")
    assert_markers_at(result, ring)


def test_it_reads_kml_placemarks(tmp_path, ring):
    placemarks = "".join(f"<Placemark><name>{n}</name><Point><coordinates>{x},{y}"
                         "</coordinates></Point></Placemark>" for n, (x, y) in markers(ring))
    line = " ".join(f"{x},{y}" for x, y in ring)
    (tmp_path / "s.kml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2">'
        f"<Document><Folder><name>markers</name>{placemarks}</Folder><Folder><name>line</name>"
        f"<Placemark><name>钟水线</name><LineString><coordinates>{line}</coordinates>"
        "</LineString></Placemark></Folder></Document></kml>", encoding="utf-8")
    result = survey.run(tmp_path / "s.kml")
    assert (result.format, result.crs_source) == ("kml", "declared")
    assert [f.properties["Name"] for f in result.features if f.layer == "markers"] == \
        [n for n, _ in markers(ring)]
    assert len(next(f for f in result.features if f.layer == "line").geometry["coordinates"]) \
        == len(ring)


def test_it_reads_a_kmz_as_its_kml(tmp_path, ring):
    test_it_reads_kml_placemarks(tmp_path, ring)  # writes s.kml and reads it
    kmz = tmp_path / "奥维导出.kmz"
    with zipfile.ZipFile(kmz, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(tmp_path / "s.kml", "doc.kml")
        archive.writestr("files/icon.png", b"\x89PNG\r\n\x1a\n")  # not extracted
    result = survey.run(kmz)
    assert (result.format, result.crs_source) == ("kmz", "declared")
    assert [f.properties["Name"] for f in result.features if f.layer == "markers"] == \
        [n for n, _ in markers(ring)]
    assert not any(f.rule == "format" for f in result.findings)  # .kmz is its own name
    plain = zipfile.ZipFile(tmp_path / "s.kml.zip", "w")
    plain.write(tmp_path / "s.kml", "a.kml")
    plain.write(tmp_path / "s.kml", "b.kml")
    plain.close()
    with pytest.raises(RefusedFile, match="holds 2 .kml files and no doc.kml"):
        survey.run(tmp_path / "s.kml.zip")


def test_it_reads_gpx_waypoints_as_markers_and_tracks_as_lines(tmp_path, ring):
    path = tmp_path / "s.gpx"
    schema = {"geometry": "Point", "properties": {"name": "str"}}
    with fiona.open(path, "w", driver="GPX", schema=schema, crs="EPSG:4326") as out:
        out.writerecords(fiona.Feature.from_dict(
            geometry={"type": "Point", "coordinates": p}, properties={"name": n})
            for n, p in markers(ring))
    result = survey.run(path)
    assert (result.format, result.crs) == ("gpx", "EPSG:4326")
    assert {f.layer for f in result.features} == {"waypoints"}
    assert [f.properties for f in result.features][:2] == [{"name": "钟水01"}, {"name": "钟水02"}]


def test_it_reads_a_dxf_and_detects_its_gk_zone(tmp_path, ring):
    path = tmp_path / "line.dxf"
    schema = {"geometry": "LineString", "properties": {"Layer": "str"}}
    with fiona.open(path, "w", driver="DXF", schema=schema) as out:
        out.write(fiona.Feature.from_dict(
            geometry={"type": "LineString", "coordinates": project(ring, 4523)},
            properties={"Layer": "border"}))
    result = survey.run(path)
    assert (result.format, result.crs, result.crs_source) == ("dxf", "EPSG:4523", "detected")
    coords = result.features[0].geometry["coordinates"]
    assert all(close(a, b, 1e-6) for a, b in zip(coords, ring, strict=True))


def test_it_goes_by_content_not_by_the_name(tmp_path, ring):
    path = write_markers(tmp_path / "m.geojson", ring, epsg=4490, driver="GeoJSON")
    renamed = path.rename(tmp_path / "markers.csv")
    result = survey.run(renamed)
    assert result.format == "geojson"
    assert any(f.rule == "format" and "ends in .csv" in f.message for f in result.findings)


# encodings


def test_it_reads_gbk_attributes_without_cpg_as_gb18030(tmp_path, ring):
    shp = write_markers(tmp_path / "m.shp", ring, encoding="gbk")
    (tmp_path / "m.cpg").unlink()
    result = survey.run(shp)
    assert result.encoding == "gb18030"
    assert result.features[0].properties == {"编号": "钟水01", "材质": "花岗岩"}
    assert any(f.rule == "encoding" for f in result.findings)


def test_it_uses_the_cpg_and_the_given_encoding(tmp_path, ring):
    shp = write_markers(tmp_path / "m.shp", ring, encoding="gbk")
    cpg = survey.run(shp)
    assert cpg.encoding in {"gbk", "cp936"}
    assert cpg.features[0].properties["编号"] == "钟水01"
    (tmp_path / "m.cpg").unlink()
    given = survey.run(shp, encoding="gbk")
    assert given.encoding == "gbk"
    assert given.features[1].properties["编号"] == "钟水02"
    with pytest.raises(RefusedFile, match="cannot be read as utf-8"):
        survey.run(shp, encoding="utf-8")


def test_it_falls_back_to_gb18030_for_a_csv(tmp_path, ring):
    rows = "\n".join(f"{n},{lon},{lat}" for n, (lon, lat) in markers(ring))
    (tmp_path / "m.csv").write_bytes(f"编号,lon,lat\n{rows}\n".encode("gb18030"))
    result = survey.run(tmp_path / "m.csv")
    assert result.encoding == "gb18030"
    assert result.features[0].properties["编号"] == "钟水01"


# findings


def write_geojson(path, features, crs=None):
    collection = {"type": "FeatureCollection", "features": features}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path


def feature(geometry, **props):
    return {"type": "Feature", "geometry": geometry, "properties": props}


def bowtie(ring):
    (x0, y0), (x1, y1) = ring[0], ring[30]
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1],
                                                [x0, y0]]]}


def test_it_reports_self_intersections_and_repairs_only_when_asked(tmp_path, ring):
    path = write_geojson(tmp_path / "p.geojson", [feature(bowtie(ring), name="a")])
    found = [f for f in survey.run(path).findings if f.rule == "invalid_geometry"]
    assert [(f.index, f.severity) for f in found] == [(0, "error")]
    assert "Self-intersection" in found[0].message
    repaired = survey.run(path, repair=True)
    assert repaired.features[0].geometry["type"] == "MultiPolygon"
    assert [f.severity for f in repaired.findings if f.rule == "invalid_geometry"] == ["warning"]


def test_it_reports_empty_geometries_duplicate_numbers_and_mixed_types(tmp_path, ring):
    line = {"type": "LineString", "coordinates": ring}
    points = [feature({"type": "Point", "coordinates": p}, 编号=n) for n, p in markers(ring)]
    points[2]["properties"]["编号"] = points[1]["properties"]["编号"]
    path = write_geojson(tmp_path / "s.geojson", [feature(line), feature(None), *points])
    findings = {(f.rule, f.index) for f in survey.run(path).findings if f.severity != "info"}
    assert ("empty_geometry", 1) in findings
    assert ("duplicate_number", 4) in findings
    assert ("duplicate_number", 3) not in findings
    assert ("mixed_geometry_types", None) in findings


def test_it_reports_coordinates_out_of_range(tmp_path, ring):
    rows = "编号,lon,lat\nA,105.1,26.5\nB,25.0,40.0\n"
    (tmp_path / "m.csv").write_text(rows, encoding="utf-8")
    result = survey.run(tmp_path / "m.csv", crs="EPSG:4490")
    assert [(f.line, f.severity) for f in result.findings if f.rule == "out_of_range"] == [
        (3, "warning")]
    gk = write_geojson(tmp_path / "g.geojson", [feature(
        {"type": "Point", "coordinates": [35_500_000, 92_000_000]})], crs="EPSG:4523")
    assert [f.severity for f in survey.run(gk).findings if f.rule == "out_of_range"] == ["error"]


def test_it_reports_unparsable_csv_coordinates_with_the_line(tmp_path):
    (tmp_path / "m.csv").write_text("编号,经度,纬度\nA,105.1,26.5\nB,东,26.6\n"
                                    "C,105°30′15″,26.7\n", encoding="utf-8")
    result = survey.run(tmp_path / "m.csv")
    bad = [f for f in result.findings if f.rule == "bad_coordinates"]
    assert [(f.line, f.index) for f in bad] == [(3, 1)]
    assert close(result.features[2].geometry["coordinates"], (105.504166667, 26.7), 1e-8)


# hostile and broken files


def test_it_refuses_zip_slip_entries_and_writes_nothing(tmp_path, ring):
    write_markers(tmp_path / "m.shp", ring)
    parts = sorted(tmp_path.glob("m.*"))
    for name in ("../escape", "/abs/escape", "C:/escape", "a/../../escape", "..\\escape"):
        target = tmp_path / "evil.zip"
        with zipfile.ZipFile(target, "w") as archive:  # ZipInfo keeps the name as given
            for part in parts:
                archive.writestr(zipfile.ZipInfo(f"{name}{part.suffix}"), part.read_bytes())
        with pytest.raises(RefusedFile, match="zip slip"):
            survey.run(target, stage_table="survey_slip")
    assert not list(tmp_path.parent.glob("escape.*"))
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('survey_slip')")
        assert cur.fetchone() == (None,)


def test_it_refuses_a_zip_bomb_by_its_compression_ratio(tmp_path, ring):
    target = tmp_path / "bomb.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("m.shp", b"\0" * 20_000_000)
    assert target.stat().st_size < 100_000
    with pytest.raises(RefusedFile, match="zip bomb"):
        survey.run(target)


def test_it_refuses_an_archive_larger_than_the_limit(tmp_path, ring, monkeypatch):
    monkeypatch.setattr(safety, "MAX_UNPACKED", 2000)
    with pytest.raises(RefusedFile, match="limit 2000"):
        survey.run(shapefile_zip(tmp_path, ring))


def test_it_refuses_an_archive_without_a_shapefile(tmp_path):
    target = tmp_path / "a.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("readme.txt", "no shapes")
    with pytest.raises(RefusedFile, match=r"no \.shp \(it has: readme\.txt\)"):
        survey.run(target)


@pytest.mark.parametrize("declaration", [
    '<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE gpx [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>',
])
def test_it_refuses_xml_with_entities(tmp_path, declaration):
    root = "kml" if "kml" in declaration else "gpx"
    path = tmp_path / f"s.{root}"
    path.write_text(f'<?xml version="1.0"?>{declaration}<{root}><name>&xxe;</name></{root}>')
    with pytest.raises(RefusedFile, match="XXE"):
        survey.run(path)
    path.write_bytes(path.read_text().encode("utf-16"))
    with pytest.raises(RefusedFile, match="XXE"):
        survey.run(path)
    padding = "<!--" + " " * (1024 * 1024 - 7) + "-->"  # the declaration across two reads
    path.write_text(f'<?xml version="1.0"?>{padding}{declaration}<{root}></{root}>')
    with pytest.raises(RefusedFile, match="XXE"):
        survey.run(path)


def test_it_refuses_truncated_shapefiles(tmp_path, ring):
    shp = write_markers(tmp_path / "m.shp", ring)
    data = shp.read_bytes()
    shp.write_bytes(data[:len(data) - 30])
    with pytest.raises(RefusedFile, match="truncated"):
        survey.run(shp)
    shp.write_bytes(data)
    (tmp_path / "m.shx").unlink()
    with pytest.raises(RefusedFile, match=r"\.shx is missing"):
        survey.run(shp)


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "not a survey file"),
    (b'{"type": "FeatureCollection", "features": [', "not a readable geojson"),
    (b"a,b\n1,2\n", "not a survey file"),
])
def test_it_refuses_empty_and_unreadable_files(tmp_path, content, reason):
    path = tmp_path / "s.geojson"
    path.write_bytes(content)
    with pytest.raises(RefusedFile, match=reason):
        survey.run(path)


# the command


def test_it_prints_one_json_object_in_epsg_4490(tmp_path, ring):
    out = StringIO()
    call_command("import_survey", str(shapefile_zip(tmp_path, ring)), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"format", "crs", "crs_source", "encoding", "transformation",
                         "features", "findings"}
    assert (data["crs"], data["crs_source"]) == ("EPSG:4523", "declared")
    first = data["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert first["properties"]["编号"] == "钟水01"
    assert close(first["geometry"]["coordinates"], markers(ring)[0][1])


def test_it_exits_non_zero_with_the_json_detail_when_refused(tmp_path):
    (tmp_path / "empty.zip").write_bytes(b"")
    out = StringIO()
    with pytest.raises(CommandError, match="empty file"):
        call_command("import_survey", str(tmp_path / "empty.zip"), "--json", stdout=out)
    assert "empty file" in json.loads(out.getvalue())["detail"]


def test_it_refuses_commit_without_a_known_inspection(tmp_path, ring):
    path = str(write_markers(tmp_path / "m.shp", ring))
    with pytest.raises(CommandError, match="no inspection 1"):
        call_command("import_survey", path, "--inspection", "1", "--side", "A", "--commit")
    with pytest.raises(CommandError, match="--commit needs --inspection"):
        call_command("import_survey", path, "--commit")
    out = StringIO()
    call_command("import_survey", path, "--inspection", "1", "--side", "B", stdout=out)
    assert "dry run" in out.getvalue()


@pytest.mark.as_owner  # --stage creates a table: an operator's (owner's) tool
def test_it_stages_features_in_a_named_scratch_table(tmp_path, ring):
    path = write_line(tmp_path / "s.gpkg", ring)
    write_markers(path, ring, driver="GPKG", layer="markers")
    result = survey.run(path, stage_table="survey_scratch_test")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT ST_SRID(geom)), min(ST_SRID(geom)), "
                    "sum(ST_NPoints(geom)) FROM survey_scratch_test")
        staged = cur.fetchone()
    assert staged == (len(result.features), 1, 4490, len(ring) + len(markers(ring)))
    with pytest.raises(ImporterError, match="exists"):
        survey.run(path, stage_table="survey_scratch_test")
