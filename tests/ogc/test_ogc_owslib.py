"""OWSLib's ogcapi.features client, written by others, reads every collection through the
live server (tests/ogc/conftest.py), with crs and filter."""

import json

import pytest
from owslib.ogcapi.features import Features
from pyproj import Transformer

EPSG = "http://www.opengis.net/def/crs/EPSG/0/"
pytestmark = pytest.mark.django_db  # the test database, also when this module runs alone


@pytest.fixture(scope="module")
def api(server):
    return Features(server)


def test_it_declares_the_conformance_classes_owslib_reads(api):
    classes = api.conformance()["conformsTo"]
    for part in ("ogcapi-features-1/1.0/conf/core", "ogcapi-features-1/1.0/conf/html",
                 "ogcapi-features-1/1.0/conf/oas30", "ogcapi-features-2/1.0/conf/crs",
                 "ogcapi-features-3/1.0/conf/filter", "cql2/1.0/conf/basic-cql2"):
        assert any(c.endswith(part) for c in classes), part


def test_it_reads_every_collection_with_crs_and_filter(api):
    ids = [c["id"] for c in api.collections()["collections"]]
    for cid in ids:
        crs = api.collection(cid)["crs"]
        assert EPSG + "4523" in crs
        queryables = api.collection_queryables(cid)["properties"]
        assert "valid_from" in queryables
        body = api.collection_items(cid, crs=EPSG + "4523", limit=5,
                                    filter="valid_to IS NULL")
        assert body["type"] == "FeatureCollection"


def test_it_reads_filtered_projected_points(api):
    body = api.collection_items("places-points", crs=EPSG + "4523",
                                filter="name LIKE '钟山%' AND division = '520201'")
    assert [f["properties"]["name"] for f in body["features"]] == ["钟山西路"]
    north, east = Transformer.from_crs(4490, 4523).transform(26.59, 104.83)
    assert body["features"][0]["geometry"]["coordinates"] == pytest.approx([north, east],
                                                                            abs=0.001)
    cql = {"op": "=", "args": [{"property": "name"}, "荷城路"]}
    found = api.collection_items("places-points", filter=json.dumps(cql, ensure_ascii=False),
                                 **{"filter-lang": "cql2-json"})
    assert [f["properties"]["name"] for f in found["features"]] == ["荷城路"]


BOTH = ["荷城路", "钟山西路"]


@pytest.mark.parametrize("declared, expression, expected", [
    ("basic-cql2", "NOT (name <> '荷城路') AND valid_from >= DATE('2001-01-01')", ["荷城路"]),
    ("advanced-comparison-operators", "name LIKE '钟山%' OR name IN ('荷城路', '凉都')", BOTH),
    ("advanced-comparison-operators",
     "valid_from BETWEEN DATE('2000-01-01') AND DATE('2001-01-01') AND valid_to IS NULL", BOTH),
    ("basic-spatial-functions", "S_INTERSECTS(geometry, POLYGON((104.835 26.58, 104.845 26.58, "
                                "104.845 26.6, 104.835 26.6, 104.835 26.58)))", ["荷城路"]),
    ("spatial-functions", "S_DWITHIN(geometry, POINT(104.83 26.59), 100, meters)", ["钟山西路"]),
    ("temporal-functions", "T_AFTER(valid_from, DATE('2000-12-31')) AND NOT "
                           "T_AFTER(valid_from, DATE('2001-01-01'))", BOTH),
])
def test_it_answers_owslib_a_filter_of_each_declared_cql2_class(api, declared, expression,
                                                                  expected):
    assert any(c.endswith(f"/cql2/1.0/conf/{declared}")
               for c in api.conformance()["conformsTo"])
    body = api.collection_items("places-points", filter=expression, limit=100)
    assert sorted(f["properties"]["name"] for f in body["features"]) == expected
