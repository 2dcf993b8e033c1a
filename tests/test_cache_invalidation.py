"""Cached search answers are invalidated by the writes that make them stale: a published
place is found at once, a division change shows at once (explicitly, after commit)."""

from datetime import date

import pytest

from accounts.services import system_actor
from boundaries import services as division_services
from boundaries.models import EventKind

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [item["name"] for item in response.json()["items"]]


def test_it_finds_a_new_place_at_once_though_the_search_was_cached(
        client, make_place, django_capture_on_commit_callbacks):
    url = "/api/v1/places?q=凉都新路"
    assert names(client.get(url)) == []  # now cached for its max-age
    with django_capture_on_commit_callbacks(execute=True):
        make_place("凉都新路")
    assert names(client.get(url)) == ["凉都新路"]


def test_it_keeps_the_cached_answer_until_the_write_commits(client, make_place,
                                                            django_capture_on_commit_callbacks):
    url = "/api/v1/places?q=凉都新路"
    assert names(client.get(url)) == []
    with django_capture_on_commit_callbacks(execute=False) as pending:
        make_place("凉都新路")
    assert names(client.get(url)) == []  # not committed: nothing to invalidate yet
    assert len(pending) == 1


def test_it_shows_a_division_change_at_once_though_the_search_was_cached(
        client, divisions_db, django_capture_on_commit_callbacks):
    url = "/api/v1/divisions?q=盘县&as_of=2016-06-01"
    assert names(client.get(url)) == []
    with django_capture_on_commit_callbacks(execute=True):
        division_services.division_record_predecessor(
            code="520281", level=3, old_code="520222", old_name="盘县",
            effective_date=date(2017, 4, 14), event_kind=EventKind.KIND_CHANGE,
            subkind="撤县设市", approving_authority="国务院", actor=system_actor())
    assert "盘县" in names(client.get(url))
