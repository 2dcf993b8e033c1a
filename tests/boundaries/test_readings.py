"""The place-name reading table: readings, search keys, re-keying and the sign check.

Rows written before a reading was in the table are made here with the old key they would
have had (pypinyin's zhao for 朝), as a database holding older rows has them.
"""

import pytest
from django.contrib.gis.geos import Point
from django.core.management import call_command
from pypinyin import Style, lazy_pinyin

from accounts.services import system_actor
from boundaries import readings, search
from boundaries.models import DivisionVersion
from boundaries.names import division_kind, romanize_county, search_keys
from gazetteer import selectors, signs
from gazetteer.models import Place
from gazetteer.names import romanize, toneless
from proposals.services import search_keys_rekey

SEARCH = {"level": None, "parent": None, "as_of": None, "limit": 50}


@pytest.mark.parametrize(("name", "latin"), [
    ("朝阳区", "Chaoyang Qu"), ("单县", "Shan Xian"), ("尉氏县", "Yushi Xian"),
    ("六安市", "Lu'an Shi"), ("都匀市", "Duyun Shi"), ("长治市", "Changzhi Shi"),
    ("长子县", "Zhangzi Xian"), ("洪洞县", "Hongtong Xian"), ("佛冈县", "Fogang Xian"),
    ("什邡市", "Shifang Shi"), ("涡阳县", "Guoyang Xian"), ("钟山区", "Zhongshan Qu"),
    ("长阳土家族自治县", "Changyang Tujiazu Zizhixian"), ("万柏林区", "Wanbailin Qu"),
    ("西盟佤族自治县", "Ximeng Vazu Zizhixian"), ("峰峰矿区", "Fengfeng Kuangqu"),
])
def test_it_romanizes_county_names_with_their_place_reading(name, latin):
    assert romanize_county(name) == latin


def test_it_reads_a_phrase_across_the_generic():
    """单 alone is dān; the county 单县 is Shan Xian, read as one phrase."""
    assert romanize("单", "县") == "Shan Xian"
    assert romanize("朝阳", "街道") == "Chaoyang Jiedao"
    assert romanize("朝霞", "街道") == "Zhaoxia Jiedao"  # 朝 is zhāo outside the table's words


def test_it_registers_every_row_of_the_table_in_pypinyin():
    table = readings.readings()
    assert readings.register() == len(table) > 400
    misread = [phrase for phrase, syllables in table.items()
               if lazy_pinyin(phrase, style=Style.TONE) != [s[0] for s in syllables]]
    assert misread == []


def test_it_keys_search_and_homophones_by_the_place_reading():
    keys = search_keys("朝阳街道", "朝阳街道")
    assert (keys["pinyin"], keys["initials"]) == ("chaoyangjiedao", "cyjd")
    assert toneless("朝阳区") == "chaoyangqu" != toneless("昭阳区")


def _township(code: str, name: str, **keys) -> DivisionVersion:
    return DivisionVersion.objects.create(
        code=code, name=name, place_name=name, level=4, kind=division_kind(name, 4),
        parent_code="520201000000", **(search_keys(name, name) | keys))


def _found(q: str) -> list[str]:
    return [item["name"] for item in search.search_divisions(q, **SEARCH)["items"]]


@pytest.mark.django_db
def test_it_finds_chaoyang_by_its_place_reading(divisions_db):
    _township("520201098000", "朝阳街道")
    assert "朝阳街道" in _found("chaoyang")
    assert "朝阳街道" in _found("cyjd")
    assert "朝阳街道" not in _found("zhaoyang")


@pytest.mark.django_db
def test_it_rekeys_a_division_written_with_the_old_key(divisions_db):
    old = _township("520201099000", "朝阳街道", pinyin="zhaoyangjiedao",
                    place_pinyin="zhaoyangjiedao", initials="zyjd")
    call_command("rekey_search", "--quiet")  # a preview writes nothing
    old.refresh_from_db()
    assert old.pinyin == "zhaoyangjiedao"

    call_command("rekey_search", "--commit", "--quiet")
    old.refresh_from_db()
    assert (old.pinyin, old.place_pinyin, old.initials) == (
        "chaoyangjiedao", "chaoyangjiedao", "cyjd")
    assert "朝阳街道" in _found("chaoyang")
    assert "朝阳街道" not in _found("zhaoyang")


@pytest.mark.django_db
def test_it_rekeys_places_and_the_sign_check_then_accepts_a_correct_sign(make_place):
    place = make_place("朝阳路")
    assert place.romanization == "Chaoyang Lu"
    signs.signs_create(actor=system_actor(), signs=[{
        "code": "CY1", "place_id": place.id, "romanization": "Chaoyang Lu",
        "location": Point(104.83, 26.59, srid=4490)}])
    assert "CY1" not in [s.code for s in selectors.signs_mismatched()]

    # As written before the table: the correct sign was flagged against a wrong reading.
    Place.objects.filter(id=place.id).update(romanization="Zhaoyang Lu", pinyin="zhaoyanglu",
                                             initials="zyl")
    assert "CY1" in [s.code for s in selectors.signs_mismatched()]

    report = search_keys_rekey(actor=system_actor(), commit=True)
    assert report["places"]["changed"] >= 1
    place.refresh_from_db()
    assert (place.romanization, place.pinyin, place.initials) == (
        "Chaoyang Lu", "chaoyanglu", "cyl")
    assert "CY1" not in [s.code for s in selectors.signs_mismatched()]
    assert search_keys_rekey(actor=system_actor(), commit=True)["places"]["changed"] == 0


@pytest.mark.django_db
def test_it_rekeys_a_former_name_but_history_stays_append_only(make_place):
    from django.db import DatabaseError, transaction

    from gazetteer.models import PlaceName

    place = make_place("建设路", variants=[("former", "朝阳路")])
    former = PlaceName.objects.get(place=place, name="朝阳路")
    assert former.pinyin == "chaoyanglu"
    PlaceName.objects.filter(id=former.id).update(pinyin="zhaoyanglu", initials="zyl")

    report = search_keys_rekey(actor=system_actor(), commit=True)
    assert report["variants"]["changed"] >= 1
    former.refresh_from_db()
    assert (former.pinyin, former.initials) == ("chaoyanglu", "cyl")
    with pytest.raises(DatabaseError, match="append-only|permission denied"), transaction.atomic():
        PlaceName.objects.filter(id=former.id).update(name="朝阳大道")


@pytest.mark.as_owner
@pytest.mark.django_db
def test_it_refuses_even_the_owner_a_rewrite_of_a_former_name_beyond_its_keys(make_place):
    from django.db import DatabaseError, transaction

    from gazetteer.models import PlaceName

    place = make_place("建设路", variants=[("former", "朝阳路")])
    former = PlaceName.objects.filter(place=place, name="朝阳路")
    assert former.update(pinyin="chaoyanglu", initials="cyl") == 1  # keys: let through
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        former.update(name="朝阳大道", pinyin="chaoyangdadao")
