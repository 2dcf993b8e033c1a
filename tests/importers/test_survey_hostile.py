"""Hostile survey files: no file makes the server fetch a URL (links are refused before GDAL
reads the file, and GDAL's own HTTP client cannot reach anything in this process), and a
CSV field over the csv module's limit is refused with its line."""

import json
import socket
import threading

import fiona
import pytest

from importers import survey
from importers.errors import RefusedFile
from importers.survey import readers  # noqa: F401 (importing it turns GDAL's network off)

POINT = {"type": "Feature", "properties": {"界桩号": "钟水01"},
         "geometry": {"type": "Point", "coordinates": [104.85, 26.58]}}


@pytest.fixture
def listener():
    """A local HTTP listener recording every request that reaches it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    seen, stop = [], threading.Event()

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append(conn.recv(2048))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}", seen
    stop.set()
    thread.join()
    server.close()


def crs_link_file(tmp_path, url: str):
    path = tmp_path / "markers.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [POINT],
                                "crs": {"type": "link", "properties": {"href": f"{url}/crs",
                                                                      "type": "proj4"}}}))
    return path


def test_it_refuses_a_geojson_whose_crs_is_a_link(tmp_path, listener):
    url, seen = listener
    with pytest.raises(RefusedFile, match="crs given as a link"):
        survey.run(crs_link_file(tmp_path, url))
    assert seen == []


def test_it_keeps_gdal_from_fetching_a_crs_link_even_when_asked_directly(tmp_path, listener):
    url, seen = listener
    with fiona.open(crs_link_file(tmp_path, url)) as collection:
        assert len(list(collection)) == 1
    assert seen == []


def test_it_refuses_a_kml_network_link(tmp_path, listener):
    url, seen = listener
    path = tmp_path / "line.kml"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/'
                    f'kml/2.2"><Document><NetworkLink><Link><href>{url}/more.kml</href></Link>'
                    '</NetworkLink></Document></kml>')
    with pytest.raises(RefusedFile, match="KML link"):
        survey.run(path)
    assert seen == []


def test_it_refuses_a_network_link_inside_a_kmz(tmp_path, listener):
    import zipfile
    url, seen = listener
    path = tmp_path / "line.kmz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("doc.kml", '<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http:'
                         f'//www.opengis.net/kml/2.2"><Document><NetworkLink><Link><href>{url}'
                         '/more.kml</href></Link></NetworkLink></Document></kml>')
    with pytest.raises(RefusedFile, match="KML link"):
        survey.run(path)
    assert seen == []


def test_it_refuses_a_gdal_network_path_anywhere_in_a_text_file(tmp_path):
    path = tmp_path / "markers.geojson"
    point = dict(POINT, properties={"界桩号": "钟水01", "src": "/vsicurl/http://x/y.shp"})
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [point]}))
    with pytest.raises(RefusedFile, match="/vsicurl/"):
        survey.run(path)


def test_it_reads_a_gpx_whose_metadata_links_to_the_vendor(tmp_path, listener, db):
    url, seen = listener
    path = tmp_path / "track.gpx"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="eTrex" '
        f'xmlns="http://www.topografix.com/GPX/1/1"><metadata><link href="{url}/">'
        '<text>Garmin International</text></link></metadata>'
        '<wpt lat="26.58" lon="104.85"><name>钟水01</name></wpt></gpx>')
    result = survey.run(path)
    assert len(result.features) == 1
    assert seen == []


def test_it_refuses_a_csv_field_over_the_csv_limit_with_its_line(tmp_path, db):
    path = tmp_path / "markers.csv"
    path.write_text("界桩号,X,Y\n钟水01,2950000.0,35500000.0\n钟水02,\"" + "9" * 200_000
                    + "\",35500001.0\n", encoding="utf-8")
    with pytest.raises(RefusedFile, match=r"markers.csv:3: not a readable CSV row"):
        survey.run(path)


@pytest.mark.parametrize("driver, name", [("GPKG", "markers.gpkg"), ("GeoJSON", "m.geojson")])
def test_it_refuses_a_file_with_more_features_than_a_survey_holds(tmp_path, settings, db,
                                                                   driver, name):
    settings.SURVEY_MAX_FEATURES = 50
    path = tmp_path / name
    with fiona.open(path, "w", driver=driver, crs="EPSG:4490",
                    schema={"geometry": "Point", "properties": {"界桩号": "str"}}) as sink:
        sink.writerecords({"geometry": {"type": "Point", "coordinates": (104.8 + i / 1e4, 26.6)},
                           "properties": {"界桩号": f"钟水{i:03d}"}} for i in range(51))
    with pytest.raises(RefusedFile, match="51 features or more"):
        survey.run(path)


def test_it_stops_reading_a_csv_past_the_feature_limit(tmp_path, settings, db):
    settings.SURVEY_MAX_FEATURES = 50
    path = tmp_path / "markers.csv"
    path.write_text("界桩号,X,Y\n" + "".join(f"钟水{i:03d},2950000.0,{35500000 + i}.0\n"
                                           for i in range(60)), encoding="utf-8")
    with pytest.raises(RefusedFile, match="51 features or more"):
        survey.run(path)
