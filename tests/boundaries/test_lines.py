"""Border lines derived from the demo's real county polygons, and their public API."""

import json
from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from boundaries import selectors
from boundaries.lines import LinesRefused, boundary_lines_derive
from boundaries.models import BoundaryLine, DivisionVersion
from boundaries.names import search_keys
from tests.support import county_features

pytestmark = pytest.mark.django_db

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"


@pytest.fixture(autouse=True)
def registry(demo_registry):
    yield


def derive(**kw) -> dict:
    return boundary_lines_derive(**({"level": 3, "commit": True} | kw))


def current(left: str, right: str, level: int = 3) -> BoundaryLine:
    return BoundaryLine.objects.get(left_code=left, right_code=right, level=level,
                                    valid_to__isnull=True)


def lines_snapshot() -> tuple:
    with connection.cursor() as cur:
        cur.execute("""SELECT count(*), md5(string_agg(concat_ws('|', id, left_code, right_code,
                       name, valid_from, valid_to, md5(ST_AsBinary(geom))), ',' ORDER BY id))
                       FROM boundaries_boundaryline""")
        return cur.fetchone()


def set_geom(code: str, sql_expression: str, **params) -> None:
    """Rewrite a current county polygon in place (as a corrected polygon load would)."""
    with connection.cursor() as cur:
        cur.execute(f"""UPDATE boundaries_divisionversion SET geom = ST_Multi({sql_expression})
                        WHERE code = %(code)s AND level = 3 AND valid_to IS NULL""",
                    params | {"code": code})


def test_it_derives_the_zhongshan_shuicheng_line_with_a_plausible_length():
    report = derive()
    line = current(ZHONGSHAN, SHUICHENG)
    assert line.name == "钟水线"
    assert line.valid_to is None
    # the data README: 钟山区 and 水城县 share about 130 km
    assert 110_000 < line.length_m < 150_000
    zhongshan = DivisionVersion.objects.get(code=ZHONGSHAN, level=3)
    shuicheng = DivisionVersion.objects.get(code=SHUICHENG, level=3, valid_to__isnull=True)
    assert line.geom.distance(zhongshan.geom.boundary) < 1e-6
    assert line.geom.distance(shuicheng.geom.boundary) < 1e-6
    # the line starts with its younger side (水城区 since the 2020 change)
    assert line.valid_from == shuicheng.valid_from
    assert report["new"] == report["lines"]
    assert BoundaryLine.objects.count() == report["lines"]
    assert report["candidate_pairs"] >= report["lines"]


def test_it_finds_the_same_neighbours_as_the_division_api():
    derive()
    for division in DivisionVersion.objects.filter(level=3, valid_to__isnull=True,
                                                   geom__isnull=False)[:12]:
        expected = {n.code for n, km in selectors.neighbours(division, None) if km > 0.05}
        found = set()
        for line in selectors.lines_list(division, None, None):
            found.add(line.right_code if line.left_code == division.code else line.left_code)
        assert found == expected, division.name


def test_it_changes_nothing_when_run_again():
    first = derive()
    before = lines_snapshot()
    second = derive()
    assert (second["new"], second["changed"], second["ended"]) == (0, 0, 0)
    assert second["unchanged"] == first["lines"]
    assert lines_snapshot() == before


def test_it_writes_nothing_in_a_preview():
    before = lines_snapshot()
    report = derive(commit=False)
    assert report["new"] > 60
    assert not report["committed"]
    assert lines_snapshot() == before


def test_it_versions_a_line_when_a_polygon_changes():
    derive()
    old = current(ZHONGSHAN, SHUICHENG)
    BoundaryLine.objects.filter(pk=old.pk).update(name="钟水界",
                                                  agreement_number="黔政函〔2005〕1号")
    # hand a disc of 钟山区 around a point of the border to 水城区
    centre = old.geom[0].interpolate_normalized(0.5)
    disc = "ST_Intersection(geom, ST_Buffer(ST_GeomFromEWKT(%(centre)s), 0.02))"
    with connection.cursor() as cur:
        cur.execute(f"""UPDATE boundaries_divisionversion d
                        SET geom = ST_Multi(ST_CollectionExtract(ST_Union(d.geom, (
                            SELECT {disc} FROM boundaries_divisionversion
                            WHERE code = %(z)s AND level = 3)), 3))
                        WHERE code = %(s)s AND level = 3 AND valid_to IS NULL""",
                    {"centre": centre.ewkt, "z": ZHONGSHAN, "s": SHUICHENG})
    set_geom(ZHONGSHAN, f"ST_CollectionExtract(ST_Difference(geom, {disc}), 3)",
             centre=centre.ewkt)
    report = derive()
    assert report["changed"] == 1
    assert report["new"] == 0
    assert report["ended"] == 0
    ended = BoundaryLine.objects.get(pk=old.pk)
    new = current(ZHONGSHAN, SHUICHENG)
    assert ended.valid_to == date.today()
    assert new.valid_from == date.today()
    assert not new.geom.equals_exact(ended.geom, 1e-6)
    # the name and the agreement belong to the line, not to one version of it
    assert (new.name, new.agreement_number) == ("钟水界", "黔政函〔2005〕1号")
    assert abs(new.length_m - ended.length_m) > 100


def test_it_refuses_overlapping_versions_of_a_line():
    derive()
    line = current(ZHONGSHAN, SHUICHENG)
    clash = BoundaryLine(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG, name="钟水线",
                         geom=line.geom, length_m=line.length_m,
                         valid_from=date.today() - timedelta(days=30))
    with pytest.raises(IntegrityError, match="line_no_overlapping_versions"), \
            transaction.atomic():
        clash.save()
    swapped = BoundaryLine(level=3, left_code=SHUICHENG, right_code=ZHONGSHAN, name="水钟线",
                           geom=line.geom, length_m=line.length_m)
    with pytest.raises(IntegrityError, match="line_left_below_right"), transaction.atomic():
        swapped.save()


def test_it_refuses_to_end_a_line_on_the_day_it_began():
    derive()
    BoundaryLine.objects.filter(left_code=ZHONGSHAN, right_code=SHUICHENG).update(
        valid_from=date.today())
    set_geom(ZHONGSHAN, "ST_SetSRID(ST_Buffer(geom::geography, -300)::geometry, 4490)")
    before = lines_snapshot()
    with pytest.raises(LinesRefused, match="later as_of"):
        derive()
    assert lines_snapshot() == before


@pytest.mark.parametrize("metres, kind", [(-4, "gap"), (4, "overlap")])
def test_it_reports_a_gap_or_an_overlap_made_by_moving_a_border(metres, kind):
    derive()
    line = current(ZHONGSHAN, SHUICHENG)
    set_geom(ZHONGSHAN, "ST_SetSRID(ST_Buffer(geom::geography, %(m)s)::geometry, 4490)",
             m=metres)
    report = derive(commit=False, gap_tolerance_m=10)
    found = [f for f in report[kind + "s"]
             if (f["left_code"], f["right_code"]) == (ZHONGSHAN, SHUICHENG)]
    assert len(found) >= 1
    # a 4 m strip along the shared border
    area = sum(f["area_m2"] for f in found)
    assert 0.5 * 4 * line.length_m < area < 1.5 * 4 * line.length_m
    where = GEOSGeometry(f"SRID=4490;POINT({found[0]['lon']} {found[0]['lat']})")
    assert line.geom.distance(where) < 0.001
    other = "overlaps" if kind == "gap" else "gaps"
    assert not [f for f in report[other] if f["left_code"] == ZHONGSHAN]
    # within the tolerance the two are still neighbours, along most of the border
    assert report["changed"] >= 1
    assert 0.8 * line.length_m < report_line_length(ZHONGSHAN, SHUICHENG) < 1.2 * line.length_m


def report_line_length(left: str, right: str) -> float:
    derive(gap_tolerance_m=10)
    return current(left, right).length_m


def add_county(name: str, code: str, parents: list[tuple[str, str, int]]) -> None:
    """A county from the real polygon file, with its province and prefecture."""
    for parent_code, parent_name, level in parents + [(code, name, 3)]:
        if DivisionVersion.objects.filter(code=parent_code, level=level).exists():
            continue
        geom = None
        if level == 3:
            feature = county_features(names={name})[0]
            geom = GEOSGeometry(json.dumps(feature["geometry"])).make_valid()
            geom.srid = 4490  # the file's lon/lat are CGCS2000
            geom = geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=4490)
        parent = None if level == 1 else parent_code[: {2: 2, 3: 4}[level]].ljust(12, "0")
        DivisionVersion.objects.create(code=parent_code, name=parent_name, place_name=parent_name,
                                       level=level, kind="县级市", parent_code=parent, geom=geom,
                                       **search_keys(parent_name, parent_name))


def test_it_derives_the_provincial_line_from_the_county_lines():
    add_county("宣威市", "530381000000", [("530000000000", "云南省", 1),
                                        ("530300000000", "曲靖市", 2)])
    derive()
    county = current("520281000000", "530381000000")
    report = derive(level=1)
    province = current("520000000000", "530000000000", level=1)
    assert report["lines"] == 1
    assert province.name == "黔滇线"
    # 盘州市 | 宣威市 is a stretch of 黔滇线
    assert province.geom.buffer(1e-7).covers(county.geom)
    assert province.length_m >= county.length_m
    derive(level=2)
    assert current("520200000000", "530300000000", level=2).name == "六曲线"


def test_it_refuses_villages():
    with pytest.raises(LinesRefused, match="villages"):
        derive(level=5)


def test_it_derives_through_the_command(capsys):
    call_command("derive_boundary_lines", "--level", "county", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["new"] == report["lines"]
    assert report["lines"] > 60
    assert report["committed"] is False
    assert not BoundaryLine.objects.exists()
    call_command("derive_boundary_lines", "--level", "county", "--commit", "--no-progress")
    assert "unchanged" in capsys.readouterr().out
    assert BoundaryLine.objects.count() == report["lines"]


@pytest.mark.parametrize("level", ["village", "galaxy"])
def test_it_exits_with_the_reason_on_a_bad_level(level):
    with pytest.raises(CommandError, match="level|village"):
        call_command("derive_boundary_lines", "--level", level, "--no-progress")
    assert not BoundaryLine.objects.exists()


# The public API -------------------------------------------------------------------------

def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    return response.json()


def test_it_lists_the_lines_of_a_division(client):
    derive()
    body = get(client, "/api/v1/boundaries?division=520201")
    names = {(i["left"]["name"], i["right"]["name"]): i["name"] for i in body["items"]}
    assert names[("钟山区", "水城区")] == "钟水线"
    assert body["count"] == current_count(ZHONGSHAN)
    assert len(body["items"]) == body["count"]
    page = get(client, "/api/v1/boundaries?level=county&limit=5&offset=3")
    assert page["count"] == BoundaryLine.objects.filter(level=3).count()
    assert len(page["items"]) == 5


def current_count(code: str) -> int:
    return len(selectors.lines_list(DivisionVersion.objects.get(code=code, level=3), 3, None))


def test_it_lists_the_lines_as_they_were(client):
    derive()
    derive(as_of=date(2016, 6, 1))
    then = get(client, "/api/v1/boundaries?division=520222&as_of=2016-06-01")["items"]
    assert ("水城县", "盘县") in {(i["left"]["name"], i["right"]["name"]) for i in then}
    now = get(client, "/api/v1/boundaries?division=520281")["items"]
    assert ("水城区", "盘州市") in {(i["left"]["name"], i["right"]["name"]) for i in now}


def test_it_gives_a_line_as_a_geojson_feature(client):
    derive()
    line = current(ZHONGSHAN, SHUICHENG)
    body = get(client, f"/api/v1/boundaries/{line.id}")
    assert body["type"] == "Feature"
    assert body["geometry"]["type"] == "MultiLineString"
    props = body["properties"]
    assert props["name"] == "钟水线"
    assert props["left"]["short_code"] == "520201"
    assert props["length_m"] == pytest.approx(line.length_m, abs=0.1)
    assert props["markers"] == []
    assert props["inspections"] == []
    assert get(client, f"/api/v1/boundaries/{line.id}/markers")["items"] == []


@pytest.mark.parametrize("url, status, words", [
    ("/api/v1/boundaries/99999999", 404, "99999999"),
    ("/api/v1/boundaries/abc", 400, "line_id"),
    ("/api/v1/boundaries/99999999/markers", 404, "99999999"),
    ("/api/v1/boundaries?division=52x", 400, "52x"),
    ("/api/v1/boundaries?level=galaxy", 400, "level"),
    ("/api/v1/boundaries?as_of=yesterday", 400, "as_of"),
    ("/api/v1/boundaries?limit=0", 400, "limit"),
    ("/api/v1/boundaries?division=529999", 404, "529999"),
])
def test_it_refuses_bad_requests_with_a_detail(client, url, status, words):
    body = get(client, url, status)
    assert words in body["detail"]


def test_it_lists_the_lines_of_a_province_or_prefecture_by_its_six_digit_code(client):
    add_county("宣威市", "530381000000", [("530000000000", "云南省", 1),
                                        ("530300000000", "曲靖市", 2)])
    for level in (3, 1, 2):
        derive(level=level)
    for six, short, name in (("520200", "5202", "六曲线"), ("520000", "52", "黔滇线")):
        body = get(client, f"/api/v1/boundaries?division={six}")
        assert name in [line["name"] for line in body["items"]]
        assert body == get(client, f"/api/v1/boundaries?division={short}")
    assert "529900" in get(client, "/api/v1/boundaries?division=529900", 404)["detail"]
