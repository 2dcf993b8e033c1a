"""The HTML encoding of the facade and its OpenAPI 3.0 document."""

import re
from datetime import date

import pytest
from django.contrib.gis.geos import Point
from openapi_spec_validator import validate

from accounts.services import system_actor
from gazetteer import services
from gazetteer.services import NewPlace

pytestmark = pytest.mark.django_db


@pytest.fixture
def bridge(divisions_db):
    return services.places_create(places=[NewPlace(
        name="凉都桥", place_class="bridge", division_codes=["520201"],
        geom=Point(104.83, 26.59, srid=4490), valid_from=date(2000, 1, 1))],
        actor=system_actor())[0]


def html(client, url, **headers):
    response = client.get(url, **headers)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


def test_it_renders_every_resource_as_html(client, bridge):
    assert "ogc-title" in html(client, "/ogc/?f=html")
    assert "/conf/core" in html(client, "/ogc/conformance?f=html")
    assert "collection-places-points" in html(client, "/ogc/collections?f=html")
    assert "EPSG/0/4523" in html(client, "/ogc/collections/places-points?f=html")
    page = html(client, "/ogc/collections/places-points/items?f=html")
    assert "凉都桥" in page and 'id="ogc-map"' in page and "leaflet" in page.lower()
    # offline: the site's own templates and static assets, nothing fetched from elsewhere
    assert 'href="/static/' in page and "leaflet.js" in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//(?!testserver)', page)
    assert "凉都桥" in html(client, f"/ogc/collections/places-points/items/{bridge.id}?f=html")
    assert "division" in html(client, "/ogc/collections/places-points/queryables?f=html")


def test_it_negotiates_html_for_browsers_and_json_for_clients(client, bridge):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert "凉都桥" in html(client, "/ogc/collections/places-points/items",
                           HTTP_ACCEPT=browser)
    plain = client.get("/ogc/collections/places-points/items",
                       HTTP_ACCEPT="application/geo+json, application/json")
    assert plain["Content-Type"] == "application/geo+json"


def test_it_links_a_valid_openapi_3_document(client, divisions_db):
    landing = client.get("/ogc/").json()
    desc = next(link for link in landing["links"] if link["rel"] == "service-desc")
    response = client.get(desc["href"].replace("http://testserver", ""))
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.0")
    validate(doc)  # raises on an invalid document
    items = doc["paths"]["/collections/{collectionId}/items"]["get"]
    assert {"crs", "bbox-crs", "filter", "filter-lang", "sortby", "properties"} <= \
        {p["name"] for p in items["parameters"]}
