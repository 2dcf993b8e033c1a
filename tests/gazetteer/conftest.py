"""Gazetteer fixtures: real county polygons of 六盘水 and a few real-looking places."""

import json

import pytest
from django.contrib.gis.geos import LineString, Point
from django.db import connection

from gazetteer import services
from gazetteer.services import NewPlace
from tests.conftest import county_features

# Real polygons as named in the file; 水城县 is the 2023 水城区 520204.
POLYGONS = {"钟山区": "520201", "水城县": "520204"}


@pytest.fixture(scope="session")
def lps_features() -> list[dict]:
    # Reading the national file takes seconds: once per session.
    return [f for f in county_features(names=set(POLYGONS))
            if f["properties"]["city_code"] == "5202"]


@pytest.fixture
def lps_polygons(divisions_db, lps_features):
    """The real polygons of 钟山区 and 水城区 on their current county versions."""
    with connection.cursor() as cur:
        for feature in lps_features:
            cur.execute(
                "UPDATE boundaries_divisionversion SET geom = ST_Multi(ST_CollectionExtract("
                "ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4490)), 3)) "
                "WHERE code = %s AND level = 3 AND valid_to IS NULL",
                [json.dumps(feature["geometry"]), POLYGONS[feature["properties"]["name"]]
                 .ljust(12, "0")])
    return {name: code for name, code in POLYGONS.items()}


def inside(code: str) -> Point:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p FROM "
                    "boundaries_divisionversion WHERE code = %s AND level = 3 "
                    "AND valid_to IS NULL) t", [code.ljust(12, "0")])
        x, y = cur.fetchone()
    return Point(x, y, srid=4490)


def short_line(code: str) -> LineString:
    """A 200 m street around a point inside the county."""
    p = inside(code)
    return LineString((p.x - 0.001, p.y), (p.x + 0.001, p.y), srid=4490)


@pytest.fixture
def make_place(lps_polygons):
    def make(name, cls="road", geom=None, **kwargs):
        new = NewPlace(name=name, place_class=cls,
                       geom=geom if geom is not None else short_line("520201"), **kwargs)
        return services.places_create(places=[new])[0]
    return make
