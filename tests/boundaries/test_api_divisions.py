"""The public division API on real codes (六盘水, 东莞) and real county polygons."""

import json
from datetime import date

import pytest
from django.db import connection

from accounts.services import system_actor
from boundaries.models import DivisionEvent, DivisionVersion, EventKind
from boundaries.names import search_keys
from tests.support import county_features

pytestmark = pytest.mark.django_db

# Real polygons named as in the file; 水城县 is the 2023 水城区 520204.
POLYGONS = {"钟山区": "520201", "六枝特区": "520203", "水城县": "520204", "盘县": "520281"}


@pytest.fixture
def polygons(divisions_db):
    """Attach the real county polygons of 六盘水 to the current county versions."""
    with connection.cursor() as cur:
        for feature in county_features(names=set(POLYGONS)):
            if feature["properties"]["city_code"] != "5202":
                continue
            cur.execute(
                "UPDATE boundaries_divisionversion SET geometry_source = 'imported:test', "
                "geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID("
                "ST_GeomFromGeoJSON(%s), 4490)), 3)) WHERE code = %s AND level = 3",
                [json.dumps(feature["geometry"]),
                 POLYGONS[feature["properties"]["name"]].ljust(12, "0")])
    return {name: DivisionVersion.objects.get(code=c.ljust(12, "0"), level=3)
            for name, c in POLYGONS.items()}


def inside(version):
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p "
                    "FROM boundaries_divisionversion WHERE id = %s) t", [version.id])
        return cur.fetchone()


def test_it_returns_a_county_with_its_ancestors(client, divisions_db):
    body = client.get("/api/v1/divisions/520201").json()
    assert body["code"] == "520201000000"
    assert body["short_code"] == "520201"
    assert body["name"] == "钟山区"
    assert body["level"] == "county"
    assert body["kind"] == "市辖区"
    assert [a["name"] for a in body["ancestors"]] == ["贵州省", "六盘水市"]
    assert body["parent_code"] == "520200000000"
    assert body["valid_to"] is None


def test_it_accepts_the_12_digit_code_and_prefers_the_higher_level(client, divisions_db):
    assert client.get("/api/v1/divisions/520201000000").json()["name"] == "钟山区"
    assert client.get("/api/v1/divisions/441900000000").json()["level"] == "prefecture"
    # Six digits ending in 00 are the prefecture (GB/T 2260), not its county-level echo.
    dongguan = client.get("/api/v1/divisions/441900").json()
    assert (dongguan["level"], dongguan["kind"]) == ("prefecture", "地级市")
    assert dongguan == client.get("/api/v1/divisions/4419").json()


def test_it_lists_the_children_of_a_prefecture_with_paging(client, divisions_db):
    body = client.get("/api/v1/divisions/5202/children").json()
    assert {c["name"] for c in body["items"]} == {"钟山区", "六枝特区", "水城区", "盘州市"}
    assert body["count"] == 4
    page = client.get("/api/v1/divisions/5202/children?limit=1&offset=1").json()
    assert page["count"] == 4
    assert page["items"] == body["items"][1:2]
    towns = client.get("/api/v1/divisions/520201/children?kind=镇").json()
    assert towns["count"] > 0
    assert {c["kind"] for c in towns["items"]} == {"镇"}


def test_it_answers_as_of_a_date_from_the_versions(client, divisions_db):
    new_from = date(2020, 1, 1)
    DivisionVersion.objects.create(
        code="520299000000", name="临时区", place_name="临时区", level=3, kind="市辖区",
        parent_code="520200000000", valid_from=new_from, **search_keys("临时区", "临时区"))
    assert client.get("/api/v1/divisions/520299?as_of=2019-12-31").status_code == 404
    assert client.get("/api/v1/divisions/520299?as_of=2020-01-01").json()["name"] == "临时区"
    children_2019 = client.get("/api/v1/divisions/5202/children?as_of=2019-06-01").json()
    assert "临时区" not in {c["name"] for c in children_2019["items"]}


def test_it_explains_a_retired_code_and_names_its_successor(client, divisions_db):
    current = DivisionVersion.objects.get(code="520281000000", level=3)
    with connection.cursor() as cur:  # one statement: the subtree goes with its parent
        cur.execute("DELETE FROM boundaries_divisionversion WHERE code LIKE '520281%%' "
                    "AND level > 3")
    DivisionVersion.objects.filter(id=current.id).update(valid_from=date(2017, 4, 9))
    old = DivisionVersion.objects.create(
        code="520222000000", name="盘县", place_name="盘县", level=3, kind="县",
        parent_code="520200000000", valid_to=date(2017, 4, 9), **search_keys("盘县", "盘县"))
    event = DivisionEvent.objects.create(kind=EventKind.KIND_CHANGE, subkind="撤县设市",
                                         effective_date=date(2017, 4, 9), actor=system_actor())
    event.inputs.add(old)
    event.outputs.add(current)

    gone = client.get("/api/v1/divisions/520222")
    assert gone.status_code == 404
    assert "盘州市" in gone.json()["detail"]
    assert client.get("/api/v1/divisions/520222?as_of=2016-06-01").json()["name"] == "盘县"
    lineage = client.get("/api/v1/divisions/520222/lineage").json()
    assert [s["name"] for s in lineage["successors"]] == ["盘州市"]
    assert lineage["events"][0]["subkind"] == "撤县设市"
    back = client.get("/api/v1/divisions/520281/lineage").json()
    assert [p["code"] for p in back["predecessors"]] == ["520222000000"]
    walk = client.get("/api/v1/divisions/crosswalk").json()
    assert {(w["retired_code"], w["successors"][0]["code"]) for w in walk} == {
        ("520222000000", "520281000000")}


def test_it_serves_geometry_as_geojson_simplified_and_reprojected(client, polygons):
    full = client.get("/api/v1/divisions/520201/geometry").json()
    assert full["type"] == "Feature"
    assert full["geometry"]["type"] == "MultiPolygon"
    lon, lat = full["geometry"]["coordinates"][0][0][0]
    assert 104 < lon < 106
    assert 26 < lat < 27
    simple = client.get("/api/v1/divisions/520201/geometry?simplify=500").json()
    count = lambda g: sum(len(r) for p in g["coordinates"] for r in p)  # noqa: E731
    assert count(simple["geometry"]) < count(full["geometry"])
    projected = client.get("/api/v1/divisions/520201/geometry?srid=4544").json()
    x, y = projected["geometry"]["coordinates"][0][0][0]
    assert 300_000 < x < 700_000
    assert 2_800_000 < y < 3_100_000
    assert client.get("/api/v1/divisions/520201/geometry?srid=999999").status_code == 400
    assert client.get("/api/v1/divisions/520201001/geometry").status_code == 404


def test_it_lists_neighbours_that_share_a_border_with_its_length(client, polygons):
    body = client.get("/api/v1/divisions/520201/neighbours").json()
    lengths = {n["name"]: n["shared_length_km"] for n in body["items"]}
    assert "水城区" in lengths
    assert 80 < lengths["水城区"] < 200  # ~130 km per the data README
    assert "钟山区" not in lengths


def test_it_reverse_geocodes_a_point_to_the_full_hierarchy(client, polygons):
    lon, lat = inside(polygons["钟山区"])
    body = client.get(f"/api/v1/reverse?lon={lon}&lat={lat}").json()
    assert [d["name"] for d in body["divisions"]] == ["贵州省", "六盘水市", "钟山区"]
    x, y = 0.0, 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID("
                    "ST_MakePoint(%s, %s), 4490), 4544) p) t", [lon, lat])
        x, y = cur.fetchone()
    projected = client.get(f"/api/v1/reverse?lon={x}&lat={y}&crs=4544").json()
    assert projected["divisions"][-1]["name"] == "钟山区"


@pytest.mark.parametrize("query, fragment", [
    ("lon=1e20&lat=26&crs=4544", "lon"),
    ("lon=nan&lat=26&crs=4544", "finite"),
    ("lon=inf&lat=26&crs=4544", "finite"),
    ("lon=104.8&lat=-inf", "finite"),
    ("lon=1e8&lat=1e8&crs=4544", "transformed"),
])
def test_it_refuses_coordinates_that_are_no_position_with_400(client, divisions_db, query,
                                                             fragment):
    response = client.get(f"/api/v1/reverse?{query}")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_it_answers_reverse_after_a_refused_transform_in_the_same_transaction(client,
                                                                              polygons):
    client.get("/api/v1/reverse?lon=1e8&lat=1e8&crs=4544")
    lon, lat = inside(polygons["钟山区"])
    body = client.get(f"/api/v1/reverse?lon={lon}&lat={lat}").json()
    assert body["divisions"][-1]["name"] == "钟山区"


def test_it_resolves_a_point_on_a_shared_border_the_same_way_every_time(client, polygons):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointN(ST_GeometryN(ST_Intersection("
            "ST_Boundary(a.geom), ST_Boundary(b.geom)), 1), 2) p "
            "FROM boundaries_divisionversion a, boundaries_divisionversion b "
            "WHERE a.id = %s AND b.id = %s) t",
            [polygons["钟山区"].id, polygons["水城县"].id])
        lon, lat = cur.fetchone()
    answers = {client.get(f"/api/v1/reverse?lon={lon}&lat={lat}").json()["divisions"][-1]["code"]
               for _ in range(3)}
    assert answers == {"520201000000"}  # the lower code wins on a shared border


@pytest.mark.parametrize("url", [
    "/api/v1/divisions/52020", "/api/v1/divisions/abc", "/api/v1/divisions/520201?as_of=2020-13-01",
    "/api/v1/divisions/5202/children?limit=0", "/api/v1/reverse?lon=200&lat=26",
    "/api/v1/reverse?lon=x&lat=26", "/api/v1/reverse?lon=104&lat=26&crs=999999",
    "/api/v1/divisions/520201/geometry?simplify=-1",
    "/api/v1/divisions/5202/children?offset=345672785866572756123146780672",
    "/api/v1/divisions/crosswalk?offset=496619317053549104576069632",
    "/api/v1/divisions?q=%00%F0%9B%A5%981", "/api/v1/divisions/5202%00/children",
])
def test_it_answers_malformed_input_with_400_and_a_detail(client, divisions_db, url):
    response = client.get(url)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_it_answers_unknown_codes_with_404(client, divisions_db):
    response = client.get("/api/v1/divisions/529999")
    assert response.status_code == 404
    assert "529999" in response.json()["detail"]


def test_it_supports_conditional_gets_and_cors(client, divisions_db):
    first = client.get("/api/v1/divisions/520201")
    assert first["ETag"]
    assert "max-age" in first["Cache-Control"]
    assert first["Access-Control-Allow-Origin"] == "*"
    again = client.get("/api/v1/divisions/520201", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    changed = client.get("/api/v1/divisions/520203", HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200


def test_it_publishes_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/v1/divisions/{code}" in paths
    assert "/api/v1/reverse" in paths


def test_it_keeps_answers_to_identified_requests_out_of_shared_caches(client, divisions_db,
                                                                        django_user_model):
    anonymous = client.get("/api/v1/divisions/520201")
    assert anonymous["Cache-Control"].startswith("public")
    token = client.get("/api/v1/divisions/520201", HTTP_AUTHORIZATION="Bearer x")
    assert token["Cache-Control"] == "private, no-store"
    client.force_login(django_user_model.objects.create_user("clerk"))
    session = client.get("/api/v1/divisions/520201")
    assert session["Cache-Control"] == "private, no-store"
    assert {"Authorization", "Cookie"} <= {v.strip() for v in session["Vary"].split(",")}
