"""Recording a predecessor (撤县设市 and the like) on the real 2023 codes of 六盘水."""

from datetime import date, timedelta

import pytest
from django.db import connection

from accounts.services import system_actor
from boundaries import selectors, services
from boundaries.models import DivisionEvent, DivisionVersion, EventKind

pytestmark = pytest.mark.django_db

PANZHOU = "520281000000"
PANXIAN = "520222000000"
CHANGED = date(2017, 4, 14)


def record(**overrides):
    args = dict(code="520281", level=3, old_code="520222", old_name="盘县",
                effective_date=CHANGED, event_kind=EventKind.KIND_CHANGE, subkind="撤县设市",
                approving_authority="国务院", actor=system_actor())
    return services.division_record_predecessor(**(args | overrides))


def subtree(prefix: str, **filters):
    return DivisionVersion.objects.filter(code__startswith=prefix, level__gt=3, **filters)


def uncovered_children() -> list:
    """Every version whose parent code, one level up, does not cover its whole period."""
    with connection.cursor() as cur:
        cur.execute("""
            WITH spans AS (
                SELECT code, level, range_agg(daterange(valid_from, valid_to)) AS span
                FROM boundaries_divisionversion GROUP BY code, level)
            SELECT c.code, c.name FROM boundaries_divisionversion c
            LEFT JOIN spans s ON s.code = c.parent_code AND s.level = c.level - 1
            WHERE c.parent_code IS NOT NULL
              AND (s.code IS NULL OR NOT s.span @> daterange(c.valid_from, c.valid_to))
        """)
        return cur.fetchall()


def test_it_answers_the_old_name_before_and_the_new_one_after(client, divisions_db):
    record()
    before = client.get("/api/v1/divisions/520222?as_of=2016-06-01").json()
    after = client.get("/api/v1/divisions/520281?as_of=2018-01-01").json()
    assert before["name"] == "盘县"
    assert before["kind"] == "县"
    assert [a["name"] for a in before["ancestors"]] == ["贵州省", "六盘水市"]
    assert before["valid_from"] is None
    assert before["valid_to"] == CHANGED.isoformat()
    assert after["name"] == "盘州市"
    assert after["valid_from"] == CHANGED.isoformat()
    assert client.get("/api/v1/divisions/520281?as_of=2016-06-01").status_code == 404
    assert client.get("/api/v1/divisions/520222?as_of=2018-01-01").status_code == 404


def test_it_recodes_the_whole_subtree_under_the_old_prefix(divisions_db):
    current = {v.code[6:]: v for v in subtree("520281")}
    record()
    old = {v.code[6:]: v for v in subtree("520222")}
    assert old.keys() == current.keys()
    assert len(old) > 500
    for suffix, version in old.items():
        assert version.name == current[suffix].name
        assert version.valid_to == CHANGED
        assert version.pinyin == current[suffix].pinyin
        assert version.grams
        assert version.parent_code.startswith("520222")
    assert subtree("520281", valid_from=CHANGED).count() == len(current)
    village = old[min(k for k, v in old.items() if v.level == 5)]
    chain = selectors.ancestors(village, date(2016, 6, 1))
    assert [a.name for a in chain][:3] == ["贵州省", "六盘水市", "盘县"]


def test_it_computes_the_predecessors_kind_and_search_keys(divisions_db):
    record(old_name="盘县")
    old = DivisionVersion.objects.get(code=PANXIAN, level=3)
    assert old.kind == "县"
    assert old.place_name == "盘县"
    assert old.pinyin == "panxian"
    assert old.initials == "px"
    assert "盘县" in old.grams


def test_it_links_the_change_and_each_recoded_unit(client, divisions_db):
    event = record(approval_document="")
    assert event.kind == EventKind.KIND_CHANGE
    assert event.subkind == "撤县设市"
    assert [v.code for v in event.inputs.all()] == [PANXIAN]
    assert [v.code for v in event.outputs.all()] == [PANZHOU]
    lineage = client.get("/api/v1/divisions/520222/lineage").json()
    assert [s["code"] for s in lineage["successors"]] == [PANZHOU]
    old_village = subtree("520222", level=5).order_by("code").first()
    successors = selectors.successors_of([old_village.id])
    assert [v.code for v in successors] == ["520281" + old_village.code[6:]]
    recodes = DivisionEvent.objects.filter(kind=EventKind.RECODE)
    assert recodes.count() == subtree("520222").count()
    assert all(e.effective_date == CHANGED for e in recodes)


def test_it_leaves_every_child_covered_by_its_parent(divisions_db):
    record()
    record(code="520204", old_code="520221", old_name="水城县", subkind="撤县设区",
           effective_date=date(2020, 7, 18))
    assert uncovered_children() == []


def test_it_refuses_a_date_in_the_future(divisions_db):
    with pytest.raises(services.ChangeRefused, match="future"):
        record(effective_date=date.today() + timedelta(days=1))
    assert not DivisionVersion.objects.filter(code=PANXIAN).exists()


def test_it_refuses_to_record_the_same_change_twice(divisions_db):
    record()
    versions = DivisionVersion.objects.count()
    with pytest.raises(services.ChangeRefused, match="recorded already"):
        record()
    assert DivisionVersion.objects.count() == versions


def test_it_refuses_an_old_code_in_use_then(divisions_db):
    # 520201 is 钟山区, in force throughout.
    with pytest.raises(services.ChangeRefused, match="520201"):
        record(old_code="520201")
    assert DivisionVersion.objects.filter(valid_to__isnull=False).count() == 0


def test_it_refuses_an_old_code_whose_parent_did_not_exist(divisions_db):
    with pytest.raises(services.ChangeRefused, match="parent 529900000000"):
        record(old_code="529922")
    assert not DivisionVersion.objects.filter(code__startswith="5299").exists()
    assert DivisionVersion.objects.get(code=PANZHOU, level=3).valid_from is None


@pytest.mark.parametrize("overrides, message", [
    ({"event_kind": EventKind.MERGE}, "keep the territory"),
    ({"old_code": "520281"}, "own code"),
    ({"old_code": "5202221"}, "6-digit"),
    ({"old_name": " "}, "needs a name"),
    ({"code": "520299"}, "no division"),
])
def test_it_refuses_malformed_input(divisions_db, overrides, message):
    with pytest.raises(services.ChangeRefused, match=message):
        record(**overrides)
    assert not DivisionEvent.objects.exists()


def test_it_shares_a_polygon_across_the_change(divisions_db):
    event = record()
    with connection.cursor() as cur:
        cur.execute("""UPDATE boundaries_divisionversion SET geometry_source = 'survey',
                       geom = ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(104.6, 25.8), 4490), 0.1))
                       WHERE code = %s AND level = 3""", [PANXIAN])
    assert services.division_share_geometry(event_ids=[event.id]) == 1
    new = DivisionVersion.objects.get(code=PANZHOU, level=3)
    old = DivisionVersion.objects.get(code=PANXIAN, level=3)
    assert new.geom.equals_exact(old.geom)
    assert "盘县" in new.geometry_source
    assert services.division_share_geometry(event_ids=[event.id]) == 0


def test_it_records_who_recorded_the_change_on_every_event(divisions_db):
    from django.contrib.auth.models import User

    clerk = User.objects.create(username="history-clerk")
    event = record(actor=clerk)
    recoded = DivisionEvent.objects.filter(kind=EventKind.RECODE, effective_date=CHANGED)
    assert event.actor == clerk
    assert recoded.exists()
    assert set(recoded.values_list("actor", flat=True)) == {clerk.pk}
