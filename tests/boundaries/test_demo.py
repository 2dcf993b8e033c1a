"""load_demo end to end on the committed fixtures, answered through the public API."""

import gzip
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from boundaries.models import DivisionEvent, DivisionVersion, EventKind
from tests.support import demo_loaded

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
HISTORY = json.loads((DEMO / "history.json").read_text(encoding="utf-8"))["changes"]
PAN = next(c for c in HISTORY if c["old_name"] == "盘县")


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def get(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def snapshot() -> tuple:
    with connection.cursor() as cur:
        cur.execute("""SELECT count(*), max(id), md5(string_agg(code || level || name
                       || coalesce(valid_from::text, '') || coalesce(valid_to::text, '')
                       || coalesce(md5(ST_AsBinary(geom)), '') || coalesce(ST_AsText(seat), ''),
                       ',' ORDER BY id)) FROM boundaries_divisionversion""")
        versions = cur.fetchone()
    return versions, DivisionEvent.objects.count()


def test_it_gives_liupanshui_its_four_counties_with_polygons(client):
    children = get(client, "/api/v1/divisions/5202/children")["items"]
    assert {c["name"] for c in children} == {"钟山区", "六枝特区", "水城区", "盘州市"}
    for child in children:
        assert get(client, f"/api/v1/divisions/{child['short_code']}")["has_geometry"]


def test_it_answers_the_old_county_before_the_change(client):
    body = get(client, f"/api/v1/divisions/{PAN['old_code']}?as_of=2016-06-01")
    assert body["name"] == "盘县"
    assert body["valid_to"] == PAN["effective_date"]
    assert [a["name"] for a in body["ancestors"]] == ["贵州省", "六盘水市"]


def test_it_answers_the_new_county_now(client):
    body = get(client, f"/api/v1/divisions/{PAN['code']}")
    assert body["name"] == "盘州市"
    assert body["valid_to"] is None
    assert body["valid_from"] == PAN["effective_date"]
    assert body["valid_from"].startswith("2017-")


def test_it_records_each_change_as_an_event_with_its_lineage(client):
    for change in HISTORY:
        lineage = get(client, f"/api/v1/divisions/{change['code']}/lineage")
        event = next(e for e in lineage["events"] if e["kind"] == EventKind.KIND_CHANGE)
        assert event["subkind"] == change["subkind"]
        assert event["approving_authority"] == change["approving_authority"]
        assert [p["name"] for p in lineage["predecessors"]] == [change["old_name"]]


def test_it_gives_the_successor_the_polygon_of_its_predecessor():
    for change in HISTORY:
        old = DivisionVersion.objects.get(code=change["old_code"].ljust(12, "0"), level=3)
        new = DivisionVersion.objects.get(code=change["code"].ljust(12, "0"), level=3)
        assert old.geom is not None
        assert new.geom.equals_exact(old.geom)
        assert change["old_name"] in new.geometry_source


def reverse_at(client, point, as_of: str | None = None) -> list[dict]:
    when = f"&as_of={as_of}" if as_of else ""
    return get(client, f"/api/v1/reverse?lon={point.x}&lat={point.y}{when}")["divisions"]


def test_it_reverse_geocodes_a_point_in_zhongshan_to_a_township(client):
    zhongshan = DivisionVersion.objects.get(code="520201000000", level=3)
    found = reverse_at(client, zhongshan.geom.point_on_surface)
    assert [d["name"] for d in found[:3]] == ["贵州省", "六盘水市", "钟山区"]
    township = DivisionVersion.objects.get(code=found[3]["code"], level=4)
    assert len(found) == 4
    assert township.parent_code == zhongshan.code
    assert township.geometry_source == "synthetic"
    assert township.geom.covers(zhongshan.geom.point_on_surface)


def test_it_names_the_nearest_village_of_the_township_as_approximate(client):
    point = DivisionVersion.objects.get(code="520201000000", level=3).geom.point_on_surface
    body = get(client, f"/api/v1/reverse?lon={point.x}&lat={point.y}")
    township = body["divisions"][-1]
    with connection.cursor() as cur:
        cur.execute("""SELECT code, ST_Distance(seat::geography,
                                                ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography)
                       FROM boundaries_divisionversion WHERE level = 5 AND parent_code = %s
                         AND valid_to IS NULL AND seat IS NOT NULL ORDER BY 2 LIMIT 1""",
                    [point.x, point.y, township["code"]])
        nearest, metres = cur.fetchone()
    assert body["village"]["code"] == nearest
    assert body["village"]["level"] == "village"
    assert body["village"]["approximate"] is True
    assert abs(body["village"]["distance_m"] - metres) < 0.5


def test_it_names_no_village_when_the_point_is_in_no_township(client):
    body = get(client, "/api/v1/reverse?lon=100.0&lat=40.0")
    assert body["divisions"] == []
    assert body["village"] is None


def test_it_reverse_geocodes_by_date_across_the_change(client):
    point = DivisionVersion.objects.get(code="520281000000", level=3).geom.point_on_surface
    before = reverse_at(client, point, "2016-06-01")
    now = reverse_at(client, point)
    assert [d["name"] for d in before[:3]] == ["贵州省", "六盘水市", "盘县"]
    assert [d["name"] for d in now[:3]] == ["贵州省", "六盘水市", "盘州市"]
    # the same synthetic township, under its old code and its new one
    assert before[3]["name"] == now[3]["name"]
    assert before[3]["code"][6:] == now[3]["code"][6:]


def test_it_draws_townships_and_village_points_for_every_county_with_a_polygon():
    counties = DivisionVersion.objects.filter(level=3, valid_to__isnull=True, geom__isnull=False)
    codes = list(counties.values_list("code", flat=True))
    towns = DivisionVersion.objects.filter(level=4, valid_to__isnull=True, parent_code__in=codes)
    villages = DivisionVersion.objects.filter(level=5, valid_to__isnull=True,
                                              parent_code__in=towns.values("code"))
    with gzip.open(DEMO / "counties.geojson.gz", "rt", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    # every feature is a current county, or the predecessor of one (盘县, 水城县)
    assert len(codes) == len(features)
    assert towns.count() > 500
    assert villages.count() > 7000
    assert not towns.filter(geom__isnull=True).exists()
    assert not villages.filter(seat__isnull=True).exists()


def test_it_changes_nothing_when_run_twice(capsys):
    before = snapshot()
    call_command("load_demo", "--no-progress")
    assert "already holds" in capsys.readouterr().out
    assert snapshot() == before


def test_it_derives_the_border_lines_of_counties_and_townships(client):
    county = client.get("/api/v1/boundaries?division=520201&level=county").json()
    sides = {(i["left"]["name"], i["right"]["name"]) for i in county["items"]}
    assert ("钟山区", "水城区") in sides
    township = client.get("/api/v1/boundaries?level=township&limit=100").json()
    assert township["count"] >= 600  # 602 townships in 40 counties share many borders
    assert all(i["level"] == "township" for i in township["items"])


def test_it_records_the_demo_as_loaded_by_the_system_actor():
    from gazetteer.models import NamingEvent

    assert set(DivisionEvent.objects.values_list("actor__username", flat=True)) == {"system"}
    # the demo's places are loaded by the system; its published proposal by its clerk
    assert set(NamingEvent.objects.values_list("actor__username", flat=True)) == {
        "system", "demo-clerk"}
