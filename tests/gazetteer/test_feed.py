"""The change feed: naming events and division changes after a time, in order, paged."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.services import system_actor
from boundaries.models import DivisionEvent, DivisionVersion
from gazetteer import services

pytestmark = pytest.mark.django_db


def read_all(client, url, params=None):
    seen, pages = [], 0
    while url:
        response = client.get(url, params if not pages else None)
        assert response.status_code == 200, response.content
        body = response.json()
        seen.extend(body["items"])
        url, pages = body["next"], pages + 1
    return seen, pages


def test_it_lists_naming_events_and_division_changes_in_recorded_order(client, make_place):
    before = timezone.now() - timedelta(seconds=1)
    place = make_place("东风路", valid_from=date(1990, 1, 1))
    services.place_rename(place_id=place.id, new_name="凉都大道",
                          effective_date=date(2012, 1, 1), document_number="文1", reason="统一",
                          actor=system_actor())
    event = DivisionEvent.objects.create(kind="rename", effective_date=date(2020, 1, 1),
                                         approval_document="国函〔2020〕1号",
                                         actor=system_actor())
    event.outputs.add(DivisionVersion.objects.get(code="520204000000", level=3))
    items, pages = read_all(client, "/api/v1/changes",
                            {"since": before.isoformat(), "limit": 1})
    assert pages >= 3
    assert [(i["source"], i["kind"]) for i in items] == [
        ("place", "naming"), ("place", "renaming"), ("division", "rename")]
    assert items[1]["old_value"] == "东风路"
    assert items[1]["new_value"] == "凉都大道"
    assert items[2]["outputs"] == [{"code": "520204000000", "name": "水城区", "level": 3}]
    stamps = [i["recorded_at"] for i in items]
    assert stamps == sorted(stamps)


def test_it_does_not_skip_events_sharing_a_timestamp(client, make_place):
    place = make_place("石桥路")
    stamp = timezone.now() + timedelta(seconds=5)
    with connection.cursor() as cur:  # one transaction's events: one timestamp
        for value in ("甲", "乙", "丙"):
            cur.execute("INSERT INTO gazetteer_namingevent (place_id, kind, old_value, new_value,"
                        " effective_date, document_number, reason, actor_id, recorded_at) VALUES "
                        "(%s, 'reclassing', '', %s, %s, '', '', %s, %s)",
                        [place.id, value, date(2020, 1, 1), system_actor().pk, stamp])
    items, pages = read_all(client, "/api/v1/changes", {"limit": 1})
    tied = [i["new_value"] for i in items if i["recorded_at"] == items[-1]["recorded_at"]]
    assert sorted(tied) == ["丙", "乙", "甲"]
    assert pages >= 4


def test_it_starts_after_since(client, make_place):
    make_place("幸福路")
    later = timezone.now() + timedelta(seconds=1)
    assert client.get("/api/v1/changes", {"since": later.isoformat()}).json()["items"] == []


@pytest.mark.parametrize("query, fragment", [
    ("cursor=bm90LWEtY3Vyc29y", "cursor"),
    ("since=yesterday", "since"),
    ("limit=0", "limit"),
    ("since=2020-01-01T00:00:00%2B20:00", "offset"),
    ("since=2020-01-01T00:00:00-15:30", "offset"),
])
def test_it_rejects_bad_feed_parameters(client, divisions_db, query, fragment):
    response = client.get(f"/api/v1/changes?{query}")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]


def test_it_reads_since_in_any_real_time_zone(client, make_place):
    make_place("幸福路")
    beijing = (timezone.now() - timedelta(minutes=5)).astimezone(
        timezone.get_fixed_timezone(14 * 60))
    response = client.get("/api/v1/changes", {"since": beijing.isoformat()})
    assert response.status_code == 200
    assert [(i["kind"], i["new_value"]) for i in response.json()["items"]] == [
        ("naming", "幸福路")]
