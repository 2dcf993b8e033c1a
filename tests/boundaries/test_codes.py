"""Division codes as users pass them: 2, 4, 6 (GB/T 2260, all three levels), 9 and 12 digits."""

import pytest

from boundaries.codes import code_prefix, parse_code
from config.errors import BadRequest

pytestmark = pytest.mark.django_db

LIUPANSHUI = {"520000": "贵州省", "52": "贵州省", "520200": "六盘水市", "5202": "六盘水市",
              "520201": "钟山区", "520201011": "黄土坡街道",
              "520201011001": "曹家湾社区居民委员会"}


@pytest.mark.parametrize("raw, code, level", [
    ("52", "520000000000", 1),
    ("5202", "520200000000", 2),
    ("520000", "520000000000", 1),  # six digits ending in 0000: a province
    ("520200", "520200000000", 2),  # six digits ending in 00: a prefecture
    ("520201", "520201000000", 3),
    ("441900", "441900000000", 2),
    ("520201011", "520201011000", 4),
    ("520201000", "520201000000", 3),  # no township segment is 000
    ("520201011001", "520201011001", None),
    ("520200000000", "520200000000", None),
    (" 520200 ", "520200000000", 2),
])
def test_it_parses_every_length_to_the_12_digit_code_and_its_level(raw, code, level):
    assert parse_code(raw) == (code, level)


@pytest.mark.parametrize("raw", ["", "5", "520", "52020", "5202010", "52020101100",
                                 "5202010110011", "52x", "５２０２", None])
def test_it_refuses_what_is_no_code_with_400(raw):
    with pytest.raises(BadRequest, match="2, 4, 6, 9 or 12 digits"):
        parse_code(raw)


@pytest.mark.parametrize("code, level, prefix", [
    ("520000000000", 1, ("52", 1)), ("520200000000", 2, ("5202", 2)),
    ("520200000000", None, ("5202", 2)), ("520201011001", None, ("520201011001", 5)),
    ("520201011000", 4, ("520201011", 4)),
])
def test_it_gives_the_prefix_that_descendants_share(code, level, prefix):
    assert code_prefix(code, level) == prefix


@pytest.mark.parametrize("raw, name", LIUPANSHUI.items())
def test_it_finds_the_division_of_every_form_of_its_code(client, divisions_db, raw, name):
    response = client.get(f"/api/v1/divisions/{raw}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == name
    assert body["code"] == raw.ljust(12, "0")


@pytest.mark.parametrize("six, short", [("520000", "52"), ("520200", "5202")])
def test_it_answers_children_neighbours_and_lineage_of_six_digit_codes(client, divisions_db,
                                                                      six, short):
    for tail in ("", "/children?limit=100", "/neighbours", "/lineage"):
        long = client.get(f"/api/v1/divisions/{six}{tail}")
        assert long.status_code == 200, (tail, long.content)
        assert long.json() == client.get(f"/api/v1/divisions/{short}{tail}").json()
    children = client.get(f"/api/v1/divisions/{six}/children?limit=100").json()["items"]
    assert children and all(c["code"].startswith(short) for c in children)
    assert client.get(f"/api/v1/divisions/{six}/lineage").json()["code"] == six.ljust(12, "0")


def test_it_serves_the_geometry_of_a_prefecture_by_its_six_digit_code(client, lps_polygons):
    from django.db import connection
    with connection.cursor() as cur:
        cur.execute("""UPDATE boundaries_divisionversion p SET geom = (
                         SELECT ST_Multi(ST_Union(c.geom)) FROM boundaries_divisionversion c
                         WHERE c.level = 3 AND c.code LIKE '5202%%' AND c.geom IS NOT NULL)
                       WHERE p.code = '520200000000' AND p.level = 2""")
    response = client.get("/api/v1/divisions/520200/geometry")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["properties"]["level"] == "prefecture"
    assert body == client.get("/api/v1/divisions/5202/geometry").json()


@pytest.mark.parametrize("parent", ["520200", "5202", "520200000000"])
def test_it_searches_under_a_parent_given_by_any_form_of_its_code(client, divisions_db, parent):
    body = client.get("/api/v1/divisions", {"q": "钟山", "parent": parent}).json()
    assert "钟山区" in [i["name"] for i in body["items"]]
    assert all(i["code"].startswith("5202") for i in body["items"])


@pytest.mark.parametrize("parent", ["529900", "5299", "520299", "999999999999"])
def test_it_answers_an_unknown_parent_with_404_naming_it(client, divisions_db, parent):
    response = client.get("/api/v1/divisions", {"q": "钟山", "parent": parent})
    assert response.status_code == 404
    assert parent in response.json()["detail"]
