"""Every kind of /ogc response checked against the official OGC API – Features Part 1
schemas (tests/ogc/fixtures/ogc-features-1-schemas, see SOURCE.md there), offline, with
jsonschema (2020-12: the schemas use const and type null, which OAS 3.0 lacks)."""

from datetime import date
from pathlib import Path

import pytest
import yaml
from django.contrib.gis.geos import LineString, Point
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from accounts.services import system_actor
from gazetteer import services
from gazetteer.services import NewPlace

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).parent / "fixtures" / "ogc-features-1-schemas"
BASE = "https://schemas.opengis.net/ogcapi/features/part1/1.0/openapi/schemas/"


def _null_type(node):
    """YAML reads the schemas' `type: null` as None; the authors mean the JSON type null."""
    if isinstance(node, dict):
        return {k: ("null" if k == "type" and v is None else _null_type(v))
                for k, v in node.items()}
    return [_null_type(v) for v in node] if isinstance(node, list) else node


REGISTRY = Registry().with_resources(
    (BASE + p.name, Resource.from_contents(_null_type(yaml.safe_load(p.read_text())),
                                           default_specification=DRAFT202012))
    for p in SCHEMAS.glob("*.yaml"))


def check(body: dict, schema: str) -> None:
    Draft202012Validator({"$ref": BASE + schema}, registry=REGISTRY).validate(body)


@pytest.fixture
def places(divisions_db):
    return services.places_create(places=[
        NewPlace(name="人民路", place_class="road", division_codes=["520201"],
                 geom=LineString((104.8, 26.5), (104.81, 26.51), srid=4490),
                 valid_from=date(2000, 1, 1)),
        NewPlace(name="凉都桥", place_class="bridge", division_codes=["520201"],
                 geom=Point(104.83, 26.59, srid=4490), valid_from=date(2016, 1, 1))],
        actor=system_actor())


def test_it_answers_landing_conformance_and_collections_as_the_schemas_say(client, places):
    check(client.get("/ogc/").json(), "landingPage.yaml")
    check(client.get("/ogc/conformance").json(), "confClasses.yaml")
    body = client.get("/ogc/collections").json()
    check(body, "collections.yaml")
    for c in body["collections"]:
        check(client.get(f"/ogc/collections/{c['id']}").json(), "collection.yaml")


@pytest.mark.parametrize("params", [
    {}, {"crs": "EPSG:4523"}, {"crs": "EPSG:4490", "filter": "name LIKE '人民%'"},
    {"filter": "T_AFTER(valid_from, DATE('2015-01-01'))", "sortby": "-name",
     "properties": "name"},
])
def test_it_answers_items_and_item_as_the_schemas_say(client, places, params):
    from ogc.collections import COLLECTIONS

    for cid in COLLECTIONS:
        body = client.get(f"/ogc/collections/{cid}/items", params).json()
        check(body, "featureCollectionGeoJSON.yaml")
        for feature in body["features"][:2]:
            one = client.get(f"/ogc/collections/{cid}/items/{feature['id']}",
                             {k: v for k, v in params.items() if k in ("crs", "properties")})
            check(one.json(), "featureGeoJSON.yaml")


def test_it_answers_errors_as_the_exception_schema(client, divisions_db):
    for url in ("/ogc/collections/rivers", "/ogc/collections/places-points/items?filter=x%3D",
                "/ogc/collections/places-points/items?crs=EPSG:3857"):
        response = client.get(url)
        assert response.status_code in (400, 404)
        check(response.json(), "exception.yaml")


def test_it_checks_with_schemas_that_reject_a_wrong_document():
    from jsonschema import ValidationError

    with pytest.raises(ValidationError):
        check({"type": "FeatureCollection", "features": [{"type": "Feature"}]},
              "featureCollectionGeoJSON.yaml")
