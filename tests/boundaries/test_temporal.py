"""One clock: "today" is the date in Beijing, whatever the host's time zone."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from accounts.services import system_actor
from boundaries import services, temporal
from boundaries.models import EventKind

pytestmark = pytest.mark.django_db

CHANGED = date(2024, 3, 1)
# 01:00 on 1 March in Beijing is still 29 February on a UTC host.
ONE_AM_BEIJING = datetime(2024, 2, 29, 17, 0, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: ONE_AM_BEIJING)


def test_it_takes_today_from_beijing_not_from_the_host(frozen):
    assert temporal.today() == CHANGED


def test_it_answers_for_the_beijing_date_when_no_as_of_is_given(divisions_db, frozen, client):
    services.division_record_predecessor(
        code="520281", level=3, old_code="520222", old_name="盘县", effective_date=CHANGED,
        event_kind=EventKind.KIND_CHANGE, subkind="撤县设市", approving_authority="国务院",
        actor=system_actor())
    current = client.get("/api/v1/divisions/520281")
    assert current.status_code == 200, current.content
    assert current.json()["name"] == "盘州市"


def test_it_reads_a_missing_as_of_as_the_beijing_date_for_the_old_code(divisions_db, frozen,
                                                                        client):
    services.division_record_predecessor(
        code="520281", level=3, old_code="520222", old_name="盘县", effective_date=CHANGED,
        event_kind=EventKind.KIND_CHANGE, subkind="撤县设市", approving_authority="国务院",
        actor=system_actor())
    retired = client.get("/api/v1/divisions/520222")
    assert retired.status_code == 404
    assert "was not in force on 2024-03-01" in retired.json()["detail"]


def test_it_keeps_one_in_force_predicate_for_orm_and_sql():
    record = type("R", (), {"valid_from": date(2020, 1, 1), "valid_to": CHANGED})
    assert temporal.is_in_force(record, date(2024, 2, 29))
    assert not temporal.is_in_force(record, CHANGED)
    assert temporal.reference_date(record) == date(2024, 2, 29)
    assert "valid_to > %(on)s" in temporal.in_force_sql("l", "on")
