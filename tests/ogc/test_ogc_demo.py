"""The README's three filter examples, as written there, answered on the demo: each finds
what the same question asked of the models (or measured in pyproj's projection) finds,
and finds some."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.gis.geos import LineString, Point
from pyproj import Transformer

from boundaries.models import DivisionVersion
from gazetteer.models import Place
from ogc.plans import EXAMPLES
from tests.support import demo_loaded

pytestmark = pytest.mark.django_db
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=False):
        yield


def answer(client, collection: str, params: dict) -> list[dict]:
    response = client.get(f"/ogc/collections/{collection}/items", {**params, "limit": 1000})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["numberMatched"] == body["numberReturned"]
    return body["features"]


def test_it_shows_in_the_readme_the_examples_it_checks():
    shown = re.findall(r"^/ogc/collections/([\w-]+)/items\?(.+)$", README.read_text(), re.M)
    assert [(c, dict(p.split("=", 1) for p in q.split("&"))) for c, q in shown] == EXAMPLES


def test_it_finds_the_villages_of_shuicheng_begun_after_2015(client, demo):
    collection, params = EXAMPLES[0]
    found = {f["properties"]["code"] for f in answer(client, collection, params)}
    expected = set(DivisionVersion.objects.filter(
        level=5, code__startswith="520204", valid_from__gt=date(2014, 12, 31),
        valid_to__isnull=True).exclude(kind="placeholder").values_list("code", flat=True))
    assert found == expected and found
    later = {**params, "filter": params["filter"].replace("2014-12-31", "2099-12-31")}
    assert answer(client, collection, later) == []


def test_it_finds_the_streets_of_honghuagang_named_renmin(client, demo):
    collection, params = EXAMPLES[1]
    found = {f["id"] for f in answer(client, collection, params)}
    expected = {p.id for p in Place.objects.filter(
        name__startswith="人民", divisions__division_code="520302000000").exclude(
        status="proposed").distinct() if p.geom.dims == 1 and p.valid_to is None}
    assert found == expected and found


def test_it_finds_the_streets_within_500_m_in_gauss_kruger_coordinates(client, demo):
    collection, params = EXAMPLES[2]
    features = answer(client, collection, params)
    # the same question in zone 35's plane, projected by pyproj and measured by GEOS
    to_gk = Transformer.from_crs(4490, 4523, always_xy=True)
    centre = Point(*to_gk.transform(104.896, 26.601))
    near = set()
    for place in Place.objects.filter(geom__dwithin=(Point(104.896, 26.601, srid=4490), 0.02)):
        if place.geom.dims == 1 and place.status != "proposed" and place.valid_to is None:
            line = LineString([to_gk.transform(x, y) for x, y in place.geom.coords])
            near |= {place.id} if line.distance(centre) <= 500 else set()
    assert {f["id"] for f in features} == near and len(near) >= 2
    for f in features:  # northing, easting in zone 35
        x, y = Place.objects.get(id=f["id"]).geom.coords[0]
        assert f["geometry"]["coordinates"][0] == pytest.approx(
            list(to_gk.transform(x, y))[::-1], abs=0.001)
