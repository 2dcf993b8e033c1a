"""The statutory check engine, rule by rule, on the real codes of 六盘水 and 东莞."""

from datetime import date

import pytest
from django.db import connection

from accounts.services import system_actor
from config.errors import BadRequest
from gazetteer import services
from gazetteer.checks import check_name
from gazetteer.models import PlaceClass
from tests.support import short_line

pytestmark = pytest.mark.django_db


def check(name, cls, division, **kwargs):
    return check_name(name=name, place_class=PlaceClass.objects.get(slug=cls),
                      division_code=division, **kwargs)


def rules(result, severity=None):
    return {f.rule for f in result.findings if severity in (None, f.severity)}


def test_it_blocks_a_county_name_homophone_of_a_county_in_the_same_city(divisions_db):
    result = check("中山区", "county", "5202")
    clash = [f for f in result.findings if f.rule == "unique"]
    assert len(clash) == 1
    assert clash[0].severity == "block"
    assert clash[0].evidence[0] | {} == {"code": "520201000000", "name": "钟山区", "level": 3,
                                         "match": "homophone"}
    assert result.romanization == "Zhongshan Qu"


def test_it_blocks_the_traditional_form_of_an_existing_county(divisions_db):
    result = check("鍾山區", "county", "5202")
    assert result.normalized == "钟山区"
    clash = next(f for f in result.findings if f.rule == "unique")
    assert clash.severity == "block"
    assert clash.evidence[0]["match"] == "same_name"
    assert clash.evidence[0]["code"] == "520201000000"


def test_it_counts_county_names_nationwide_but_homophones_strictly_within_the_city(divisions_db):
    same = next(f for f in check("钟山区", "county", "4419").findings if f.rule == "unique")
    assert same.severity == "block"
    assert same.evidence[0]["name"] == "钟山区"
    homophone = next(f for f in check("中山区", "county", "4419").findings if f.rule == "unique")
    assert homophone.severity == "warn"
    assert "unique" not in rules(check("凉都区", "county", "5202"))


def test_it_checks_township_names_within_the_county(divisions_db):
    with connection.cursor() as cur:
        cur.execute("SELECT name, parent_code FROM boundaries_divisionversion WHERE level = 4 "
                    "AND code LIKE '520201%%' AND kind = '镇' ORDER BY code LIMIT 1")
        town, county = cur.fetchone()
    assert "unique" in rules(check(town, "township", county[:6]), "block")
    other = "520203" if not county.startswith("520203") else "520201"
    assert "unique" not in rules(check(town, "township", other))
    with pytest.raises(BadRequest, match="county"):
        check(town, "township", "5202")


def test_it_checks_village_names_within_the_township(divisions_db):
    with connection.cursor() as cur:
        cur.execute("SELECT place_name, parent_code FROM boundaries_divisionversion "
                    "WHERE level = 5 AND place_name LIKE '%%村' ORDER BY code LIMIT 1")
        village, township = cur.fetchone()
    clash = next(f for f in check(village, "village", township[:9]).findings
                 if f.rule == "unique")
    assert clash.severity == "block"
    assert clash.evidence[0]["name"].startswith(village)


def test_it_blocks_a_street_homophone_within_the_city_only(make_place):
    existing = make_place("人民路")
    clash = next(f for f in check("仁民路", "road", "520204").findings if f.rule == "unique")
    assert clash.severity == "block"
    assert clash.evidence[0]["id"] == existing.id
    assert clash.evidence[0]["division_code"] == "520201000000"  # the deepest division
    assert clash.evidence[0]["match"] == "homophone"
    # 人民街 is another name of the same group; 人民路 in 东莞 is another city.
    assert "unique" not in rules(check("人民街", "street", "520201"))
    assert "unique" not in rules(check("人民路", "road", "4419"))


def test_it_ignores_cancelled_places_in_the_uniqueness_check(make_place):
    old = make_place("红旗路", valid_from=date(1990, 1, 1))
    services.place_cancel(place_id=old.id, effective_date=date(2010, 1, 1),
                          document_number="", reason="道路拆除", actor=system_actor())
    assert "unique" not in rules(check("红旗路", "road", "520201"))
    assert "unique" in rules(check("红旗路", "road", "520201", as_of=date(2005, 1, 1)))


@pytest.mark.parametrize("name, cls, rule", [
    ("人民路路", "road", "repeated_generic"),
    ("人民街路", "road", "repeated_generic"),
    ("人民大街路", "road", "repeated_generic"),
    ("人民巷路", "road", "repeated_generic"),
    ("人民路街", "street", "repeated_generic"),
    ("人民胡同大道", "road", "repeated_generic"),
    ("步行街路", "road", "repeated_generic"),
    ("幸福花园", "road", "generic_fit"),
    ("路", "road", "empty_specific"),
    ("皇家花园", "residential", "banned_pattern"),
    ("威尼斯水城小区", "residential", "banned_pattern"),
    ("A区路", "road", "charset"),
    ("钟山湖畔山水人家幸福美满小区", "residential", "length"),
])
def test_it_blocks_names_the_rules_forbid(divisions_db, name, cls, rule):
    result = check(name, cls, "520201")
    assert rule in rules(result, "block"), result.findings


@pytest.mark.parametrize("name, cls", [
    ("解放街", "street"), ("人民步行街", "street"), ("解放大街", "street"),
    ("万里路", "road"), ("牌坊街", "street"), ("一条路", "road"), ("人民巷", "lane"),
])
def test_it_keeps_names_whose_specific_only_looks_like_a_generic(divisions_db, name, cls):
    assert "repeated_generic" not in rules(check(name, cls, "520201"))


@pytest.mark.parametrize("name, cls", [("中山路步行街", "street"), ("铁道街", "street")])
def test_it_only_warns_on_a_generic_of_a_sibling_class_that_may_be_meant(divisions_db, name,
                                                                        cls):
    result = check(name, cls, "520201")
    assert "repeated_generic" in rules(result, "warn")
    assert "repeated_generic" not in rules(result, "block")


def test_it_names_the_classes_whose_generic_the_name_has(divisions_db):
    misfit = next(f for f in check("幸福花园", "street", "520201").findings
                  if f.rule == "generic_fit")
    assert {"class": "residential", "name": "住宅区", "generic": "花园"} in misfit.evidence


def test_it_passes_a_good_name_without_findings(divisions_db):
    result = check("凤凰北路", "road", "520201")
    assert result.findings == []
    assert result.romanization == "Fenghuangbei Lu"
    assert (result.specific, result.generic) == ("凤凰北", "路")


def test_it_warns_on_characters_outside_the_common_set(divisions_db):
    result = check("堃园路", "road", "520201")
    assert "charset" in rules(result, "warn")
    assert "charset" not in rules(result, "block")


def test_it_uses_the_editable_ban_list(divisions_db):
    from gazetteer.models import NamingBan

    assert "banned_pattern" not in rules(check("金象花园", "residential", "520201"))
    NamingBan.objects.create(pattern="金象", category="brand")
    finding = next(f for f in check("金象花园", "residential", "520201").findings
                   if f.rule == "banned_pattern")
    assert finding.evidence == [{"pattern": "金象", "category": "brand"}]


def test_it_blocks_renaming_a_heritage_name_until_an_extra_review(make_place):
    place = make_place("古城路", valid_from=date(1980, 1, 1), heritage_category="其他",
                       heritage_listed_on=date(2019, 6, 1))
    assert "heritage" in rules(check("新城路", "road", "520201", place=place), "block")
    services.review_record(place_id=place.id, reviewed_on=date.today(),
                           opinion="专家论证同意更名", document_number="地名委〔2024〕3号")
    assert "heritage" not in rules(check("新城路", "road", "520201", place=place))


def test_it_blocks_renaming_a_name_changed_within_the_last_years(make_place):
    recent = make_place("和平路", valid_from=date(date.today().year - 2, 1, 1))
    assert "stability" in rules(check("和顺路", "road", "520201", place=recent), "block")
    settled = make_place("胜利路", valid_from=date(2000, 1, 1))
    assert "stability" not in rules(check("胜利大道", "road", "520201", place=settled))
    with pytest.raises(BadRequest, match="stability"):
        services.place_rename(place_id=recent.id, new_name="和顺路", effective_date=date.today(),
                              document_number="", reason="test", actor=system_actor())


def test_it_does_not_count_the_renamed_place_against_itself(make_place):
    place = make_place("建设路", geom=short_line("520201"), valid_from=date(2000, 1, 1))
    assert "unique" not in rules(check("建設路", "road", "520201", place=place))


@pytest.mark.parametrize("sql_name", ["PLACES_SQL", "DIVISIONS_SQL"])
def test_it_serves_the_uniqueness_queries_from_indexes(divisions_db, sql_name):
    from django.db import transaction

    from gazetteer import checks

    params = {"los": ["5202"], "his": ["5203"], "city_los": ["5202"], "city_his": ["5203"],
              "name": "中山区", "pinyin": "zhongshanqu", "as_of": date.today(), "group": "街路巷",
              "exclude": 0, "max": 20, "level": 3}
    with transaction.atomic(), connection.cursor() as cur:
        # Tiny test tables are cheapest to scan; forbid it to see whether an index serves.
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute("EXPLAIN " + getattr(checks, sql_name), params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "Seq Scan" not in plan, plan
