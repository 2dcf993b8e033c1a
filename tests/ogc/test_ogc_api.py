"""The OGC API – Features facade: landing, conformance, collections, items, errors."""

from datetime import date

import pytest
from django.contrib.gis.geos import LineString

from accounts.services import system_actor
from gazetteer import services
from gazetteer.services import NewPlace

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(divisions_db):
    rows = [NewPlace(name=f"{n}路", place_class="road", division_codes=["520201"],
                     valid_from=date(2000, 1, 1),
                     geom=LineString((104.8 + i / 100, 26.5), (104.81 + i / 100, 26.51), srid=4490))
            for i, n in enumerate(["东风", "西风", "南风", "北风", "和风"])]
    created = services.places_create(places=rows, actor=system_actor())
    services.place_cancel(place_id=created[-1].id, effective_date=date(2010, 1, 1),
                          document_number="", reason="拆除", actor=system_actor())
    return created


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def test_it_serves_the_landing_page_and_conformance(client, divisions_db):
    rels = {link["rel"]: link["href"] for link in get(client, "/ogc/")["links"]}
    assert rels["data"].endswith("/ogc/collections")
    assert rels["conformance"].endswith("/ogc/conformance")
    assert any(c.endswith("/conf/core") for c in get(client, "/ogc/conformance")["conformsTo"])


def test_it_lists_places_and_divisions_by_level(client, divisions_db):
    ids = [c["id"] for c in get(client, "/ogc/collections")["collections"]]
    assert ids == ["places-points", "places-lines", "places-polygons", "divisions-province",
                   "divisions-prefecture", "divisions-county", "divisions-township",
                   "divisions-village", "boundaries"]
    one = get(client, "/ogc/collections/places-lines")
    assert any(link["rel"] == "items" for link in one["links"])


def test_it_pages_items_with_next_links(client, places):
    page = get(client, "/ogc/collections/places-lines/items?limit=2")
    assert page["type"] == "FeatureCollection"
    assert page["numberReturned"] == 2
    assert page["numberMatched"] == 4  # the cancelled one is not in force today
    names = [f["properties"]["name"] for f in page["features"]]
    seen = list(names)
    assert "after=" in next(li["href"] for li in page["links"] if li["rel"] == "next")
    while (nxt := next((li["href"] for li in page["links"] if li["rel"] == "next"), None)):
        page = get(client, nxt.replace("http://testserver", ""))
        seen += [f["properties"]["name"] for f in page["features"]]
    assert sorted(seen) == sorted(["东风路", "西风路", "南风路", "北风路"])
    assert page["features"][0]["geometry"]["type"] == "LineString"
    assert "crs" not in page["features"][0]["geometry"]


def test_it_tells_number_matched_on_every_offset_page(client, places, django_assert_num_queries):
    url = "/ogc/collections/places-lines/items?sortby=name&limit=3"
    full, last, past = (get(client, f"{url}&offset={o}") for o in (0, 3, 9))
    assert (full["numberReturned"], full["numberMatched"]) == (3, 4)
    # the last page knows the count from its offset, with no count statement
    assert (last["numberReturned"], last["numberMatched"]) == (1, 4)
    assert (past["numberReturned"], past["numberMatched"]) == (0, 4)  # counted
    with django_assert_num_queries(1):
        assert get(client, f"{url}&offset=3")["numberMatched"] == 4


def test_it_filters_by_bbox_and_datetime(client, places):
    box = get(client, "/ogc/collections/places-lines/items?bbox=104.79,26.49,104.805,26.52")
    assert [f["properties"]["name"] for f in box["features"]] == ["东风路"]
    then = get(client, "/ogc/collections/places-lines/items?datetime=2005-06-01")
    assert "和风路" in [f["properties"]["name"] for f in then["features"]]
    before = get(client, "/ogc/collections/places-lines/items?datetime=../1999-12-31")
    assert before["numberMatched"] == 0
    span = get(client, "/ogc/collections/places-lines/items?datetime=2009-01-01/2011-01-01")
    assert span["numberMatched"] == 5


def test_it_serves_divisions_of_one_level(client, divisions_db):
    body = get(client, "/ogc/collections/divisions-county/items?limit=100")
    names = {f["properties"]["name"] for f in body["features"]}
    assert {"钟山区", "六枝特区", "水城区", "盘州市"} <= names
    assert {f["properties"]["level"] for f in body["features"]} == {3}


def test_it_returns_one_feature(client, places):
    body = get(client, f"/ogc/collections/places-lines/items/{places[0].id}")
    assert body["properties"]["name"] == "东风路"
    assert body["id"] == places[0].id
    assert client.get("/ogc/collections/places-lines/items/999999999").status_code == 404


@pytest.mark.parametrize("url, status, fragment", [
    ("/ogc/collections/rivers/items", 404, "rivers"),
    ("/ogc/collections/places-lines/items?limit=0", 400, "limit"),
    ("/ogc/collections/places-lines/items?offset=-1", 400, "offset"),
    ("/ogc/collections/places-lines/items?bbox=1,2,3", 400, "bbox"),
    ("/ogc/collections/places-lines/items?datetime=yesterday", 400, "datetime"),
    ("/ogc/collections/places-lines/items?datetime=2020-01-01/2019-01-01", 400, "datetime"),
    ("/ogc/collections/places-lines/items?color=red", 400, "color"),
    ("/ogc/collections/places-lines/items?after=-1", 400, "after"),
    ("/ogc/collections/places-lines/items?offset=100000000000000000000", 400, "offset"),
    ("/ogc/collections/places-lines/items?f=xml", 400, "f"),
    ("/ogc/collections/places-lines/items/abc", 404, "abc"),
])
def test_it_answers_errors_as_ogc_exceptions(client, divisions_db, url, status, fragment):
    response = client.get(url)
    assert response.status_code == status
    body = response.json()
    assert fragment in body["description"]
    assert body["code"]


def test_it_pages_by_offset_with_a_prev_link(client, places):
    page = get(client, "/ogc/collections/places-lines/items?limit=2&offset=2")
    assert page["numberReturned"] == 2
    assert "offset=0" in next(li["href"] for li in page["links"] if li["rel"] == "prev")
    assert not [li for li in page["links"] if li["rel"] == "next"]  # the last page


def test_it_caps_the_limit_at_the_maximum(client, places):
    body = get(client, "/ogc/collections/places-lines/items?limit=999999")
    assert body["numberReturned"] == 4
    assert "limit=10000" in next(li["href"] for li in body["links"] if li["rel"] == "self")


def test_it_serves_the_border_lines_with_their_sides(client, divisions_db):
    from django.contrib.gis.geos import LineString, MultiLineString

    from boundaries.models import BoundaryLine

    line = BoundaryLine.objects.create(
        level=3, left_code="520201000000", right_code="520204000000", name="钟水线",
        geom=MultiLineString(LineString((104.80, 26.55), (104.82, 26.60)), srid=4490),
        length_m=5871.4)
    body = get(client, "/ogc/collections/boundaries/items?bbox=104.7,26.5,104.9,26.7")
    found = {f["id"]: f for f in body["features"]}
    assert found[line.id]["properties"]["name"] == "钟水线"
    assert found[line.id]["geometry"]["type"] == "MultiLineString"
    assert (found[line.id]["properties"]["left_code"],
            found[line.id]["properties"]["right_code"]) == ("520201000000", "520204000000")
    far = get(client, "/ogc/collections/boundaries/items?bbox=120,30,121,31")
    assert line.id not in {f["id"] for f in far["features"]}


def test_it_serves_each_place_in_the_collection_of_its_geometry_type(client, places):
    from django.contrib.gis.geos import Point

    bridge = services.places_create(places=[NewPlace(
        name="凉都桥", place_class="bridge", division_codes=["520201"],
        geom=Point(104.83, 26.59, srid=4490), valid_from=date(2000, 1, 1))],
        actor=system_actor())[0]
    types = {}
    for kind in ("points", "lines", "polygons"):
        body = get(client, f"/ogc/collections/places-{kind}/items?limit=100")
        assert body["numberMatched"] == len(body["features"])
        types[kind] = {f["geometry"]["type"].removeprefix("Multi") for f in body["features"]}
    assert types == {"points": {"Point"}, "lines": {"LineString"}, "polygons": set()}
    assert get(client, f"/ogc/collections/places-points/items/{bridge.id}")["id"] == bridge.id
    assert client.get(f"/ogc/collections/places-lines/items/{bridge.id}").status_code == 404
