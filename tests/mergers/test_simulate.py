"""POST /api/v1/mergers/simulate on the demo: the merged unit, its villages and clashes,
its lines, distances and the county before and after (nothing written)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

DAHE, DAWAN = "520201101", "520201103"


def simulate(client, townships, status=200, **extra):
    body = {"townships": townships, "name": "大河镇", "kind": "镇"} | extra
    response = client.post("/api/v1/mergers/simulate", body, content_type="application/json")
    assert response.status_code == status, response.content
    return response.json()


def one(sql, params):
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchone()


def adjacent_pair(county="520201"):
    return one("""SELECT left(a.code, 9), left(b.code, 9) FROM boundaries_divisionversion a
        JOIN boundaries_divisionversion b ON a.code < b.code AND a.parent_code = b.parent_code
         AND b.level = 4 AND b.valid_to IS NULL AND ST_Intersects(a.geom, b.geom)
         AND ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))) > 0
        WHERE a.level = 4 AND a.valid_to IS NULL AND left(a.code, 6) = %s
        ORDER BY a.code, b.code LIMIT 1""", [county])


def test_it_reports_the_two_daqing_villages_of_dahe_and_dawan(planner_client):
    unit = simulate(planner_client, [DAHE, DAWAN])["unit"]
    clashing = [{e["code"] for e in f["evidence"]} for f in unit["village_clashes"]]
    assert {"520201101206", "520201103209"} in clashing
    names = {e["place_name"] for f in unit["village_clashes"] for e in f["evidence"]}
    assert "大箐村" in names


def test_it_gives_the_area_of_the_parts_within_a_tenth_of_a_percent(planner_client):
    unit = simulate(planner_client, list(adjacent_pair()))["unit"]
    assert unit["area_km2"] == pytest.approx(unit["parts_sum_km2"], rel=1e-3)
    assert 0 < unit["polsby_popper"] <= 1 and 0 < unit["reock"] <= 1
    assert unit["geometry"]["type"] == "MultiPolygon"


def test_it_finds_the_internal_line_of_two_neighbours(planner_client):
    a, b = adjacent_pair()
    unit = simulate(planner_client, [a, b])["unit"]
    internal = unit["lines"]["internal"]
    assert [(x["left_code"], x["right_code"]) for x in internal] == [
        (a.ljust(12, "0"), b.ljust(12, "0"))]
    assert unit["lines"]["remaining"] and unit["parts"] == 1 and not unit["exclave"]


def test_it_reports_a_non_contiguous_merger_as_a_finding(planner_client):
    far = one("""SELECT left(a.code, 9), left(b.code, 9) FROM boundaries_divisionversion a
        JOIN boundaries_divisionversion b ON a.code < b.code AND a.parent_code = b.parent_code
         AND b.level = 4 AND b.valid_to IS NULL AND NOT ST_Intersects(a.geom, b.geom)
        WHERE a.level = 4 AND a.valid_to IS NULL AND left(a.code, 6) = '520201'
        ORDER BY a.code, b.code LIMIT 1""", [])
    unit = simulate(planner_client, list(far))["unit"]
    assert unit["parts"] == 2 and unit["exclave"] and not unit["contiguous"]
    assert any("飞地" in f for f in unit["findings"])


def test_it_refuses_naming_each_code_and_why(planner_client):
    body = simulate(planner_client, [DAHE, "520204001", "520201999", "5202011"], status=400)
    detail = body["detail"]
    assert "520204001" in detail and "county 520204" in detail
    assert "520201999: no township has this code" in detail
    assert "5202011" in detail


def test_it_refuses_a_township_not_in_force_on_the_date(planner_client):
    with connection.cursor() as cur:
        cur.execute("SELECT left(code, 9), valid_from FROM boundaries_divisionversion "
                    "WHERE level = 4 AND valid_from IS NOT NULL ORDER BY code LIMIT 1")
        code, start = cur.fetchone()
    body = simulate(planner_client, [code, DAHE], status=400, as_of="1990-01-01")
    assert f"{code}: not in force on 1990-01-01" in body["detail"]


def test_it_takes_nine_and_twelve_digit_codes_alike(planner_client):
    short = simulate(planner_client, [DAHE, DAWAN])["unit"]
    full = simulate(planner_client, [DAHE + "000", DAWAN + "000"])["unit"]
    assert short["area_km2"] == full["area_km2"]
    assert short["village_count"] == full["village_count"] > 0


def test_it_measures_distances_as_a_direct_geography_query(planner_client):
    unit = simulate(planner_client, [DAHE, DAWAN], seat=DAWAN)["unit"]
    expected = one("""SELECT max(ST_Distance(v.seat::geography, t.seat::geography)),
                             avg(ST_Distance(v.seat::geography, t.seat::geography))
        FROM boundaries_divisionversion v, boundaries_divisionversion t
        WHERE v.level = 5 AND v.valid_to IS NULL AND left(v.parent_code, 9) IN (%s, %s)
          AND t.level = 4 AND t.valid_to IS NULL AND left(t.code, 9) = %s""",
                   [DAHE, DAWAN, DAWAN])
    assert unit["seat_distance"]["max_m"] == pytest.approx(expected[0], rel=1e-9)
    assert unit["seat_distance"]["mean_m"] == pytest.approx(float(expected[1]), rel=1e-9)
    farthest = unit["seat_distance"]["farthest"]
    assert len(farthest) == 5 and farthest[0]["distance_m"] == unit["seat_distance"]["max_m"]
    assert "the township given" in unit["seat"]["chosen"]


def test_it_gives_the_county_before_and_after(planner_client):
    body = simulate(planner_client, [DAHE, DAWAN], kind="街道", name="新城街道")
    before, after = body["county"]["before"], body["county"]["after"]
    n = before["townships"]
    assert after["townships"] == n - 1
    towns = before["by_kind"].get("镇", 0) + before["by_kind"].get("街道", 0)
    assert before["town_and_subdistrict_share"] == pytest.approx(towns / n)
    assert after["town_and_subdistrict_share"] == pytest.approx((towns - 1) / (n - 1))
    assert after["by_kind"]["街道"] == before["by_kind"]["街道"] + 1


def test_it_checks_the_new_name_within_the_county(planner_client):
    clash = simulate(planner_client, [DAHE, DAWAN], name="汪家寨镇")["unit"]["name_check"]
    assert clash["blocked"] and any("汪家寨镇" in f["message"] for f in clash["findings"])
    own = simulate(planner_client, [DAHE, DAWAN], name="大河镇")["unit"]["name_check"]
    assert not own["blocked"]


def test_it_refuses_anonymous_and_other_roles(client, people):
    assert client.post("/api/v1/mergers/simulate", {}, content_type="application/json"
                       ).status_code == 401
    client.force_login(people["clerk"])
    simulate(client, [DAHE, DAWAN], status=403)
