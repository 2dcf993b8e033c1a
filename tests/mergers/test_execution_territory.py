"""Changes that move land: a split (析置), a new 街道 made of villages of two townships
(增设街道), a boundary adjustment by villages and by a drawn area, and a county's kind
change with its new code (撤县设市, as 盘县 520222 became 盘州市 520281)."""

import json

import pytest
from django.db import connection

from boundaries.models import BoundaryMarker, DivisionEvent, DivisionVersion
from boundaries.temporal import in_force
from gazetteer.models import PlaceDivision

from .conftest import BEFORE, EFFECTIVE, ZHONGSHAN

DAHE, DAWAN, MUGUO = "520201101000", "520201103000", "520201104000"
MEITAN = "520328000000"  # 湄潭县, 遵义市: 520381 赤水市 and 520382 仁怀市 are in force


def town(code: str, on, level: int = 4) -> DivisionVersion:
    return DivisionVersion.objects.filter(code=code, level=level).filter(in_force(on)).get()


def villages(parent: str, on) -> list[DivisionVersion]:
    return list(DivisionVersion.objects.filter(level=5, parent_code=parent)
                .filter(in_force(on)).order_by("code"))


def covers(code: str, level: int, on, point) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_Covers(geom, %s::geometry) FROM boundaries_divisionversion "
                    "WHERE code = %s AND level = %s AND (valid_from IS NULL OR valid_from <= %s)"
                    " AND (valid_to IS NULL OR valid_to > %s)",
                    [point.hexewkb.decode(), code, level, on, on])
        return cur.fetchone()[0]


def test_it_splits_a_new_township_out_of_one_with_its_villages_land(carry_out):
    old = town(DAHE, BEFORE)
    kids = villages(DAHE, BEFORE)
    leaving = kids[:3]
    county_area = town(ZHONGSHAN, BEFORE, 3).area_km2
    change = carry_out([{"op": "split", "villages": [v.code for v in leaving],
                         "name": "新河镇", "kind": "镇", "seat": leaving[0].code}],
                       kind="split")
    new = DivisionVersion.objects.get(level=4, name="新河镇", valid_to__isnull=True)
    rest = town(DAHE, EFFECTIVE)
    # the two tile the old township: same county, areas adding up, a code in the 镇 range
    assert new.parent_code == ZHONGSHAN and 100 <= int(new.code[6:9]) <= 199
    assert new.area_km2 + rest.area_km2 == pytest.approx(old.area_km2, abs=0.01)
    assert 0 < new.area_km2 < old.area_km2 and new.seat == leaving[0].seat
    assert town(ZHONGSHAN, EFFECTIVE, 3).area_km2 == pytest.approx(county_area, abs=0.05)
    moved = villages(new.code, EFFECTIVE)
    assert [v.name for v in moved] == [v.name for v in leaving]
    assert all(v.code.startswith(new.code[:9]) for v in moved)
    assert [v.code for v in villages(DAHE, EFFECTIVE)] == [v.code for v in kids[3:]]
    event = DivisionEvent.objects.get(kind="split", inputs=old)
    assert set(event.outputs.values_list("id", flat=True)) == {new.id, rest.id}
    assert change.result["codes"][leaving[0].code] == moved[0].code
    # a village keeps standing in the township it now belongs to
    inside = [v for v in moved if covers(DAHE, 4, BEFORE, v.seat)]
    assert inside and all(covers(new.code, 4, EFFECTIVE, v.seat) for v in inside)


def test_it_establishes_a_subdistrict_out_of_villages_of_two_townships(carry_out, client):
    olds = [town(DAHE, BEFORE), town(MUGUO, BEFORE)]
    taking = [villages(DAHE, BEFORE)[0], villages(MUGUO, BEFORE)[0]]
    carry_out([{"op": "split", "villages": [v.code for v in taking], "name": "钟新街道",
                "kind": "街道"}], kind="establish_street", subkind="增设街道")
    new = DivisionVersion.objects.get(level=4, name="钟新街道", valid_to__isnull=True)
    assert 1 <= int(new.code[6:9]) <= 99  # 街道 001–099
    rests = [town(o.code, EFFECTIVE) for o in olds]
    assert new.area_km2 + sum(r.area_km2 for r in rests) == pytest.approx(
        sum(o.area_km2 for o in olds), abs=0.01)
    event = DivisionEvent.objects.get(kind="establish", outputs=new)
    assert set(event.inputs.values_list("code", flat=True)) == {DAHE, MUGUO}
    assert event.subkind == "增设街道"
    body = client.get(f"/api/v1/divisions/{new.code[:9]}/lineage").json()
    assert {p["code"] for p in body["predecessors"]} == {DAHE, MUGUO}
    assert client.get(f"/api/v1/divisions/{new.code[:9]}?as_of={BEFORE}").status_code == 404


def test_it_moves_land_between_townships_by_villages(carry_out):
    source, target = town(DAWAN, BEFORE), town(DAHE, BEFORE)
    passing = villages(DAWAN, BEFORE)[-1]
    carry_out([{"op": "boundary", "source": DAWAN[:9], "to": DAHE[:9],
                "villages": [passing.code]}], kind="boundary")
    gave, grew = town(DAWAN, EFFECTIVE), town(DAHE, EFFECTIVE)
    moved = source.area_km2 - gave.area_km2
    assert moved > 0.01
    assert grew.area_km2 == pytest.approx(target.area_km2 + moved, abs=0.01)
    assert [v.name for v in villages(DAHE, EFFECTIVE)][-1] == passing.name
    event = DivisionEvent.objects.get(kind="boundary", inputs=source)
    assert set(event.outputs.values_list("id", flat=True)) == {gave.id, grew.id}


def test_it_moves_a_drawn_area_with_the_villages_standing_in_it(carry_out):
    source = town(DAWAN, BEFORE)
    village = villages(DAWAN, BEFORE)[0]
    with connection.cursor() as cur:  # a 2 km disc around the village, inside 大湾镇
        cur.execute("SELECT ST_AsGeoJSON(ST_Intersection(ST_SetSRID(ST_Buffer(%s::geography, 2000)"
                    "::geometry, 4490), geom)) FROM boundaries_divisionversion WHERE id = %s",
                    [village.seat.hexewkb.decode(), source.id])
        area = json.loads(cur.fetchone()[0])
    if area["type"] == "GeometryCollection":
        pytest.skip("the disc falls apart on this polygon")
    carry_out([{"op": "boundary", "source": DAWAN, "to": DAHE[:9], "area": area}],
              kind="boundary")
    moved = source.area_km2 - town(DAWAN, EFFECTIVE).area_km2
    assert 0 < moved <= 3.1416 * 4 * 1.01
    assert village.name in {v.name for v in villages(DAHE, EFFECTIVE)}


@pytest.mark.parametrize("operation, detail", [
    ({"op": "split", "villages": "all", "name": "全镇", "kind": "镇"}, "merge it instead"),
    ({"op": "split", "villages": [], "name": "两县镇", "kind": "镇"}, "more than one county"),
    ({"op": "boundary", "source": DAWAN, "to": DAHE, "area": {"type": "Point",
                                                           "coordinates": [104.8, 26.6]}},
     "Polygon"),
    ({"op": "boundary", "source": DAWAN, "to": DAHE}, "name the villages"),
])
def test_it_refuses_a_land_change_that_cannot_be_carried_out(carry_out, operation, detail):
    from config.errors import BadRequest
    if operation.get("villages") == "all":
        operation["villages"] = [v.code for v in villages(DAWAN, BEFORE)]
    elif operation["op"] == "split":
        operation["villages"] = [villages(DAWAN, BEFORE)[0].code,
                                 villages("520204202000", BEFORE)[0].code]
    before = DivisionVersion.objects.count()
    with pytest.raises(BadRequest, match=detail):
        carry_out([operation], kind=operation["op"])
    assert DivisionVersion.objects.count() == before


def test_it_gives_a_county_that_becomes_a_city_a_code_in_the_city_range(carry_out, client):
    old = town(MEITAN, BEFORE, 3)
    towns = list(DivisionVersion.objects.filter(level=4, parent_code=MEITAN)
                 .filter(in_force(BEFORE)).order_by("code"))
    kids = villages(towns[0].code, BEFORE)
    change = carry_out([{"op": "kind_change", "unit": "520328", "kind": "县级市",
                         "name": "湄潭市"}], kind="kind_change", subkind="撤县设市")
    cities = DivisionVersion.objects.filter(level=3, code__startswith="5203", kind="县级市") \
        .filter(in_force(BEFORE))
    new = DivisionEvent.objects.get(kind="kind_change", inputs=old).outputs.get()
    assert new.name == "湄潭市" and new.kind == "县级市" and new.valid_from == EFFECTIVE
    # the county's lines are the same lines with new codes: their markers stay in service
    assert change.result["markers_historical"] == 0
    assert BoundaryMarker.objects.filter(lines__left_code=new.code).exists() \
        or BoundaryMarker.objects.filter(lines__right_code=new.code).exists()
    assert int(new.code[4:6]) == max(int(c.code[4:6]) for c in cities) + 1  # 520383
    assert new.area_km2 == old.area_km2 and new.parent_code == old.parent_code
    recoded = list(DivisionVersion.objects.filter(level=4, parent_code=new.code)
                   .filter(in_force(EFFECTIVE)).order_by("code"))
    assert [t.code[6:] for t in recoded] == [t.code[6:] for t in towns]
    assert [t.name for t in recoded] == [t.name for t in towns]
    assert [v.code[6:] for v in villages(recoded[0].code, EFFECTIVE)] == \
        [v.code[6:] for v in kids]
    assert client.get(f"/api/v1/divisions/520328?as_of={BEFORE}").json()["name"] == "湄潭县"
    assert client.get(f"/api/v1/divisions/{new.code[:6]}?as_of={EFFECTIVE}").json()["name"] \
        == "湄潭市"
    crosswalk = [r for offset in range(0, 5000, 1000) for r in client.get(
        f"/api/v1/divisions/crosswalk?limit=1000&offset={offset}").json()]
    row = next(r for r in crosswalk if r["retired_code"] == towns[0].code)
    assert [s["code"] for s in row["successors"]] == [recoded[0].code]
    # places under the county now point at the city and its recoded townships
    refs = PlaceDivision.objects.filter(division_code=MEITAN, level=3)
    if refs.exists():
        place = refs.first().place_id
        now = set(PlaceDivision.objects.filter(place_id=place, valid_to__isnull=True)
                  .values_list("division_code", "level"))
        assert (new.code, 3) in now and (MEITAN, 3) not in now
