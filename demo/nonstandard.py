"""Non-standard names planted in the demo, real in kind, for the clean-up campaigns.

What a 不规范地名清理整治 finds in a real city: grandiose, foreign-sounding and odd names
(大、洋、怪: 皇家花园, 威尼斯小区, 鬼谷巷), the same road name twice in one city (大箐路, a
common name in Guizhou), a homophone pair (石桥路 and 十桥路, both Shiqiao Lu), a repeated
generic (大箐村村), a character outside the common standard set (嵖, as in 嵖岈山), and a
sign that does not show the record's name (大青路 on 大箐路). All in 钟山区 (520201); the
campaign test of the demo (tests/campaigns) expects exactly these among its findings.
Loaded once: nothing is done when 大箐村村 is there.
"""

import random
from datetime import date

from django.contrib.gis.geos import LineString, Point, Polygon
from django.db import connection, transaction

from accounts.services import system_actor
from gazetteer import services
from gazetteer import signs as sign_services
from gazetteer.models import Place
from gazetteer.services import NewPlace

COUNTY = "520201000000"
# (class slug, name, what a campaign finds)
PLANTED = [
    ("residential", "皇家花园", "banned"),
    ("residential", "威尼斯小区", "banned"),
    ("lane", "鬼谷巷", "banned"),
    ("road", "大箐路", "duplicate"),
    ("road", "大箐路", "duplicate"),
    ("road", "石桥路", "homophone"),
    ("road", "十桥路", "homophone"),
    ("natural_village", "大箐村村", "repeated_generic"),
    ("road", "嵖岈路", "charset"),
]
SIGN = ("520201-N1", "大青路")  # on the first 大箐路
POINTS_SQL = """
SELECT ST_X(p.geom), ST_Y(p.geom)
FROM boundaries_divisionversion d, LATERAL ST_Dump(ST_GeneratePoints(d.geom, %s, 1507)) p
WHERE d.code = %s AND d.level = 3 AND d.valid_to IS NULL AND d.geom IS NOT NULL
ORDER BY p.path
"""


def _points(n: int) -> list[tuple[float, float]]:
    with connection.cursor() as cur:
        cur.execute(POINTS_SQL, [n, COUNTY])
        return cur.fetchall()


def _geom(slug: str, x: float, y: float, rng: random.Random):
    if slug == "natural_village":
        return Point(x, y, srid=4490)
    if slug == "residential":
        return Polygon(((x, y), (x + 0.003, y), (x + 0.003, y + 0.002), (x, y + 0.002),
                        (x, y)), srid=4490)
    dx, dy = rng.uniform(0.004, 0.01), rng.uniform(-0.004, 0.004)
    return LineString((x, y), (x + dx, y + dy), srid=4490)


@transaction.atomic
def load() -> dict:
    if Place.objects.filter(name="大箐村村").exists():
        return {"skipped": len(PLANTED)}
    points = _points(len(PLANTED))
    if len(points) < len(PLANTED):
        return {"skipped": 0}  # no polygon for 钟山区: nothing to plant in
    rng = random.Random("demo-nonstandard")
    actor = system_actor()
    created = services.places_create(places=[
        NewPlace(name=name, place_class=slug, geom=_geom(slug, x, y, rng),
                 valid_from=date(2003, 5, 1), meaning="演示数据（不规范地名，供清理整治）")
        for (slug, name, _), (x, y) in zip(PLANTED, points, strict=True)], actor=actor)
    road = next(p for p in created if p.name == "大箐路")
    sign_services.signs_create(signs=[{
        "code": SIGN[0], "place_id": road.id, "text": SIGN[1],
        "location": Point(*road.geom.coords[0], srid=4490), "installed_on": date(2012, 7, 1)}],
        actor=actor)
    return {"places": len(created), "signs": 1}
