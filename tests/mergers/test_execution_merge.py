"""A merger of two 钟山区 townships (大河镇, 木果镇) carried out on the demo: codes,
villages, lines, markers, places, events, and every endpoint on both sides of the date."""

from django.db import connection

from boundaries.models import (
    BoundaryLine,
    BoundaryMarker,
    DivisionEvent,
    DivisionVersion,
    MarkerStatus,
)
from boundaries.services import marker_register
from gazetteer.models import PlaceDivision

from .conftest import BEFORE, EFFECTIVE, ZHONGSHAN, inside, system

DAHE, MUGUO = "520201101000", "520201104000"
MERGE = [{"op": "merge", "townships": ["520201101", "520201104"], "name": "大木镇",
          "kind": "镇", "seat": "520201101"}]


def _inner_line() -> BoundaryLine:
    return BoundaryLine.objects.get(level=4, left_code=DAHE, right_code=MUGUO,
                                    valid_to__isnull=True)


def _marker_on(line: BoundaryLine) -> BoundaryMarker:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_LineInterpolatePoint("
                    "ST_GeometryN(geom, 1), 0.5) p FROM boundaries_boundaryline WHERE id = %s) t",
                    [line.id])
        x, y = cur.fetchone()
    return marker_register(number=line.name[:2] + "01", type="single", lines=[line],
                           position=(x, y), installed=BEFORE.replace(year=2010),
                           actor=system())


def _villages(parent: str, on) -> list[DivisionVersion]:
    from boundaries.temporal import in_force
    return list(DivisionVersion.objects.filter(level=5, parent_code=parent)
                .filter(in_force(on)).order_by("code"))


def test_it_merges_two_townships_with_a_new_code_in_range_and_recoded_villages(carry_out):
    old_villages = _villages(DAHE, BEFORE) + _villages(MUGUO, BEFORE)
    change = carry_out(MERGE, kind="merge")
    assert change.state == "executed"
    merged = DivisionVersion.objects.get(level=4, name="大木镇", valid_to__isnull=True)
    # 钟山区's 镇 are 101–105: the next free number of the range
    in_force = DivisionVersion.objects.filter(level=4, parent_code=ZHONGSHAN, kind="镇",
                                              valid_to__isnull=True).exclude(id=merged.id)
    assert merged.code[:6] == "520201" and 100 <= int(merged.code[6:9]) <= 199
    assert int(merged.code[6:9]) == max(int(v.code[6:9]) for v in in_force) + 1 \
        or merged.code[6:9] == "106"
    assert merged.valid_from == EFFECTIVE
    for code in (DAHE, MUGUO):
        old = DivisionVersion.objects.get(level=4, code=code)
        assert old.valid_to == EFFECTIVE
    new_villages = _villages(merged.code, EFFECTIVE)
    assert len(new_villages) == len(old_villages) > 0
    assert all(v.code.startswith(merged.code[:9]) for v in new_villages)
    assert len({v.code for v in new_villages}) == len(new_villages)
    assert {v.name for v in new_villages} == {v.name for v in old_villages}
    assert not _villages(DAHE, EFFECTIVE) and not _villages(MUGUO, EFFECTIVE)
    # the merged polygon is the two old ones
    olds = DivisionVersion.objects.filter(level=4, code__in=[DAHE, MUGUO],
                                          valid_to=EFFECTIVE)
    assert abs(merged.area_km2 - sum(o.area_km2 for o in olds)) < 0.01


def test_it_links_every_old_version_to_its_successor_with_approved_events(carry_out):
    change = carry_out(MERGE, kind="merge")
    merged = DivisionVersion.objects.get(level=4, name="大木镇", valid_to__isnull=True)
    event = DivisionEvent.objects.get(kind="merge", outputs=merged)
    assert not event.draft and event.approval_document == "黔府函〔2024〕1号"
    assert event.effective_date == EFFECTIVE
    assert {v.code for v in event.inputs.all()} == {DAHE, MUGUO}
    for village in _villages(merged.code, EFFECTIVE):
        linked = DivisionEvent.objects.get(outputs=village)
        (old,) = linked.inputs.all()
        assert old.name == village.name and old.valid_to == EFFECTIVE
    assert set(change.result["events"]) >= {event.id}


def test_it_ends_the_inner_line_and_gives_its_marker_a_historical_state(carry_out):
    inner = _inner_line()
    marker = _marker_on(inner)
    carry_out(MERGE, kind="merge")
    inner.refresh_from_db()
    assert inner.valid_to == EFFECTIVE
    merged = DivisionVersion.objects.get(level=4, name="大木镇", valid_to__isnull=True)
    outer = BoundaryLine.objects.filter(level=4, valid_to__isnull=True).filter(
        left_code=merged.code) | BoundaryLine.objects.filter(
        level=4, valid_to__isnull=True, right_code=merged.code)
    assert outer.count() > 0
    # no line in force still has an old township as a side
    assert not BoundaryLine.objects.filter(level=4, valid_to__isnull=True,
                                           left_code__in=[DAHE, MUGUO]).exists()
    assert not BoundaryLine.objects.filter(level=4, valid_to__isnull=True,
                                           right_code__in=[DAHE, MUGUO]).exists()
    marker.refresh_from_db()
    assert marker.retired_on == EFFECTIVE
    states = list(marker.states.order_by("valid_from"))
    assert [s.status for s in states] == [MarkerStatus.NEWLY_SET, MarkerStatus.HISTORICAL]
    assert states[0].valid_to == EFFECTIVE and states[1].position == states[0].position


def test_it_touches_only_the_lines_of_the_affected_area(carry_out):
    far = BoundaryLine.objects.filter(level=4, valid_to__isnull=True).exclude(
        left_code__startswith="520201").exclude(right_code__startswith="520201")
    before = set(far.values_list("id", flat=True))
    carry_out(MERGE, kind="merge")
    assert set(far.values_list("id", flat=True)) == before


def test_it_gives_places_in_the_merged_township_the_new_reference_from_the_date(
        carry_out, make_place_in):
    place = make_place_in(DAHE, "大河路")
    carry_out(MERGE, kind="merge")
    merged = DivisionVersion.objects.get(level=4, name="大木镇", valid_to__isnull=True)
    refs = PlaceDivision.objects.filter(place=place, level=4)
    old = refs.get(division_code=DAHE)
    new = refs.get(division_code=merged.code)
    assert old.valid_to == EFFECTIVE and new.valid_from == EFFECTIVE and new.valid_to is None
    county = PlaceDivision.objects.get(place=place, level=3)
    assert county.division_code == ZHONGSHAN and county.valid_to is None


def test_it_answers_every_endpoint_for_both_dates(carry_out, client):
    point = inside(DAHE)
    carry_out(MERGE, kind="merge")
    merged = DivisionVersion.objects.get(level=4, name="大木镇", valid_to__isnull=True)
    short = merged.code[:9]
    get = lambda url: client.get(url).json()  # noqa: E731
    assert get(f"/api/v1/divisions/520201101?as_of={BEFORE}")["name"] == "大河镇"
    assert client.get(f"/api/v1/divisions/520201101?as_of={EFFECTIVE}").status_code == 404
    assert get(f"/api/v1/divisions/{short}?as_of={EFFECTIVE}")["name"] == "大木镇"
    assert client.get(f"/api/v1/divisions/{short}?as_of={BEFORE}").status_code == 404
    kids = {c["code"] for c in get(f"/api/v1/divisions/520201/children?as_of={BEFORE}"
                                   "&limit=100")["items"]}
    kids_after = {c["code"] for c in get(f"/api/v1/divisions/520201/children?as_of={EFFECTIVE}"
                                         "&limit=100")["items"]}
    assert {DAHE, MUGUO} <= kids and merged.code not in kids
    assert merged.code in kids_after and not {DAHE, MUGUO} & kids_after
    lineage = get("/api/v1/divisions/520201101/lineage")
    assert merged.code in {s["code"] for s in lineage["successors"]}
    crosswalk = get("/api/v1/divisions/crosswalk?limit=1000")
    row = next(r for r in crosswalk if r["retired_code"] == DAHE)
    assert merged.code in {s["code"] for s in row["successors"]}
    at = f"/api/v1/reverse?lon={point.x}&lat={point.y}"
    townships = lambda body: [d["code"] for d in body["divisions"] if d["level"] == "township"]  # noqa: E731
    assert townships(get(at + f"&as_of={BEFORE}")) == [DAHE]
    assert townships(get(at + f"&as_of={EFFECTIVE}")) == [merged.code]


def test_it_publishes_the_events_in_the_change_feed(carry_out, client):
    from django.utils import timezone
    since = timezone.now()
    change = carry_out(MERGE, kind="merge")
    body = client.get("/api/v1/changes", {"since": since.isoformat(), "limit": 1000}).json()
    published = {item["id"] for item in body["items"] if item["source"] == "division"}
    assert set(change.result["events"]) <= published
    merger = next(item for item in body["items"]
                  if item["source"] == "division" and item["kind"] == "merge")
    assert merger["effective_date"] == EFFECTIVE.isoformat()
