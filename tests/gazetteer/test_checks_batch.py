"""Many names checked at once (gazetteer.checks_batch) answer as the single check does."""

from datetime import date

import pytest
from django.db import connection

from accounts.services import system_actor
from config.errors import BadRequest
from gazetteer import services
from gazetteer.checks import check_name
from gazetteer.checks_batch import check_names
from gazetteer.models import NamingBan, PlaceClass

pytestmark = pytest.mark.django_db


def both(cls: str, names: list[tuple[str, str]], as_of: date = date(2024, 1, 1)):
    """The batch (the class given by its slug, and as the instance) and the single check."""
    place_class = PlaceClass.objects.get(slug=cls)
    batch = [r.as_dict() for r in check_names(names=names, place_class=cls, as_of=as_of)]
    assert batch == [r.as_dict() for r in check_names(names=names, place_class=place_class,
                                                      as_of=as_of)]
    single = [check_name(name=n, place_class=place_class, division_code=d,
                         as_of=as_of).as_dict() for n, d in names]
    return batch, single


def test_it_answers_township_names_as_the_single_check(divisions_db):
    with connection.cursor() as cur:
        cur.execute("SELECT name, parent_code FROM boundaries_divisionversion WHERE level = 4 "
                    "AND code LIKE '520201%%' AND kind = '镇' ORDER BY code LIMIT 1")
        town, county = cur.fetchone()
    NamingBan.objects.get_or_create(pattern="皇家", defaults={"category": "grandiose"})
    names = [(town, county), (town, "520203"), ("鍾山鎮", county[:6]), ("皇家镇", "520201"),
             ("新城镇", "520201000000"), ("A镇", "520201"), ("镇", "520204"), (town, county)]
    batch, single = both("township", names)
    assert batch == single
    assert any(f["rule"] == "unique" and f["severity"] == "block"
               for f in batch[0]["findings"])
    assert not any(f["rule"] == "unique" for f in batch[1]["findings"])
    assert any(f["rule"] == "banned_pattern" for f in batch[3]["findings"])


def test_it_answers_county_names_with_their_city_homophones_as_the_single_check(divisions_db):
    batch, single = both("county", [("中山区", "5202"), ("中山区", "4419"), ("钟山区", "4419"),
                                    ("凉都区", "5202")])
    assert batch == single
    assert [f["severity"] for f in batch[0]["findings"] if f["rule"] == "unique"] == ["block"]
    assert [f["severity"] for f in batch[1]["findings"] if f["rule"] == "unique"] == ["warn"]


def test_it_answers_places_of_the_class_group_as_the_single_check(make_place):
    existing = make_place("人民路")
    old = make_place("红旗路", valid_from=date(1990, 1, 1))
    services.place_cancel(place_id=old.id, effective_date=date(2010, 1, 1),
                          document_number="", reason="道路拆除", actor=system_actor())
    names = [("仁民路", "520204"), ("人民路", "4419"), ("红旗路", "520201"), ("人民路路", "520201")]
    for as_of in (date(2005, 1, 1), date(2024, 1, 1)):
        batch, single = both("road", names, as_of)
        assert batch == single
    assert batch[0]["findings"][0]["evidence"][0]["id"] == existing.id


def test_it_refuses_an_unknown_division_as_the_single_check(divisions_db):
    with pytest.raises(BadRequest, match="999999"):
        both("township", [("新镇", "520201"), ("新镇", "999999")])


PAIR_SQL = """
SELECT a.code, b.code FROM boundaries_divisionversion a JOIN boundaries_divisionversion b
  ON b.level = 5 AND b.valid_to IS NULL AND a.code < b.code AND {on}
WHERE a.level = 5 AND a.valid_to IS NULL ORDER BY a.code, b.code LIMIT 1
"""


def test_it_finds_the_village_clashes_of_a_group_by_each_key_and_only_within_it(divisions_db):
    from gazetteer.checks_batch import group_clashes

    with connection.cursor() as cur:
        cur.execute(PAIR_SQL.format(on="b.place_pinyin = a.place_pinyin "
                                       "AND b.place_name <> a.place_name"))
        homophones = cur.fetchone()
        cur.execute(PAIR_SQL.format(on="b.place_name = a.place_name"))
        same = cur.fetchone()
        cur.execute("SELECT code FROM boundaries_divisionversion WHERE level = 5 "
                    "AND valid_to IS NULL ORDER BY code LIMIT 1")
        other = cur.fetchone()[0]
    # the homophones also in two groups of their own, one each: no clash there
    members = ([("g1", c) for c in (*homophones, *same, other)]
               + [("g2", homophones[0]), ("g3", homophones[1])])
    found = group_clashes(members=members, level=5, as_of=date(2024, 1, 1))
    assert set(found) == {"g1"}
    pairs = {tuple(e["code"] for e in f.evidence): f.evidence[0]["match"] for f in found["g1"]}
    assert pairs[homophones] == "homophone"
    assert pairs[same] == "same_name"
    assert all(f.severity == "block" for f in found["g1"])
