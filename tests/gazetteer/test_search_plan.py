"""Common terms walk the id order, rare ones are collected; the page is the same either way."""

import pytest
from django.db import connection

from boundaries.names import normalize
from gazetteer import search
from gazetteer.models import PlaceClass

# The fixtures ANALYZE the tables they fill, which only their owner may do.
pytestmark = [pytest.mark.django_db, pytest.mark.as_owner]


@pytest.fixture
def many_roads(divisions_db):
    road = PlaceClass.objects.get(slug="road")
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO gazetteer_place (name, specific, generic, place_class_id, romanization,"
            " romanization_override, traditional, meaning, history, status, heritage_category,"
            " pinyin, initials, grams, created_at) SELECT '测' || i || '路', '测' || i, '路', %s,"
            " '', '', '', '', '', 'standard', '', 'ce' || i || 'lu', 'c' || i || 'l',"
            " ARRAY['测', '路'], now() FROM generate_series(1, 3000) AS i", [road.id])
        cur.execute("ANALYZE gazetteer_place")


def test_it_walks_for_a_common_term_and_collects_a_rare_one(many_roads):
    params = {"limit": 20, "offset": 40, "window": 60}
    where = search.Filters().sql(params)
    assert 4 in search.walking_tiers(search.conditions(normalize("路"), params), where, params)
    rare = {"limit": 20, "offset": 0, "window": 20}
    where = search.Filters().sql(rare)
    assert search.walking_tiers(search.conditions(normalize("测1路"), rare), where, rare) == set()


def test_it_finds_the_same_page_walking_or_collecting(many_roads, monkeypatch):
    walked = search.search_places("路", search.Filters(), limit=20, offset=40)
    monkeypatch.setattr(search, "walking", lambda *args: {"place": set(), "variant": set()})
    collected = search.search_places("路", search.Filters(), limit=20, offset=40)
    assert walked == collected
    assert len(walked) == 20
    assert [row[0] for row in walked] == sorted(row[0] for row in walked)


@pytest.fixture
def many_variants(many_roads):
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO gazetteer_placename (place_id, name, kind, pinyin, initials, grams)"
            " SELECT id, '老' || name, 'colloquial', 'lao' || pinyin, 'l' || initials,"
            " grams || ARRAY['老'] FROM gazetteer_place WHERE name LIKE '测%%'")
        cur.execute("ANALYZE gazetteer_placename")


def test_it_walks_the_variants_for_a_common_term(many_variants):
    params = {"limit": 20, "offset": 0, "window": 20}
    where = search.Filters().sql(params)
    walk = search.walking(search.conditions(normalize("老"), params), where, params)
    assert 4 in walk["variant"]


def test_it_finds_the_same_variant_page_walking_or_collecting(many_variants, monkeypatch):
    walked = search.search_places("老", search.Filters(), limit=20, offset=40)
    monkeypatch.setattr(search, "walking", lambda *args: {"place": set(), "variant": set()})
    collected = search.search_places("老", search.Filters(), limit=20, offset=40)
    assert walked == collected
    assert len(walked) == 20
    assert all(kind == "colloquial" for _, kind, _, _ in walked)


def test_it_skips_the_contains_tier_only_when_better_tiers_fill_the_page(many_roads):
    def everything(q, limit, offset):
        params = {"limit": limit, "offset": offset, "window": limit + offset}
        where = search.Filters().sql(params)
        return search._matches(search.conditions(normalize(q), params), where, params)

    # 测1… prefixes fill the window; 路 as a prefix does not (it is only contained).
    for q, offset in [("测1", 0), ("测1", 60), ("路", 0)]:
        page = search.search_places(q, search.Filters(), limit=20, offset=offset)
        assert page == everything(q, 20, offset)
        assert len(page) == 20
    assert {tier for *_, tier in search.search_places("路", search.Filters(), limit=5,
                                                      offset=0)} == {4}


def test_it_counts_exactly_below_the_limit_and_stops_at_it(many_roads, monkeypatch):
    expected = sum("测12" in f"测{i}路" for i in range(1, 3001))
    assert search.count_places("测12", search.Filters()) == expected
    monkeypatch.setattr(search, "COUNT_LIMIT", 500)
    assert search.count_places("路", search.Filters()) == 500
    assert search.count_places("测12", search.Filters()) == expected
