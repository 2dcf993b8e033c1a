"""Synthetic townships and villages inside the real polygons of 钟山区 and 六枝特区."""

import json

import pytest
from django.core.management import call_command
from django.db import connection

from boundaries import synthetic
from boundaries.models import DivisionVersion
from tests.support import county_features

pytestmark = pytest.mark.django_db

COUNTIES = ["520201", "520203"]  # 钟山区 (a MultiPolygon), 六枝特区


@pytest.fixture(scope="module")
def features():
    # Reading the national file takes seconds: once per module.
    return county_features(codes=set(COUNTIES))


@pytest.fixture
def county_polygons(divisions_db, features):
    """The real polygons of the test counties, repaired as the importer would."""
    with connection.cursor() as cur:
        for feature in features:
            cur.execute(
                """UPDATE boundaries_divisionversion SET geometry_source = 'echarts',
                   geom = ST_Multi(ST_CollectionExtract(ST_MakeValid(
                       ST_SetSRID(ST_GeomFromGeoJSON(%s), 4490)), 3))
                   WHERE code = %s AND level = 3""",
                [json.dumps(feature["geometry"]), feature["properties"]["county_code_2023"]
                 .ljust(12, "0")],
            )
    return COUNTIES


def scalar(sql: str, params=None):
    with connection.cursor() as cur:
        cur.execute(sql, params or {})
        return cur.fetchone()[0]


def townships(county: str):
    return DivisionVersion.objects.filter(parent_code=county.ljust(12, "0"), level=4,
                                          valid_to__isnull=True)


def drawn_shapes() -> dict:
    with connection.cursor() as cur:
        cur.execute("""SELECT code, md5(ST_AsBinary(geom)) FROM boundaries_divisionversion
                       WHERE level = 4 AND geom IS NOT NULL""")
        return dict(cur.fetchall())


def test_it_draws_one_polygon_per_current_township(county_polygons):
    result = synthetic.synthesize_townships(county_codes=county_polygons)
    expected = sum(townships(c).count() for c in county_polygons)
    assert result["counties"] == 2
    assert result["townships"] == expected
    for county in county_polygons:
        towns = townships(county)
        assert towns.filter(geom__isnull=True).count() == 0
        assert set(towns.values_list("geometry_source", flat=True)) == {"synthetic"}
        assert all(t.area_km2 > 0 and t.geom.intersects(t.seat) for t in towns)


@pytest.mark.parametrize("county", COUNTIES)
def test_it_partitions_the_county_without_gaps_or_overlaps(county_polygons, county):
    synthetic.synthesize_townships(county_codes=county_polygons)
    params = {"code": county.ljust(12, "0")}
    county_km2 = scalar("""SELECT ST_Area(geom::geography) / 1e6 FROM boundaries_divisionversion
                           WHERE code = %(code)s AND level = 3""", params)
    union_km2, sum_km2 = [scalar(f"""SELECT {expr} FROM boundaries_divisionversion
                                     WHERE parent_code = %(code)s AND level = 4""", params)
                          for expr in ("ST_Area(ST_Union(geom)::geography) / 1e6",
                                       "sum(area_km2)")]
    assert abs(union_km2 - county_km2) / county_km2 < 0.01
    # areas that add up to the area of their union cannot overlap
    assert abs(sum_km2 - union_km2) / union_km2 < 1e-4
    outside = scalar("""SELECT ST_Area(ST_Difference(ST_Union(t.geom), c.geom)::geography)
                        FROM boundaries_divisionversion t, boundaries_divisionversion c
                        WHERE t.parent_code = %(code)s AND t.level = 4
                          AND c.code = %(code)s AND c.level = 3 GROUP BY c.geom""", params)
    assert outside < 1e-4 * county_km2 * 1e6


def test_it_draws_the_same_townships_every_time(county_polygons):
    synthetic.synthesize_townships(county_codes=county_polygons)
    first = drawn_shapes()
    synthetic.synthesize_townships(county_codes=county_polygons)
    assert drawn_shapes() == first
    assert len(first) > 20


def test_it_places_every_village_inside_its_township(county_polygons):
    synthetic.synthesize_townships(county_codes=county_polygons)
    result = synthetic.synthesize_villages(county_codes=county_polygons)
    villages = DivisionVersion.objects.filter(
        level=5, valid_to__isnull=True,
        code__regex=r"^(" + "|".join(county_polygons) + ")")
    assert result["villages"] == villages.count()
    assert villages.count() > 100
    assert villages.filter(seat__isnull=True).count() == 0
    assert scalar("""SELECT count(*) FROM boundaries_divisionversion v
                     JOIN boundaries_divisionversion t ON t.code = v.parent_code AND t.level = 4
                     WHERE v.level = 5 AND v.seat IS NOT NULL
                       AND NOT ST_Covers(t.geom, v.seat)""") == 0


def test_it_leaves_a_county_with_real_township_polygons_alone(county_polygons):
    town = townships(COUNTIES[0]).order_by("code").first()
    with connection.cursor() as cur:
        cur.execute("""UPDATE boundaries_divisionversion
                       SET geom = ST_Multi(ST_Buffer(c.pt, 0.01)), geometry_source = 'survey'
                       FROM (SELECT ST_PointOnSurface(geom) AS pt FROM boundaries_divisionversion
                             WHERE code = %s AND level = 3) c WHERE id = %s""",
                    [COUNTIES[0].ljust(12, "0"), town.id])
    result = synthetic.synthesize_townships(county_codes=county_polygons)
    assert result["counties"] == 1
    assert townships(COUNTIES[0]).filter(geom__isnull=False).count() == 1


def test_it_writes_only_with_commit_through_the_command(county_polygons, capsys):
    call_command("synthesize_divisions", "--counties", COUNTIES[0], "--json")
    dry = json.loads(capsys.readouterr().out)
    assert dry["townships"]["townships"] == townships(COUNTIES[0]).count()
    assert townships(COUNTIES[0]).filter(geom__isnull=False).count() == 0
    call_command("synthesize_divisions", "--counties", COUNTIES[0], "--commit", "--json")
    assert townships(COUNTIES[0]).filter(geom__isnull=True).count() == 0
    assert townships(COUNTIES[1]).filter(geom__isnull=False).count() == 0
