"""Demo place names for the five seed cities: synthetic but plausible, and deterministic.

Streets, roads and lanes lie in each city's urban districts, residential
communities beside them; 人民路 exists in every city and never twice in one (as in
real cities), homophones are avoided within a city. A few streets were renamed
(their old names stay as 曾用名, with events and a decision number), a few real
ancient villages are on the heritage list (positions are only indicative), and
some streets have signs: some still showing the old name, one with a wrong
romanization. The same database always gets the same names and shapes: names
come from seeded generators, points from ST_GeneratePoints with a seed.
"""

import math
import random
from datetime import date

from django.contrib.gis.geos import LineString, Point, Polygon
from django.db import connection, transaction
from tqdm import tqdm

from accounts.services import system_actor
from gazetteer import services
from gazetteer import signs as sign_services
from gazetteer.models import Place
from gazetteer.names import toneless
from gazetteer.services import NewPlace

CITIES = {
    "5202": ("六盘水", ["520201", "520204"], ["钟山", "凉都", "荷城", "德坞", "明湖", "水西",
                                            "黄土坡", "荷泉", "麒麟", "红桥"]),
    "1401": ("太原", ["140105", "140106", "140107", "140109", "140110"],
             ["迎泽", "并州", "龙城", "汾河", "府东", "桃园", "双塔", "晋阳", "漪汾", "长风"]),
    "5203": ("遵义", ["520302", "520303"], ["凤凰", "湘江", "红军", "播州", "丁字口", "老城",
                                          "碧云", "沙河", "珠海", "北京"]),
    "3305": ("湖州", ["330502", "330503"], ["苕溪", "仁皇山", "凤凰", "南浔", "太湖", "龙溪",
                                          "吴兴", "衣裳街", "爱山", "红丰"]),
    "4407": ("江门", ["440703", "440704", "440705"], ["蓬江", "白沙", "堤东", "五邑", "迎宾",
                                                    "江华", "篁庄", "北郊", "胜利", "港口"]),
}
COMMON = ["解放", "中山", "建设", "胜利", "和平", "文化", "新华", "光明", "团结", "幸福", "红旗",
          "东风", "民主", "友谊", "青年", "健康", "育才", "环城", "滨河", "工农"]
DIRECTIONS = ["", "", "", "东", "西", "南", "北", "中"]
ROAD_GENERICS = [("road", "路"), ("road", "路"), ("road", "路"), ("road", "大道"),
                 ("street", "街"), ("lane", "巷")]
RESIDENTIAL_GENERICS = ["小区", "花园", "苑", "家园"]
# Real ancient villages (千年古村落 and the like) of the seed cities, at indicative positions.
HERITAGE = [
    ("5202", "520281", "妥乐村", "以古银杏群闻名的古村落"),
    ("1401", "140110", "店头村", "晋源区石头古堡村落"),
    ("5203", "520381", "丙安村", "赤水河畔古场镇村落"),
    ("3305", "330503", "荻港村", "南浔区桑基鱼塘古村落"),
    ("4407", "440783", "自力村", "开平碉楼与村落"),
]
STREETS_PER_CITY = 36
RESIDENTIAL_PER_CITY = 10


def plan_names(city: str) -> list[tuple[str, str]]:
    """(class slug, name) for one city: deterministic, 人民路 once, no homophones."""
    rng = random.Random(f"gazetteer-demo-{city}")
    _, _, local = CITIES[city]
    chosen, keys = [("road", "人民路")], {toneless("人民路")}
    pool = local + COMMON
    while len(chosen) < STREETS_PER_CITY:
        slug, generic = rng.choice(ROAD_GENERICS)
        name = rng.choice(pool) + rng.choice(DIRECTIONS) + generic
        if toneless(name) not in keys and not name.startswith("人民"):
            keys.add(toneless(name))
            chosen.append((slug, name))
    while len(chosen) < STREETS_PER_CITY + RESIDENTIAL_PER_CITY:
        name = rng.choice(pool) + rng.choice(["", "新", "锦", "雅"]) + rng.choice(
            RESIDENTIAL_GENERICS)
        if toneless(name) not in keys:
            keys.add(toneless(name))
            chosen.append(("residential", name))
    return chosen


POINTS_SQL = """
SELECT code, ST_X(p.geom), ST_Y(p.geom)
FROM boundaries_divisionversion d,
     LATERAL ST_Dump(ST_GeneratePoints(d.geom, %(n)s, %(seed)s)) AS p
WHERE d.code = ANY(%(codes)s) AND d.level = 3 AND d.valid_to IS NULL AND d.geom IS NOT NULL
ORDER BY code, p.path
"""


def county_points(codes: list[str], n: int) -> dict[str, list[tuple[float, float]]]:
    """n seeded random points inside each county that has a polygon."""
    found: dict[str, list] = {}
    with connection.cursor() as cur:
        cur.execute(POINTS_SQL, {"n": n, "seed": 4490, "codes": [c.ljust(12, "0") for c in codes]})
        for code, x, y in cur.fetchall():
            found.setdefault(code[:6], []).append((x, y))
    return found


def street_line(x: float, y: float, rng: random.Random) -> LineString:
    """A street of 0.6–2.5 km with one bend, starting at (x, y)."""
    km, angle = rng.uniform(0.6, 2.5), rng.uniform(0, math.pi)
    dy = math.sin(angle) * km / 111.32
    dx = math.cos(angle) * km / 111.32 / math.cos(math.radians(y))
    bend = rng.uniform(-0.15, 0.15)
    mid = (x + dx / 2 - dy * bend, y + dy / 2 + dx * bend)
    return LineString((x, y), mid, (x + dx, y + dy), srid=4490)


def block(x: float, y: float, rng: random.Random) -> Polygon:
    """A residential block of roughly 300 × 250 m."""
    w, h = rng.uniform(0.0025, 0.0035), rng.uniform(0.002, 0.0028)
    return Polygon(((x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)), srid=4490)


def city_places(city: str, points: dict[str, list]) -> list[NewPlace]:
    _, urban, _ = CITIES[city]
    spots = [pt for code in urban for pt in points.get(code, [])]
    if not spots:
        return []
    rng = random.Random(f"gazetteer-demo-geom-{city}")
    places = []
    for i, (slug, name) in enumerate(plan_names(city)):
        x, y = spots[i % len(spots)]
        geom = block(x, y, rng) if slug == "residential" else street_line(x, y, rng)
        places.append(NewPlace(
            name=name, place_class=slug, geom=geom,
            valid_from=date(rng.randint(1978, 2000), rng.randint(1, 12), 1),
            meaning="演示数据（合成）",
            document_number=f"{CITIES[city][0]}地名〔{2000 + i % 20}〕{i + 1}号"))
    return places


def heritage_places(points: dict[str, list]) -> list[NewPlace]:
    found = []
    for _, county, name, meaning in HERITAGE:
        if county not in points:
            continue
        x, y = points[county][-1]
        found.append(NewPlace(
            name=name, place_class="natural_village", geom=Point(x, y, srid=4490),
            valid_from=date(1949, 10, 1), meaning=f"{meaning}（演示数据：位置为示意）",
            heritage_category="千年古村落", heritage_listed_on=date(2019, 12, 1),
            variants=[("alias", name.removesuffix("村") + "古村")]))
    return found


RENAMES = [  # (index in the city's plan, new specific suffix, year, reason)
    (5, "新", 2009, "道路拓宽改造后重新命名"),
    (11, "兴", 2014, "消除同音重名"),
]


def rename_some(city: str, places: list[Place], actor) -> list[tuple[Place, str]]:
    """A few renamings through the service (checks, former name, event): (place, old name)."""
    renamed = []
    for index, prefix, year, reason in RENAMES:
        if index >= len(places) or places[index].place_class.slug == "residential":
            continue
        old_name = places[index].name
        place = services.place_rename(
            place_id=places[index].id, new_name=prefix + old_name,
            effective_date=date(year, 6, 1),
            document_number=f"{CITIES[city][0]}府函〔{year}〕{index}号", reason=reason,
            actor=actor)
        renamed.append((place, old_name))
    return renamed


def signs_for(city: str, places: list[Place], renamed: list[tuple[Place, str]]) -> list[dict]:
    signs = []
    for i, place in enumerate(places):
        if place.place_class.slug == "residential" or i % 3:
            continue
        start = place.geom.coords[0]
        signs.append({"code": f"{city}-{i:04d}", "place_id": place.id,
                      "location": Point(*start, srid=4490), "installed_on": date(2018, 9, 1)})
    for j, (place, old_name) in enumerate(renamed):
        # Put up before the renaming and never replaced: listed for replacement.
        signs.append({"code": f"{city}-R{j}", "place_id": place.id,
                      "location": Point(*place.geom.coords[-1], srid=4490),
                      "text": old_name, "installed_on": date(2005, 3, 1),
                      "romanization": services.name_fields(
                          old_name, place.place_class)["romanization"]})
    if places:
        first = places[0]
        signs.append({"code": f"{city}-X0", "place_id": first.id,
                      "location": Point(*first.geom.coords[-1], srid=4490),
                      # An English generic: what the checks on signs are there to catch.
                      "romanization": first.romanization.removesuffix(" Lu") + " Road",
                      "installed_on": date(2016, 4, 1)})
    return signs


@transaction.atomic
def load(*, progress: bool = False) -> dict:
    """Write the demo places into a gazetteer with none; otherwise do nothing."""
    with connection.cursor() as cur:
        cur.execute("LOCK TABLE gazetteer_place IN SHARE ROW EXCLUSIVE MODE")
    held = Place.objects.count()
    if held:
        return {"skipped": held}
    urban = sorted({c for _, codes, _ in CITIES.values() for c in codes}
                   | {county for _, county, _, _ in HERITAGE})
    points = county_points(urban, STREETS_PER_CITY + RESIDENTIAL_PER_CITY)
    totals = {"places": 0, "renamed": 0, "signs": 0, "cities": 0}
    actor = system_actor()  # the demo is loaded, not named by anyone
    for city in tqdm(CITIES, desc="demo places", disable=not progress):
        created = services.places_create(places=city_places(city, points), actor=actor)
        if not created:
            continue
        created = list(Place.objects.select_related("place_class").filter(
            id__in=[p.id for p in created]).order_by("id"))
        renamed = rename_some(city, created, actor)
        signs = sign_services.signs_create(signs=signs_for(city, created, renamed),
                                           actor=actor)
        totals["cities"] += 1
        totals["places"] += len(created)
        totals["renamed"] += len(renamed)
        totals["signs"] += len(signs)
    heritage = services.places_create(places=heritage_places(points), actor=actor)
    totals["heritage"] = len(heritage)
    totals["places"] += len(heritage)
    return totals
