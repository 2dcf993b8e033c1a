"""Part 2 (CRS by reference) and Part 3 (queryables, CQL2 filters), sortby and properties."""

from datetime import date

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from pyproj import CRS, Transformer

from accounts.services import system_actor
from gazetteer import services
from gazetteer.services import NewPlace

pytestmark = pytest.mark.django_db
EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
POINTS = [("人民路", 104.83, 26.59, 2001), ("人民东路", 104.835, 26.591, 2016),
          ("钟山大道", 104.87, 26.62, 2018), ("荷城街", 104.90, 26.70, 1999)]


@pytest.fixture
def places(divisions_db):
    return services.places_create(places=[
        NewPlace(name=n, place_class="road", division_codes=["520201"],
                 geom=Point(x, y, srid=4490), valid_from=date(year, 1, 1))
        for n, x, y, year in POINTS], actor=system_actor())


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response


def names(client, **params):
    body = get(client, "/ogc/collections/places-points/items", limit=100, **params).json()
    return sorted(f["properties"]["name"] for f in body["features"])


def test_it_lists_the_crs_with_the_gauss_kruger_zones(client, divisions_db):
    body = get(client, "/ogc/collections/places-points").json()
    assert body["storageCrs"] == EPSG + "4490"
    assert {EPSG + "4490", EPSG + "4326", EPSG + "4523"} <= set(body["crs"])
    assert body["crs"][0].endswith("CRS84")


@pytest.mark.as_owner  # ANALYZE is the owner's
def test_it_offers_the_gauss_kruger_zones_that_cover_the_collection(client, places):
    with connection.cursor() as cur:
        cur.execute("ANALYZE gazetteer_place")
    body = get(client, "/ogc/collections/places-points").json()
    box = body["extent"]["spatial"]["bbox"][0]
    west, south, east, north = box
    # the statistics' estimate (which may hold rows other tests left) covers the places
    assert west < 104.83 and east > 104.90 and south < 26.59 and north > 26.70
    zones = {int(uri.rsplit("/", 1)[1]) for uri in body["crs"] if "EPSG" in uri} - {4490, 4326}
    meeting = set()
    for code in [*range(4491, 4502), *range(4513, 4534)]:  # the zones, not the CM variants
        area = CRS.from_epsg(code).area_of_use
        if area.west < east and area.east > west and area.south < north and area.north > south:
            meeting.add(code)
    # 钟山区 lies in 3° zone 35 (103.5°–106.5°E) and 6° zone 18 (102°–108°E); zone 13
    # (72°–78°E) and 3° zone 25 (73.5°–76.5°E) are far from every place a test makes
    assert zones == meeting and {4523, 4496} <= zones and not {4491, 4513} & zones
    far = client.get("/ogc/collections/places-points/items", {"crs": EPSG + "4513"})
    assert far.status_code == 400 and "4513" in far.json()["description"]
    assert get(client, "/ogc/collections/places-points/items", crs=EPSG + "4496")


@pytest.mark.parametrize("code", [4523, 4496])
def test_it_projects_to_gauss_kruger_as_pyproj_does_to_the_millimetre(client, places, code):
    response = get(client, "/ogc/collections/places-points/items", crs=f"{EPSG}{code}")
    assert response["Content-Crs"] == f"<{EPSG}{code}>"
    to_gk = Transformer.from_crs(4490, code)  # EPSG axis order: northing, easting
    seen = {f["properties"]["name"]: f["geometry"]["coordinates"]
            for f in response.json()["features"]}
    for name, lon, lat, _ in POINTS:
        north, east = to_gk.transform(lat, lon)
        assert seen[name][0] == pytest.approx(north, abs=0.001)
        assert seen[name][1] == pytest.approx(east, abs=0.001)


def test_it_serves_epsg_4490_latitude_first_and_crs84_longitude_first(client, places):
    one = places[0].id
    lat_first = get(client, f"/ogc/collections/places-points/items/{one}", crs="EPSG:4490")
    assert lat_first.json()["geometry"]["coordinates"] == pytest.approx([26.59, 104.83])
    assert lat_first["Content-Crs"] == f"<{EPSG}4490>"
    plain = get(client, f"/ogc/collections/places-points/items/{one}")
    assert plain.json()["geometry"]["coordinates"] == pytest.approx([104.83, 26.59])
    assert plain["Content-Crs"].endswith("CRS84>")


def test_it_reads_a_bbox_in_a_projected_crs(client, places):
    to_gk = Transformer.from_crs(4490, 4523)
    n0, e0 = to_gk.transform(26.585, 104.825)
    n1, e1 = to_gk.transform(26.595, 104.84)
    assert names(client, bbox=f"{n0},{e0},{n1},{e1}", **{"bbox-crs": EPSG + "4523"}) == \
        ["人民东路", "人民路"]
    assert names(client, bbox="26.585,104.825,26.595,104.84", **{"bbox-crs": "EPSG:4490"}) \
        == ["人民东路", "人民路"]


def test_it_refuses_a_crs_it_does_not_offer(client, divisions_db):
    response = client.get("/ogc/collections/places-points/items", {"crs": "EPSG:3857"})
    assert response.status_code == 400
    assert "crs" in response.json()["description"]


def test_it_serves_the_queryables_as_json_schema(client, divisions_db):
    response = get(client, "/ogc/collections/places-points/queryables")
    assert response["Content-Type"] == "application/schema+json"
    body = response.json()
    assert body["type"] == "object"
    assert {"name", "division", "valid_from", "geometry", "validity"} <= set(body["properties"])
    assert body["properties"]["valid_from"]["format"] == "date"


@pytest.mark.parametrize("lang, expression, expected", [
    ("cql2-text", "name LIKE '人民%' AND division = '520201'", ["人民东路", "人民路"]),
    ("cql2-text", "name IN ('荷城街', '钟山大道')", ["荷城街", "钟山大道"]),
    ("cql2-text", "valid_from BETWEEN DATE('2015-01-01') AND DATE('2020-01-01')",
     ["人民东路", "钟山大道"]),
    ("cql2-text", "valid_to IS NULL AND NOT name = '人民路'", ["人民东路", "荷城街", "钟山大道"]),
    ("cql2-text", "T_AFTER(valid_from, DATE('2015-12-31'))", ["人民东路", "钟山大道"]),
    ("cql2-text", "T_INTERSECTS(validity, INTERVAL('1990-01-01', '2000-06-01'))", ["荷城街"]),
    ("cql2-text", "S_INTERSECTS(geometry, POLYGON((104.82 26.58, 104.84 26.58, 104.84 26.6, "
                  "104.82 26.6, 104.82 26.58)))", ["人民东路", "人民路"]),
    ("cql2-text", "S_WITHIN(geometry, POLYGON((104.86 26.6, 104.95 26.6, 104.95 26.8, "
                  "104.86 26.8, 104.86 26.6)))", ["荷城街", "钟山大道"]),
    ("cql2-text", "S_DWITHIN(geometry, POINT(104.83 26.59), 600, meters)", ["人民东路", "人民路"]),
    ("cql2-text", "S_DWITHIN(geometry, POINT(104.83 26.59), 400, meters)", ["人民路"]),
    ("cql2-text", "S_DISJOINT(geometry, POLYGON((104.82 26.58, 104.84 26.58, 104.84 26.6, "
                  "104.82 26.6, 104.82 26.58)))", ["荷城街", "钟山大道"]),
    ("cql2-text", "S_EQUALS(geometry, POINT(104.87 26.62))", ["钟山大道"]),
    ("cql2-text", "S_TOUCHES(geometry, LINESTRING(104.90 26.70, 104.91 26.71))", ["荷城街"]),
    ("cql2-text", "S_CONTAINS(geometry, POINT(104.87 26.62)) OR S_CROSSES(geometry, "
                  "LINESTRING(104 26, 105 27)) OR S_OVERLAPS(geometry, POINT(1 1))", ["钟山大道"]),
    ("cql2-text", "T_DURING(valid_from, INTERVAL('2015-01-01', '2017-01-01')) OR "
                  "T_BEFORE(validity, DATE('1990-01-01'))", ["人民东路"]),
    ("cql2-json", '{"op": "and", "args": [{"op": "like", "args": [{"property": "name"}, '
                  '"人民%"]}, {"op": ">", "args": [{"property": "valid_from"}, '
                  '{"date": "2010-01-01"}]}]}', ["人民东路"]),
    ("cql2-json", '{"op": "s_intersects", "args": [{"property": "geometry"}, '
                  '{"type": "Point", "coordinates": [104.87, 26.62]}]}', ["钟山大道"]),
])
def test_it_filters_with_cql2(client, places, lang, expression, expected):
    assert names(client, filter=expression, **{"filter-lang": lang}) == expected


def test_it_answers_a_filter_asked_again_and_elsewhere_by_its_own_collection(client, places):
    # a filter's SQL is written once per process: the second ask is answered from it
    text = "name LIKE '人民%' AND valid_from > DATE('2010-01-01')"
    assert names(client, filter=text) == names(client, filter=text) == ["人民东路"]
    lines = get(client, "/ogc/collections/places-lines/items", filter=text).json()
    assert lines["features"] == []
    division = "division = '520201'"
    assert len(names(client, filter=division)) == 4
    # the same text on the divisions, which have no property division: 400, every time
    for _ in range(2):
        response = client.get("/ogc/collections/divisions-county/items", {"filter": division})
        assert response.status_code == 400 and "division" in response.json()["description"]


def test_it_reads_filter_geometries_in_the_filter_crs(client, places):
    north, east = Transformer.from_crs(4490, 4523).transform(26.62, 104.87)
    found = names(client, filter=f"S_DWITHIN(geometry, POINT({north} {east}), 10, meters)",
                  **{"filter-crs": EPSG + "4523"})
    assert found == ["钟山大道"]


@pytest.mark.parametrize("expression, fragment", [
    ("colour = 'red'", "colour"),
    ("name LIKE", "column"),
    ("name = 'a' AND (", "column"),
    ("valid_from > 'yesterday'", "valid_from"),
    ("division = '5202x'", "division"),
    ("name = 'x'; DROP TABLE gazetteer_place", "column"),
])
def test_it_answers_400_naming_the_place_of_a_bad_filter(client, places, expression, fragment):
    response = client.get("/ogc/collections/places-points/items", {"filter": expression})
    assert response.status_code == 400
    assert fragment in response.json()["description"]
    assert response.json()["description"].startswith("filter")


def test_it_sorts_and_chooses_properties(client, places):
    body = get(client, "/ogc/collections/places-points/items", sortby="-valid_from",
               properties="name,valid_from", limit=3).json()
    assert [f["properties"]["name"] for f in body["features"]] == ["钟山大道", "人民东路", "人民路"]
    assert set(body["features"][0]["properties"]) == {"name", "valid_from"}
    nxt = next(li["href"] for li in body["links"] if li["rel"] == "next")
    rest = get(client, nxt.replace("http://testserver", "")).json()
    assert [f["properties"]["name"] for f in rest["features"]] == ["荷城街"]
    bad = client.get("/ogc/collections/places-points/items", {"sortby": "geometry"})
    assert bad.status_code == 400 and "sortby" in bad.json()["description"]


def test_it_filters_by_the_division_a_place_lay_in_on_the_querys_date(client, places):
    # 撤县设区 (2020-07-01): 荷城街's reference to 水城县 ends and 水城区's begins, as
    # mergers.execution writes them; a filter on division reads the one in force.
    from gazetteer.models import PlaceDivision
    moved = next(p for p in places if p.name == "荷城街")
    PlaceDivision.objects.filter(place=moved).delete()
    PlaceDivision.objects.bulk_create([
        PlaceDivision(place=moved, division_code="520221000000", level=3,
                      valid_to=date(2020, 7, 1)),
        PlaceDivision(place=moved, division_code="520204000000", level=3,
                      valid_from=date(2020, 7, 1))])
    assert names(client, filter="division = '520204'") == ["荷城街"]
    assert names(client, filter="division = '520221'") == []
    assert names(client, filter="division = '520221'", datetime="2016-06-01") == ["荷城街"]
    assert names(client, filter="division = '520204'", datetime="2016-06-01") == []
    assert names(client, filter="division = '520221'", datetime="2016-01-01/..") == ["荷城街"]
    assert names(client, filter="division IN ('520204', '520201')") == [
        "人民东路", "人民路", "荷城街", "钟山大道"]
