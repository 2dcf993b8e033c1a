"""The seed's real changes of 六盘水, replayed on the demo: a township moved from 钟山区
to 水城区 (as 老鹰山镇 was), one moved the other way (as 双戛乡), one village moved (as
高炉村) and a rename — each checked for geometry, hierarchy, codes and history."""

import pytest

from boundaries.models import DivisionEvent, DivisionVersion
from boundaries.temporal import in_force
from gazetteer.models import PlaceDivision

from .conftest import BEFORE, EFFECTIVE, SHUICHENG, ZHONGSHAN, inside

DAHE = "520201101000"      # 大河镇, 钟山区: borders 水城区
YINGPAN = "520204202000"   # 营盘苗族彝族白族乡, 水城区: borders 钟山区


def county(code: str, on):
    return DivisionVersion.objects.filter(code=code, level=3).filter(in_force(on)).get()


def township(code: str, on):
    return DivisionVersion.objects.filter(code=code, level=4).filter(in_force(on)).get()


def villages(parent: str, on) -> list[DivisionVersion]:
    return list(DivisionVersion.objects.filter(level=5, parent_code=parent)
                .filter(in_force(on)).order_by("code"))


def successor(old: DivisionVersion) -> DivisionVersion:
    event = DivisionEvent.objects.get(inputs=old, kind="transfer")
    return event.outputs.get()


def _moves_township(carry_out, unit: str, source: str, target: str):
    moved_area = township(unit, BEFORE).area_km2
    before = {c: county(c, BEFORE).area_km2 for c in (source, target)}
    old_villages = villages(unit, BEFORE)
    change = carry_out([{"op": "transfer", "unit": unit[:9], "to": target[:6]}],
                       kind="transfer")
    old = DivisionVersion.objects.get(code=unit, level=4)
    assert old.valid_to == EFFECTIVE
    new = successor(old)
    after = {c: county(c, EFFECTIVE).area_km2 for c in (source, target)}
    # the counties' areas change by exactly the moved area (polygons: unions of townships)
    assert after[source] == pytest.approx(before[source] - moved_area, abs=0.05)
    assert after[target] == pytest.approx(before[target] + moved_area, abs=0.05)
    assert county(source, EFFECTIVE).valid_from == EFFECTIVE
    # hierarchy and codes: the township is the target's, coded in its range for its kind
    assert new.parent_code == target and new.code.startswith(target[:6])
    assert new.name == old.name and new.kind == old.kind and new.area_km2 == old.area_km2
    siblings = DivisionVersion.objects.filter(level=4, parent_code=target, kind=new.kind) \
        .filter(in_force(BEFORE))
    assert int(new.code[6:9]) == max(int(s.code[6:9]) for s in siblings) + 1
    moved = villages(new.code, EFFECTIVE)
    assert [v.name for v in moved] == [v.name for v in old_villages]
    assert [v.code[9:] for v in moved] == [v.code[9:] for v in old_villages]
    assert all(v.code.startswith(new.code[:9]) for v in moved)
    assert not villages(unit, EFFECTIVE)
    assert change.result["codes"][unit] == new.code
    return old, new


def test_it_moves_a_township_from_zhongshan_to_shuicheng(carry_out, client):
    point = inside(DAHE)
    old, new = _moves_township(carry_out, DAHE, ZHONGSHAN, SHUICHENG)

    def reverse(on):
        body = client.get(f"/api/v1/reverse?lon={point.x}&lat={point.y}&as_of={on}").json()
        return {d["level"]: d["code"] for d in body["divisions"]}
    assert reverse(BEFORE)["county"] == ZHONGSHAN and reverse(BEFORE)["township"] == DAHE
    assert reverse(EFFECTIVE)["county"] == SHUICHENG
    assert reverse(EFFECTIVE)["township"] == new.code
    body = client.get(f"/api/v1/divisions/{new.code[:9]}?as_of={EFFECTIVE}").json()
    assert [a["code"] for a in body["ancestors"]][-1] == SHUICHENG
    lineage = client.get(f"/api/v1/divisions/{DAHE[:9]}/lineage").json()
    assert new.code in {s["code"] for s in lineage["successors"]}


def test_it_moves_a_township_from_shuicheng_to_zhongshan(carry_out):
    old, new = _moves_township(carry_out, YINGPAN, SHUICHENG, ZHONGSHAN)
    assert 200 <= int(new.code[6:9]) <= 399  # a 乡 stays in the 乡 range


def test_it_rereferences_places_of_a_moved_township_to_the_new_county(carry_out,
                                                                     make_place_in):
    place = make_place_in(DAHE, "大河路")
    _, new = _moves_township(carry_out, DAHE, ZHONGSHAN, SHUICHENG)
    current = set(PlaceDivision.objects.filter(place=place, valid_to__isnull=True)
                  .values_list("division_code", "level"))
    assert {(new.code, 4), (SHUICHENG, 3), ("520200000000", 2)} <= current
    ended = set(PlaceDivision.objects.filter(place=place, valid_to=EFFECTIVE)
                .values_list("division_code", "level"))
    assert ended == {(DAHE, 4), (ZHONGSHAN, 3)}


def test_it_moves_one_village_to_a_township_of_the_other_county(carry_out, client):
    village = villages(YINGPAN, BEFORE)[0]
    target_before = villages(DAHE, BEFORE)
    areas = {c: county(c, BEFORE).area_km2 for c in (ZHONGSHAN, SHUICHENG)}
    carry_out([{"op": "transfer", "unit": village.code, "to": DAHE[:9]}], kind="transfer")
    village.refresh_from_db()
    assert village.valid_to == EFFECTIVE
    moved = successor(village)
    assert moved.parent_code == DAHE and moved.code.startswith(DAHE[:9])
    assert moved.name == village.name and moved.seat == village.seat
    same_kind = [v for v in target_before if v.kind == village.kind]
    low = 200 if village.kind == "村委会" else 1
    assert int(moved.code[9:]) == max([int(v.code[9:]) for v in same_kind] or [low - 1]) + 1
    assert len(villages(DAHE, EFFECTIVE)) == len(target_before) + 1
    # the village takes its land (its cell among 营盘's villages): the townships and the
    # counties change by exactly that area
    given = township(YINGPAN, BEFORE).area_km2 - township(YINGPAN, EFFECTIVE).area_km2
    assert given > 0.01
    assert township(DAHE, EFFECTIVE).area_km2 == pytest.approx(
        township(DAHE, BEFORE).area_km2 + given, abs=0.01)
    assert county(ZHONGSHAN, EFFECTIVE).area_km2 == pytest.approx(areas[ZHONGSHAN] + given,
                                                                  abs=0.05)
    assert county(SHUICHENG, EFFECTIVE).area_km2 == pytest.approx(areas[SHUICHENG] - given,
                                                                  abs=0.05)
    event = DivisionEvent.objects.get(kind="boundary", inputs=township(YINGPAN, BEFORE))
    assert set(event.outputs.values_list("code", flat=True)) == {YINGPAN, DAHE}
    body = client.get(f"/api/v1/divisions/{village.code}?as_of={BEFORE}").json()
    assert body["ancestors"][-1]["code"] == YINGPAN
    crosswalk = client.get("/api/v1/divisions/crosswalk?limit=1000").json()
    row = next(r for r in crosswalk if r["retired_code"] == village.code)
    assert [s["code"] for s in row["successors"]] == [moved.code]


def test_it_moves_a_village_without_its_land_when_asked(carry_out):
    village = villages(YINGPAN, BEFORE)[1]
    areas = {c: county(c, BEFORE).area_km2 for c in (ZHONGSHAN, SHUICHENG)}
    carry_out([{"op": "transfer", "unit": village.code, "to": DAHE[:9], "with_area": False}],
              kind="transfer")
    assert successor(village).parent_code == DAHE
    assert {c: county(c, EFFECTIVE).area_km2 for c in areas} == areas
    assert township(YINGPAN, EFFECTIVE).valid_from != EFFECTIVE  # not even a new version


def test_it_renames_a_township_keeping_its_code_and_its_villages(carry_out, client):
    old = township("520201105000", BEFORE)
    kids = villages(old.code, BEFORE)
    carry_out([{"op": "rename", "unit": "520201105", "name": "保华新镇"}], kind="rename")
    old.refresh_from_db()
    new = township(old.code, EFFECTIVE)
    assert old.valid_to == EFFECTIVE and new.name == "保华新镇" and new.code == old.code
    assert villages(old.code, EFFECTIVE) == kids  # referenced by code: untouched
    event = DivisionEvent.objects.get(kind="rename", outputs=new)
    assert list(event.inputs.all()) == [old]
    assert client.get(f"/api/v1/divisions/520201105?as_of={BEFORE}").json()["name"] == "保华镇"
    assert client.get(f"/api/v1/divisions/520201105?as_of={EFFECTIVE}").json()["name"] \
        == "保华新镇"
    found = client.get("/api/v1/divisions?q=保华新镇").json()["items"]
    assert found and found[0]["code"] == old.code


def test_it_changes_a_township_kind_with_a_code_in_the_new_range(carry_out):
    old = township(YINGPAN, BEFORE)
    carry_out([{"op": "kind_change", "unit": YINGPAN[:9], "kind": "镇", "name": "营盘镇"}],
              kind="kind_change", subkind="撤乡设镇")
    new = DivisionEvent.objects.get(kind="kind_change", inputs=old).outputs.get()
    assert new.kind == "镇" and 100 <= int(new.code[6:9]) <= 199
    assert DivisionEvent.objects.get(kind="kind_change", inputs=old).subkind == "撤乡设镇"
    assert len(villages(new.code, EFFECTIVE)) == len(villages(YINGPAN, BEFORE))
