"""Division search on the real 2023 codes of 六盘水 (5202) and 东莞 (4419).

Rows a test needs beyond the fixture are made through the model, with the search
keys computed by boundaries.names as the loader does.
"""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.services import system_actor
from boundaries import search, services
from boundaries.models import DivisionVersion
from boundaries.names import division_kind, place_name, search_keys
from boundaries.temporal import today

pytestmark = pytest.mark.django_db

SEARCH = {"level": None, "parent": None, "as_of": None, "limit": 20}


def find(q: str, **kwargs) -> dict:
    return search.search_divisions(q, **(SEARCH | kwargs))


def names(result: dict) -> list[str]:
    return [item["name"] for item in result["items"]]


def make_village(code: str, name: str, parent: str, valid_from=None, valid_to=None):
    """A village version under an existing township, keyed as the loader keys it."""
    place = place_name(name, 5)
    return DivisionVersion.objects.create(
        code=code, name=name, place_name=place, level=5, kind=division_kind(name, 5),
        parent_code=parent.ljust(12, "0"), valid_from=valid_from, valid_to=valid_to,
        **search_keys(name, place),
    )


@pytest.mark.parametrize("q", ["钟山区", "鍾山區", "钟山", "zhongshan", "zhong shan", "ZhongShan"])
def test_it_finds_zhongshan_district_first(divisions_db, q):
    first = find(q)["items"][0]
    assert (first["code"], first["short_code"], first["name"]) == (
        "520201000000", "520201", "钟山区")
    assert first["level"] == "county"
    assert first["current"] is True
    assert first["parent_name"] == "六盘水市"


def test_it_normalises_traditional_and_full_width_queries(divisions_db):
    assert find("鍾山區")["normalized"] == "钟山区"
    assert find("ＬＰＳ")["normalized"] == "lps"
    assert find("江門")["normalized"] == "江门"


def test_it_says_which_kind_of_match(divisions_db):
    assert find("钟山区")["items"][0]["match"] == "exact"
    assert find("钟山")["items"][0]["match"] == "prefix"
    assert find("zhongshan")["items"][0]["match"] == "pinyin"


def test_it_finds_liupanshui_by_initials(divisions_db):
    first = find("lps")["items"][0]
    assert (first["name"], first["match"]) == ("六盘水市", "initials")


def test_it_takes_an_apostrophe_as_a_syllable_break(divisions_db):
    found = find("xin'an")
    assert "新安社区居民委员会" in names(found)
    assert all(item["match"] in ("pinyin", "initials") for item in found["items"])
    assert find("chang'an")["items"][0]["name"] == "长安镇"


def test_it_does_not_match_across_an_apostrophe(divisions_db):
    """xi'an is 西安, not 享堂 (xiangtang) nor 先锋 (xianfeng), which "xian" finds."""
    for code, name in [("520201016103", "西安村村民委员会"), ("520201016104", "享堂村村民委员会"),
                       ("520201016105", "先锋村村民委员会")]:
        make_village(code, name, "520201016")
    assert {"西安村村民委员会", "享堂村村民委员会", "先锋村村民委员会"} <= set(names(find("xian")))
    assert names(find("xi'an")) == ["西安村村民委员会"]
    assert names(find("xi’an")) == ["西安村村民委员会"]  # the typographic apostrophe
    assert names(find("xi'ancun")) == ["西安村村民委员会"]
    # In the loaded codes: chang'an is 长安, never a "changa…" read across the break.
    found = find("chang'an")
    assert names(found) and all(n.startswith("长安") for n in names(found))
    assert all(i["match"] == "pinyin" for i in found["items"])


def test_it_answers_a_one_character_query(divisions_db):
    found = find("寨")
    assert len(found["items"]) == 20 <= found["count"]
    assert all("寨" in name for name in names(found))


def test_it_answers_a_two_character_query(divisions_db):
    found = find("大箐")
    assert found["count"] >= 4
    assert all("大箐" in name for name in names(found))


def test_it_ranks_exact_before_prefix_before_fuzzy(divisions_db):
    # Codes below the exact hits' (520201016201), so only the tier can put them after.
    make_village("520201016100", "老凤凰村村民委员会", "520201016")
    make_village("520201016101", "凤凰村坝村民委员会", "520201016")
    found = find("凤凰村")
    assert [(i["name"], i["match"]) for i in found["items"]] == [
        ("凤凰村村民委员会", "exact"), ("凤凰村村民委员会", "exact"),
        ("凤凰村坝村民委员会", "prefix"), ("老凤凰村村民委员会", "fuzzy"),
    ]
    assert [i["code"] for i in found["items"][:2]] == ["520201016201", "520204105211"]


def test_it_ranks_higher_levels_first_within_a_tier(divisions_db):
    levels = [item["level"] for item in find("凤凰")["items"]]
    assert levels.index("township") < levels.index("village")
    assert levels == sorted(levels, key=["township", "village"].index)


def test_it_ranks_current_before_historical(divisions_db):
    old = make_village("520201016102", "凤凰村村民委员会", "520201016",
                       valid_from=date(2000, 1, 1), valid_to=date(2010, 1, 1))
    found = find("凤凰村", as_of=date(2005, 6, 1))
    exact = [(i["code"], i["current"]) for i in found["items"] if i["match"] == "exact"]
    assert exact == [("520201016201", True), ("520204105211", True), (old.code, False)]
    assert found["items"][2]["valid_to"] == date(2010, 1, 1)


def record_panxian():
    services.division_record_predecessor(
        code="520281", level=3, old_code="520222", old_name="盘县",
        effective_date=date(2017, 4, 14), event_kind="kind_change", actor=system_actor())


def test_it_finds_a_retired_name_without_a_date_as_former_with_its_successor(divisions_db):
    assert find("盘县", as_of=today())["items"] == []  # a date answers as before
    record_panxian()
    hit = find("盘县")["items"][0]
    assert (hit["code"], hit["name"], hit["match"]) == ("520222000000", "盘县", "exact")
    assert hit["former"] is True and hit["current"] is False
    assert hit["valid_to"] == date(2017, 4, 14)
    assert [(s["code"], s["name"]) for s in hit["successors"]] == [("520281000000", "盘州市")]
    assert [i["code"] for i in find("盘县", as_of=today())["items"]] == []
    dated = find("盘县", as_of=date(2010, 1, 1))["items"]
    assert [(i["code"], i["former"], i["successors"]) for i in dated] == [
        ("520222000000", False, [])]


def test_it_ranks_former_names_after_current_ones_and_skips_names_still_in_force(divisions_db):
    record_panxian()
    found = find("pan")["items"]
    flags = [i["former"] for i in found]
    assert True in flags and flags == sorted(flags)
    # The townships recoded with the county keep their names: no former hit for them.
    township = DivisionVersion.objects.filter(code__startswith="520281", level=4,
                                              valid_to__isnull=True).first()
    hits = find(township.name)["items"]
    assert [i["code"] for i in hits if i["name"] == township.name] == [township.code]
    assert not any(i["former"] for i in hits if i["name"] == township.name)


def test_it_finds_retired_names_through_the_api(client, divisions_db):
    record_panxian()
    body = client.get("/api/v1/divisions", {"q": "盘县"}).json()
    assert body["items"][0]["former"] is True
    assert body["items"][0]["successors"][0]["short_code"] == "520281"
    assert client.get("/api/v1/divisions", {"q": "盘县", "as_of": "2020-01-01"}).json()[
        "items"] == []


def test_it_answers_as_of_a_date(divisions_db):
    make_village("520201016102", "凤凰旧村村民委员会", "520201016",
                 valid_from=date(2000, 1, 1), valid_to=date(2010, 1, 1))
    assert "凤凰旧村村民委员会" not in names(find("凤凰旧村", as_of=today()))
    assert names(find("凤凰旧村", as_of=date(2005, 6, 1))) == ["凤凰旧村村民委员会"]
    assert [i["former"] for i in find("凤凰旧村", as_of=date(2005, 6, 1))["items"]] == [False]
    assert "凤凰旧村村民委员会" not in names(find("凤凰旧村", as_of=date(1999, 1, 1)))


def test_it_filters_by_level(divisions_db):
    found = find("钟山", level=5)
    assert names(found) == ["钟山社区居民委员会", "钟山村村民委员会"]
    assert {item["level"] for item in found["items"]} == {"village"}
    assert names(find("钟山", level=3)) == ["钟山区"]


def test_it_filters_by_parent(divisions_db):
    under_shuicheng = find("凤凰", parent=("520204000000", 3))
    assert [i["code"] for i in under_shuicheng["items"]] == ["520204105211"]
    # A 12-digit code without a level: its zeros make it the county 520201.
    under_zhongshan = find("凤凰", parent=("520201000000", None))
    assert [i["code"] for i in under_zhongshan["items"]] == ["520201016000", "520201016201"]
    assert [i["parent_name"] for i in under_zhongshan["items"]] == ["钟山区", "凤凰街道"]
    assert names(find("凤凰", parent=("441900000000", 2))) == ["凤凰岗社区居民委员会"]


def test_it_does_not_return_the_parent_itself_or_placeholders(divisions_db):
    under_dongguan = names(find("东莞", parent=("441900000000", 2)))
    assert under_dongguan
    assert "东莞市" not in under_dongguan
    # 东莞市 has a county-level echo (a placeholder): the city is found once.
    assert [(i["name"], i["level"]) for i in find("东莞市")["items"]] == [
        ("东莞市", "prefecture")]


def test_it_suggests_similar_names_on_a_miss(divisions_db):
    found = find("钟山县")
    assert found["items"][0]["name"] == "钟山区"
    assert found["items"][0]["match"] == "fuzzy"


def test_it_returns_each_division_once_in_its_best_tier(divisions_db):
    codes = [(i["code"], i["level"]) for i in find("钟山")["items"]]
    assert len(codes) == len(set(codes))


def test_it_walks_and_collects_to_the_same_page(divisions_db):
    """The walk-or-collect choice is about speed only: both give the same ranking."""
    for q in ["寨", "大箐", "钟山区", "lps", "zhongshan"]:
        prep = search.prepare(q, level=None, parent=None, as_of=date.today(), limit=20)
        every_part = {(s, b.tier) for s in prep.slices for b in prep.branches}
        with connection.cursor() as cur:
            cur.execute(*search.search_sql(prep, walk=set()))
            collected = cur.fetchall()
            cur.execute(*search.search_sql(prep, walk=every_part))
            walked = cur.fetchall()
        assert collected == walked, q
        assert collected, q


SHAPES = {
    "one character": "村", "two characters": "大箐", "three or more": "大箐村村民委员会",
    "traditional": "鍾山區", "pinyin": "zhongshan", "initials": "lps", "miss": "钟山县",
}


def issued_sql(q: str, **kwargs) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        find(q, **kwargs)
    # The estimate is an EXPLAIN and reads nothing; the rest are the searches and SET.
    return [c["sql"] for c in captured.captured_queries if c["sql"].lstrip().startswith("SELECT")]


def walk_variants(q: str, **kwargs) -> list[str]:
    """The statements the whole-country planner would run for common terms."""
    prep = search.prepare(q, **({"level": None, "parent": None, "as_of": date.today(),
                                 "limit": 20} | kwargs))
    every_part = {(s, b.tier) for s in prep.slices for b in prep.branches}
    statements = [search.search_sql(prep, walk=every_part)]
    if prep.similar:
        statements.append(search.similar_sql(prep))
    with connection.cursor() as cur:
        return [cur.mogrify(sql, params).decode() for sql, params in statements]


def plan_of(sql: str) -> str:
    # The fixture is small enough that a sequential scan would win; with it disabled
    # the plan shows whether an index can serve every part on the whole country.
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.mark.parametrize("shape", SHAPES)
def test_it_reads_the_division_table_through_indexes_only(divisions_db, shape):
    q = SHAPES[shape]
    statements = issued_sql(q) + walk_variants(q) + issued_sql(q, level=5) \
        + issued_sql(q, parent=("520200000000", 2), as_of=date(2020, 1, 1))
    assert len(issued_sql(q)) <= 3  # (similar on a miss) + ranking + parent names
    for sql in statements:
        plan = plan_of(sql)
        assert "Seq Scan on boundaries_divisionversion" not in plan, plan
        assert "Index" in plan, plan


def test_it_answers_through_the_api(client, divisions_db):
    response = client.get("/api/v1/divisions", {"q": "鍾山", "level": "county"})
    assert response.status_code == 200
    body = response.json()
    assert body["query"] == "鍾山"
    assert body["normalized"] == "钟山"
    assert body["count"] == 1
    assert body["items"] == [{
        "code": "520201000000", "short_code": "520201", "name": "钟山区", "level": "county",
        "kind": "市辖区", "valid_from": None, "valid_to": None, "current": True,
        "match": "prefix", "parent_name": "六盘水市", "former": False, "successors": [],
    }]


def test_it_filters_by_parent_and_limit_through_the_api(client, divisions_db):
    body = client.get("/api/v1/divisions", {"q": "寨", "parent": "520204", "limit": 5}).json()
    assert len(body["items"]) == 5 <= body["count"]
    assert all(item["code"].startswith("520204") for item in body["items"])


@pytest.mark.parametrize("q", ["", "   ", "　"])
def test_it_rejects_an_empty_query(client, divisions_db, q):
    response = client.get("/api/v1/divisions", {"q": q})
    assert response.status_code == 400
    assert "q" in response.json()["detail"]


def test_it_serves_a_repeated_search_from_the_cache_for_its_max_age(client, divisions_db,
                                                                     settings):
    url = "/api/v1/divisions?q=钟山区&level=county"
    first = client.get(url)
    assert [i["code"] for i in first.json()["items"]] == ["520201000000"]
    DivisionVersion.objects.filter(code="520201000000", level=3).update(
        name="钟山新区", place_name="钟山新区")
    assert client.get(url).content == first.content  # as Cache-Control allows
    settings.SEARCH_CACHE_SECONDS = 0
    cache.clear()
    fresh = client.get(url).json()
    assert "520201000000" not in [i["code"] for i in fresh["items"]]
    assert client.get(url).json() == fresh
