"""Areas on the CGCS2000 ellipsoid through the equal-area projection."""

import json

import pytest
from django.db import connection

from boundaries.geo import area_km2_sql
from tests.support import county_features


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["钟山区", "漠河县", "崖州区", "乌恰县", "抚远市"])
def test_it_measures_areas_as_the_geodesic_area_does(name):
    """North, south, east and west of China: the projection's range must hold everywhere."""
    feature = county_features(names={name})[0]
    geometry = json.dumps(feature["geometry"])
    with connection.cursor() as cur:
        cur.execute(
            f"""WITH g AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON(%s), 4490) AS g)
            SELECT {area_km2_sql('g')}, ST_Area(g::geography) / 1e6 FROM g""",
            [geometry])
        projected, geodesic = cur.fetchone()
    assert geodesic > 1
    assert projected == pytest.approx(geodesic, rel=1e-4)
