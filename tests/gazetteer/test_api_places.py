"""The public place API: search, detail, history, signs, the pre-check, and bad input."""

from datetime import date

import pytest
from django.contrib.gis.geos import Point

from accounts.services import system_actor
from gazetteer import services, signs
from tests.support import inside, short_line

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(make_place):
    renmin = make_place("人民路", valid_from=date(1985, 1, 1),
                        meaning="纪念人民", history="1985年命名")
    renamed = make_place("东风路", valid_from=date(1990, 1, 1))
    services.place_rename(place_id=renamed.id, new_name="钟山中路",
                          effective_date=date(2012, 5, 1), document_number="六盘水府〔2012〕8号",
                          reason="与钟山区名称统一", actor=system_actor())
    other = make_place("人民路", geom=short_line("520204"))
    garden = make_place("凉都花园", cls="residential", heritage_category="其他",
                        traditional="涼都花園",
                        heritage_listed_on=date(2020, 1, 1))
    gone = make_place("红旗巷", cls="lane", valid_from=date(1970, 1, 1))
    services.place_cancel(place_id=gone.id, effective_date=date(2008, 1, 1),
                          document_number="", reason="旧城改造", actor=system_actor())
    p = inside("520201")
    signs.signs_create(actor=system_actor(), signs=[
        {"code": "LPS-0001", "place_id": renmin.id, "location": Point(p.x, p.y, srid=4490)},
        {"code": "LPS-0002", "place_id": renamed.id, "location": Point(p.x, p.y, srid=4490),
         "text": "东风路", "romanization": "Dongfeng Lu"},
        {"code": "LPS-0003", "place_id": renamed.id, "location": Point(p.x, p.y, srid=4490),
         "romanization": "ZHONGSHAN ZHONGLU"},
    ])
    return {"renmin": renmin, "renamed": renamed, "other": other, "garden": garden,
            "gone": gone}


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


def names(body):
    return [(i["name"], i["match"]) for i in body["items"]]


def test_it_finds_places_by_exact_prefix_fuzzy_pinyin_and_initials(client, places):
    assert ("人民路", "exact") in names(get(client, "/api/v1/places?q=人民路"))
    assert {"人民路"} == {n for n, m in names(get(client, "/api/v1/places?q=人民"))
                        if m == "prefix"}
    assert ("钟山中路", "fuzzy") in names(get(client, "/api/v1/places?q=中路"))
    pinyin = get(client, "/api/v1/places?q=zhongshanzhong")
    assert names(pinyin) == [("钟山中路", "pinyin")]
    assert ("钟山中路", "initials") in names(get(client, "/api/v1/places?q=zszl"))


def test_it_takes_an_apostrophe_in_pinyin_as_a_syllable_break(client, make_place):
    for name in ["西安路", "享堂路", "先锋路"]:
        make_place(name)
    assert {n for n, _ in names(get(client, "/api/v1/places?q=xian"))} == {
        "西安路", "享堂路", "先锋路"}
    for q in ["xi'an", "xi’an", "xi'anlu"]:
        assert names(get(client, f"/api/v1/places?q={q}")) == [("西安路", "pinyin")], q


def test_it_finds_traditional_and_full_width_forms(client, places):
    body = get(client, "/api/v1/places?q=鍾山中路")
    assert body["normalized"] == "钟山中路"
    assert names(body) == [("钟山中路", "exact")]
    assert names(get(client, "/api/v1/places?q=涼都花園")) == [("凉都花园", "exact")]


def test_it_finds_a_place_by_its_former_name_and_marks_it(client, places):
    hit = get(client, "/api/v1/places?q=东风路")["items"][0]
    assert hit["id"] == places["renamed"].id
    assert hit["name"] == "钟山中路"
    assert hit["former"] is True
    assert hit["matched_kind"] == "former"
    assert hit["matched_name"] == "东风路"


def test_it_shows_only_standard_names_unless_status_says(client, places):
    assert get(client, "/api/v1/places?q=红旗巷")["count"] == 0
    body = get(client, "/api/v1/places?q=红旗巷&status=historical")
    assert names(body) == [("红旗巷", "exact")]
    assert body["items"][0]["valid_to"] == "2008-01-01"
    assert names(get(client, "/api/v1/places?q=红旗巷&as_of=2000-01-01")) == [("红旗巷", "exact")]


def test_it_filters_by_class_division_and_bbox(client, places):
    both = get(client, "/api/v1/places?q=人民路")
    assert {i["id"] for i in both["items"]} == {places["renmin"].id, places["other"].id}
    in_shuicheng = get(client, "/api/v1/places?q=人民路&division=520204")
    assert [i["id"] for i in in_shuicheng["items"]] == [places["other"].id]
    assert in_shuicheng["items"][0]["divisions"] == ["水城区"]
    assert get(client, "/api/v1/places?q=凉都&class=road")["count"] == 0
    assert get(client, "/api/v1/places?q=凉都&class=residential")["count"] == 1
    p = inside("520204")
    box = f"{p.x - 0.01},{p.y - 0.01},{p.x + 0.01},{p.y + 0.01}"
    assert [i["id"] for i in get(client, f"/api/v1/places?bbox={box}")["items"]] == [
        places["other"].id]


def test_it_pages_the_results(client, places):
    everything = get(client, "/api/v1/places?limit=100")["items"]
    assert len(everything) == 4  # 人民路 ×2, 钟山中路, 凉都花园; 红旗巷 is cancelled
    page = get(client, "/api/v1/places?limit=2&offset=1")
    assert page["items"] == everything[1:3]


def test_it_returns_the_full_record(client, places):
    body = get(client, f"/api/v1/places/{places['renamed'].id}")
    assert body["name"] == "钟山中路"
    assert body["romanization"] == "Zhongshanzhong Lu"
    assert (body["specific"], body["generic"]) == ("钟山中", "路")
    assert body["traditional"] in ("鍾山中路", "鐘山中路")
    assert body["status"] == "standard"
    assert body["geometry"]["type"] == "LineString"
    assert {(d["code"], d["name"]) for d in body["divisions"]} >= {
        ("520201000000", "钟山区"), ("520200000000", "六盘水市"), ("520000000000", "贵州省")}
    assert [(v["name"], v["kind"]) for v in body["variants"]] == [("东风路", "former")]
    garden = get(client, f"/api/v1/places/{places['garden'].id}")
    assert garden["heritage"] == {"category": "其他", "listed_on": "2020-01-01"}
    assert garden["place_class"]["slug"] == "residential"
    assert garden["traditional"] == "涼都花園"


def test_it_returns_the_history_in_order(client, places):
    body = get(client, f"/api/v1/places/{places['renamed'].id}/history")
    assert [(e["kind"], e["old_value"], e["new_value"]) for e in body["events"]] == [
        ("naming", "", "东风路"), ("renaming", "东风路", "钟山中路")]
    assert body["events"][1]["document_number"] == "六盘水府〔2012〕8号"
    assert body["former_names"][0]["valid_to"] == "2012-05-01"


def test_it_flags_signs_showing_a_former_name_or_a_wrong_romanization(client, places):
    body = get(client, f"/api/v1/places/{places['renamed'].id}/signs")
    flags = {s["code"]: (s["shows_former_name"], s["mismatch"]) for s in body["items"]}
    assert flags == {"LPS-0002": (True, True), "LPS-0003": (False, True)}
    good = get(client, f"/api/v1/places/{places['renmin'].id}/signs")["items"]
    assert [(s["code"], s["mismatch"], s["text"]) for s in good] == [("LPS-0001", False, "人民路")]
    replace = get(client, "/api/v1/signs?flag=former_name")
    assert [s["code"] for s in replace["items"]] == ["LPS-0002"]
    assert [s["code"] for s in get(client, "/api/v1/signs?flag=mismatch")["items"]] == [
        "LPS-0002", "LPS-0003"]


def test_it_checks_a_proposed_name_anonymously(client, divisions_db):
    response = client.post("/api/v1/names/check", {"name": "中山区", "class": "county",
                                                   "division_code": "5202"},
                           content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["normalized"] == "中山区"
    assert body["romanization"] == "Zhongshan Qu"
    clash = [f for f in body["findings"] if f["rule"] == "unique"]
    assert clash[0]["severity"] == "block"
    assert clash[0]["evidence"][0]["code"] == "520201000000"
    assert clash[0]["evidence"][0]["name"] == "钟山区"
    trad = client.post("/api/v1/names/check", {"name": "鍾山區", "class": "2130",
                                               "division_code": "520200000000"},
                       content_type="application/json").json()
    assert trad["normalized"] == "钟山区"
    assert any(f["rule"] == "unique" and f["evidence"][0]["match"] == "same_name"
               for f in trad["findings"])


@pytest.mark.parametrize("url, fragment", [
    ("/api/v1/places/999999", "999999"),
    ("/api/v1/places/999999/history", "999999"),
    ("/api/v1/places/999999/signs", "999999"),
])
def test_it_answers_404_for_an_unknown_place(client, divisions_db, url, fragment):
    response = client.get(url)
    assert response.status_code == 404
    assert fragment in response.json()["detail"]


@pytest.mark.parametrize("url, fragment", [
    ("/api/v1/places/abc", "place_id"),
    ("/api/v1/places?bbox=1,2,3", "bbox"),
    ("/api/v1/places?bbox=10,20,5,30", "bbox"),
    ("/api/v1/places?class=castle", "castle"),
    ("/api/v1/places?status=draft", "status"),
    ("/api/v1/places?division=52x", "code"),
    ("/api/v1/places?limit=0", "limit"),
    ("/api/v1/places?as_of=yesterday", "as_of"),
    ("/api/v1/places?q=%20%20", "q"),
    ("/api/v1/signs?flag=broken", "flag"),
    ("/api/v1/signs?flag=mismatch&offset=100000000000000000000", "offset"),
])
def test_it_rejects_malformed_parameters_with_400(client, divisions_db, url, fragment):
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert fragment in response.json()["detail"]


def test_it_survives_like_wildcards_in_queries(client, places):
    for q in ("%", "_", "\\", "人%"):
        response = client.get("/api/v1/places", {"q": q})
        assert response.status_code == 200
        assert response.json()["count"] == 0


@pytest.mark.parametrize("payload, fragment", [
    ({"name": "中山路", "class": "castle", "division_code": "5202"}, "castle"),
    ({"name": "中山路", "class": "road", "division_code": "52x"}, "code"),
    ({"name": "中山路", "class": "road", "division_code": "529900"}, "529900"),
    ({"name": "中山路", "class": "road", "division_code": "52"}, "city"),
    ({"name": "   ", "class": "road", "division_code": "5202"}, "name"),
    ({"class": "road", "division_code": "5202"}, "name"),
    ({"name": "中山路", "class": "road", "division_code": "5202", "place_id": 999999}, "999999"),
    ({"name": "中山\u0000路", "class": "road", "division_code": "5202"}, "control character"),
])
def test_it_rejects_a_malformed_check_with_4xx(client, divisions_db, payload, fragment):
    response = client.post("/api/v1/names/check", payload, content_type="application/json")
    assert 400 <= response.status_code < 500, response.content
    assert fragment in response.json()["detail"]


def test_it_lists_the_place_classes(client, divisions_db):
    body = get(client, "/api/v1/places/classes")
    road = next(c for c in body if c["slug"] == "road")
    assert road["scope"] == "city"
    assert "路" in road["generics"]


def test_it_answers_with_the_name_borne_on_a_date(client, places):
    pid = places["renamed"].id
    assert get(client, f"/api/v1/places/{pid}?as_of=2000-01-01")["name_on_date"] == "东风路"
    assert get(client, f"/api/v1/places/{pid}?as_of=2012-05-01")["name_on_date"] == "钟山中路"
    assert get(client, f"/api/v1/places/{pid}")["name_on_date"] is None
    hit = get(client, "/api/v1/places?q=东风路&as_of=2005-01-01")["items"][0]
    assert hit["former"]
    assert hit["name_on_date"] == "东风路"
    assert hit["name"] == "钟山中路"


def test_it_answers_a_repeated_search_from_the_cache(client, places, make_place,
                                                      django_assert_num_queries):
    first = get(client, "/api/v1/places?q=人民路")
    make_place("人民路", cls="street")  # not seen until the cached answer expires
    with django_assert_num_queries(0):
        again = get(client, "/api/v1/places?q=人民路")
    assert again == first
    assert get(client, "/api/v1/places?q=人民路&limit=5")["count"] == first["count"] + 1


def test_it_searches_afresh_with_the_cache_off(client, places, make_place, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    first = get(client, "/api/v1/places?q=人民路")
    make_place("人民路", cls="street")
    assert get(client, "/api/v1/places?q=人民路")["count"] == first["count"] + 1


def test_it_counts_every_match_not_the_page(client, places, make_place):
    for i in range(3):
        make_place(f"人民{i}巷", cls="lane")
    page = get(client, "/api/v1/places?q=人民&limit=2")
    assert len(page["items"]) == 2
    # 人民路 ×2 and the three lanes: every one in force, whatever page is shown
    assert page["count"] == 5
    assert get(client, "/api/v1/places?q=人民&limit=2&offset=4")["count"] == 5
    assert get(client, "/api/v1/places?limit=1")["count"] == 7


def test_it_counts_places_found_by_a_variant_once(client, places):
    body = get(client, "/api/v1/places?q=东风路")
    assert body["count"] == len(body["items"]) == 1


def test_it_pages_a_search_to_the_end_without_repeats(client, places, make_place):
    for i in range(5):
        make_place(f"人民{i}巷", cls="lane")
    first = get(client, "/api/v1/places?q=人民&limit=3")
    seen = [i["id"] for offset in range(0, first["count"], 3)
            for i in get(client, f"/api/v1/places?q=人民&limit=3&offset={offset}")["items"]]
    assert len(seen) == len(set(seen)) == first["count"] == 7


def test_it_filters_places_by_heritage(client, places):
    listed = get(client, "/api/v1/places?heritage=1")
    assert [i["id"] for i in listed["items"]] == [places["garden"].id]
    assert listed["count"] == 1
    unlisted = get(client, "/api/v1/places?heritage=0")
    assert places["garden"].id not in [i["id"] for i in unlisted["items"]]
    assert unlisted["count"] == 3
    assert get(client, "/api/v1/places?q=凉都&heritage=0")["count"] == 0


def test_it_lists_the_heritage_register_paged(client, places, make_place):
    village = make_place("古寨村", cls="residential", heritage_category="千年古村落",
                         heritage_listed_on=date(2019, 12, 1))
    body = get(client, "/api/v1/places/heritage?limit=1")
    assert body["count"] == 2 and len(body["items"]) == 1
    both = body["items"] + get(client, "/api/v1/places/heritage?limit=1&offset=1")["items"]
    assert {i["id"] for i in both} == {places["garden"].id, village.id}
    garden = next(i for i in both if i["id"] == places["garden"].id)
    assert (garden["category"], garden["listed_on"]) == ("其他", "2020-01-01")
    assert garden["divisions"] == ["钟山区"]
    only = get(client, "/api/v1/places/heritage?category=千年古村落")
    assert [i["id"] for i in only["items"]] == [village.id] and only["count"] == 1


def test_it_rejects_an_unknown_heritage_category(client, places):
    response = client.get("/api/v1/places/heritage?category=古树")
    assert response.status_code == 400
    assert "category" in response.json()["detail"]
