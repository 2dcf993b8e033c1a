"""Vector tiles of the map layers, decoded: the demo's townships in the tile over 钟山区,
the county of a date before its change, ETags and 304s, cached tiles, their invalidation
by the writes that change them, TileJSON, and the refusals of a malformed address."""

import math
from datetime import date

import mapbox_vector_tile
import pytest
import redis
from django.contrib.gis.geos import LineString
from django.db import connection

from accounts.services import system_actor
from boundaries.models import BoundaryMarker, MarkerStatus
from boundaries.services import marker_record_state
from boundaries.temporal import today
from gazetteer import services as places
from gazetteer.services import NewPlace
from tests.support import demo_loaded
from tiles import selectors
from tiles.layers import LAYERS

pytestmark = pytest.mark.django_db

ZHONGSHAN = "520201000000"


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    """The XYZ tile holding a point (Web Mercator)."""
    n = 2 ** z
    lat_r = math.radians(lat)
    return (z, int((lon + 180) / 360 * n),
            int((1 - math.log(math.tan(lat_r) + 1 / math.cos(lat_r)) / math.pi) / 2 * n))


def inside(code: str, level: int = 3) -> tuple[float, float]:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM "
                    "boundaries_divisionversion WHERE code = %s AND level = %s "
                    "AND geom IS NOT NULL ORDER BY valid_to DESC NULLS FIRST LIMIT 1) s",
                    [code, level])
        return cur.fetchone()


def features(response, layer: str) -> list[dict]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    decoded = mapbox_vector_tile.decode(response.content)
    return decoded[layer]["features"] if layer in decoded else []


def url(layer: str, tile: tuple[int, int, int], query: str = "") -> str:
    z, x, y = tile
    return f"/tiles/{layer}/{z}/{x}/{y}.pbf" + (f"?{query}" if query else "")


def test_it_draws_the_townships_of_zhongshan_at_z12(client):
    tile = tile_of(*inside(ZHONGSHAN), 12)
    found = features(client.get(url("townships", tile)), "townships")
    mine = [f["properties"] for f in found if f["properties"]["parent_code"] == "520201"]
    assert mine, [f["properties"] for f in found]
    first = mine[0]
    assert set(first) == set(LAYERS["townships"].fields)
    assert first["level"] == 4 and first["code"].startswith("520201")
    assert first["short_code"] == first["code"][:9]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in found)
    assert all(isinstance(f["id"], int) for f in found)  # the version id, as feature id
    with connection.cursor() as cur:  # the names the registry holds for those codes
        cur.execute("SELECT name FROM boundaries_divisionversion WHERE code = %s AND level = 4 "
                    "AND valid_to IS NULL", [first["code"]])
        assert first["name"] == cur.fetchone()[0]


def test_it_draws_a_whole_county_of_townships_at_z8(client):
    tile = tile_of(*inside(ZHONGSHAN), 8)
    found = features(client.get(url("townships", tile)), "townships")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM boundaries_divisionversion WHERE level = 4 AND "
                    "parent_code = %s AND valid_to IS NULL AND geom IS NOT NULL", [ZHONGSHAN])
        expected = cur.fetchone()[0]
    assert expected > 5
    assert len([f for f in found if f["properties"]["parent_code"] == "520201"]) == expected


def test_it_draws_the_county_of_a_date_before_its_change(client):
    tile = tile_of(*inside("520204000000"), 9)  # 水城区, 水城县 until 2020-07-18
    now = {f["properties"]["code"]: f["properties"]["name"]
           for f in features(client.get(url("counties", tile)), "counties")}
    before = {f["properties"]["code"]: f["properties"]["name"]
              for f in features(client.get(url("counties", tile, "as_of=2019-01-01")),
                                "counties")}
    assert now.get("520204000000") == "水城区" and "520221000000" not in now
    assert before.get("520221000000") == "水城县" and "520204000000" not in before


def test_it_answers_an_empty_tile_below_the_layers_minimum_zoom(client):
    tile = tile_of(*inside(ZHONGSHAN), LAYERS["townships"].minzoom - 1)
    response = client.get(url("townships", tile))
    assert response.status_code == 200 and response.content == b""


def test_it_draws_lines_markers_places_and_villages(client):
    tile = tile_of(*inside(ZHONGSHAN), 12)
    for name, types in [("lines", {"LineString", "MultiLineString"}),
                        ("villages", {"Point"}), ("places", None)]:
        found = features(client.get(url(name, tile)), name)
        assert found, name
        assert set(found[0]["properties"]) == set(LAYERS[name].fields), name
        if types:
            assert {f["geometry"]["type"] for f in found} <= types, name
    marker = _a_marker_in_force()
    found = features(client.get(url("markers", marker["tile"])), "markers")
    assert marker["id"] in {f["id"] for f in found}


def _a_marker_in_force(z: int = 13) -> dict:
    with connection.cursor() as cur:
        cur.execute("SELECT m.id, ST_X(s.position), ST_Y(s.position), s.status FROM "
                    "boundaries_boundarymarker m JOIN boundaries_markerstate s ON "
                    "s.marker_id = m.id AND s.valid_to IS NULL "
                    "ORDER BY m.id LIMIT 1")
        marker_id, lon, lat, status = cur.fetchone()
    return {"id": marker_id, "tile": tile_of(lon, lat, z), "status": status}


def test_it_answers_304_to_the_etag_without_a_query(client, django_assert_num_queries):
    tile_url = url("townships", tile_of(*inside(ZHONGSHAN), 12))
    first = client.get(tile_url)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) > 10
    assert "public" in first["Cache-Control"] and "max-age=" in first["Cache-Control"]
    with django_assert_num_queries(0):
        again = client.get(tile_url, HTTP_IF_NONE_MATCH=etag)
        cached = client.get(tile_url)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert cached.status_code == 200 and cached.content == first.content  # from the cache
    assert first["Access-Control-Allow-Origin"] == "*"  # a map on another site may draw it
    assert client.head(tile_url)["ETag"] == etag
    other_day = client.get(tile_url + "?as_of=2019-01-01", HTTP_IF_NONE_MATCH=etag)
    assert other_day.status_code == 200 and other_day["ETag"] != etag


def test_it_serves_a_kept_tile_in_one_round_trip_to_redis(client, monkeypatch):
    tile_url = url("townships", tile_of(*inside(ZHONGSHAN), 12))
    first = client.get(tile_url)
    calls = []
    original = redis.Redis.execute_command

    def counted(self, *args, **options):
        calls.append(args[0])
        return original(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    again = client.get(tile_url)
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert calls == ["MGET"]  # the layer's generation and the tile drawn in it


def test_it_draws_a_new_place_at_once_though_the_tile_was_cached(
        client, django_capture_on_commit_callbacks):
    lon, lat = inside(ZHONGSHAN)
    tile_url = url("places", tile_of(lon, lat, 14))
    before = client.get(tile_url)
    assert "凉都新路" not in {f["properties"]["name"] for f in features(before, "places")}
    with django_capture_on_commit_callbacks(execute=True):
        places.places_create(places=[NewPlace(
            name="凉都新路", place_class="road",
            geom=LineString((lon, lat), (lon + 0.001, lat + 0.0005), srid=4490))],
            actor=system_actor())
    after = client.get(tile_url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert "凉都新路" in {f["properties"]["name"] for f in features(after, "places")}


def test_it_draws_a_marker_state_at_once_though_the_tile_was_cached(
        client, django_capture_on_commit_callbacks):
    marker = _a_marker_in_force()
    tile_url = url("markers", marker["tile"])
    before = client.get(tile_url)
    division_etag = client.get(url("townships", marker["tile"]))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        marker_record_state(marker=BoundaryMarker.objects.get(pk=marker["id"]),
                            status=MarkerStatus.DAMAGED, on=today(), actor=system_actor())
    after = client.get(tile_url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    statuses = {f["id"]: f["properties"]["status"] for f in features(after, "markers")}
    assert statuses[marker["id"]] == "damaged"
    assert {f["id"]: f["properties"]["status"] for f in features(before, "markers")}[
        marker["id"]] == marker["status"] != "damaged"
    # another layer's tiles are not invalidated by a marker
    assert client.get(url("townships", marker["tile"]))["ETag"] == division_etag


def test_it_describes_each_layer_in_tilejson(client):
    listing = client.get("/tiles/").json()
    assert [layer["name"] for layer in listing["layers"]] == list(LAYERS)
    for entry in listing["layers"]:
        doc = client.get(f"/tiles/{entry['name']}.json").json()
        assert doc["tilejson"] == "3.0.0"
        assert doc["tiles"] == [f"http://testserver/tiles/{entry['name']}/{{z}}/{{x}}/{{y}}.pbf"]
        assert 0 <= doc["minzoom"] <= doc["maxzoom"] <= 22
        west, south, east, north = doc["bounds"]
        assert -180 <= west <= east <= 180 and -90 <= south <= north <= 90
        (vector,) = doc["vector_layers"]
        assert vector["id"] == entry["name"]
        assert vector["fields"] == LAYERS[entry["name"]].fields
        assert set(vector["fields"].values()) <= {"String", "Number", "Boolean"}
    townships = client.get("/tiles/townships.json").json()["bounds"]
    assert 100 < townships[0] < townships[2] < 125  # the demo's cities, not the world


@pytest.mark.parametrize("path,status,words", [
    ("/tiles/townships/3/8/0.pbf", 400, "x and y must be 0 to 7"),
    ("/tiles/townships/3/0/-1.pbf", 400, "x and y"),
    ("/tiles/townships/a/0/0.pbf", 400, "whole numbers"),
    ("/tiles/townships/%D9%A3/0/0.pbf", 400, "whole numbers"),  # ٣, which int() reads
    ("/tiles/townships/16/65535/65536.pbf", 400, "x and y must be 0 to 65535"),
    ("/tiles/townships/17/0/0.pbf", 400, "z must be 0 to 16"),
    ("/tiles/townships/8/200/100.pbf?as_of=2019-13-01", 400, "as_of"),
    ("/tiles/rivers/8/200/100.pbf", 404, "no such tile layer"),
    ("/tiles/rivers.json", 404, "rivers"),
])
def test_it_refuses_a_malformed_tile_address_with_json(client, path, status, words):
    response = client.get(path)
    assert response.status_code == status
    assert words in response.json()["detail"]


def test_it_filters_through_the_gist_index_in_the_stored_srid():
    tile = selectors.address("townships", *map(str, tile_of(*inside(ZHONGSHAN), 12)),
                             date(2024, 1, 1))
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + selectors.tile_sql(tile.layer), tile.params())
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "division_geom_idx" in plan, plan


def test_it_draws_a_renamed_township_at_once_though_the_tile_was_cached(
        client, django_capture_on_commit_callbacks):
    from mergers.execution import execute_operations  # above the tiles: the test's only

    tile_url = url("townships", tile_of(*inside("520201105000", 4), 12))

    def name_of(response) -> str:
        return {f["properties"]["code"]: f["properties"]["name"]
                for f in features(response, "townships")}["520201105000"]
    before = client.get(tile_url)
    assert name_of(before) != "保华新镇"
    with django_capture_on_commit_callbacks(execute=True):
        execute_operations(operations=[{"op": "rename", "unit": "520201105", "name": "保华新镇"}],
                           effective_date=date(2024, 6, 1), actor=system_actor(),
                           approval_document="黔府函〔2024〕1号",
                           approving_authority="贵州省人民政府")
    after = client.get(tile_url, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and name_of(after) == "保华新镇"
    assert name_of(client.get(tile_url + "?as_of=2024-05-31")) == name_of(before)
