"""Division search pages like the other lists: limit/offset, and count is every match."""

import pytest
from django.db.models import Q

from boundaries import search
from boundaries.models import DivisionVersion
from boundaries.names import PLACEHOLDER
from boundaries.temporal import in_force, today

pytestmark = pytest.mark.django_db


def matching(text: str) -> set[str]:
    """Codes of the divisions in force today whose name contains ``text``, by the ORM."""
    return set(DivisionVersion.objects.filter(in_force(today()), name__contains=text)
               .filter(~Q(kind=PLACEHOLDER)).values_list("code", flat=True))


def test_it_counts_every_match_not_the_page(client, divisions_db):
    expected = matching("寨")
    assert len(expected) > 20  # else the page would hide nothing
    body = client.get("/api/v1/divisions", {"q": "寨", "limit": 20}).json()
    assert len(body["items"]) == 20
    assert body["count"] == len(expected)
    assert (body["limit"], body["offset"]) == (20, 0)


def test_it_pages_past_the_first_hundred_with_offset(client, divisions_db):
    expected = matching("村")
    assert len(expected) > 100
    seen: list[str] = []
    for offset in range(0, len(expected) + 100, 100):
        body = client.get("/api/v1/divisions", {"q": "村", "limit": 100,
                                                "offset": offset}).json()
        assert body["offset"] == offset and body["count"] == len(expected)
        seen += [item["code"] for item in body["items"]]
    assert len(seen) == len(set(seen))  # no row on two pages
    assert set(seen) == expected


def test_it_keeps_the_ranking_across_pages(divisions_db):
    whole = search.search_divisions("大箐", level=None, parent=None, as_of=None, limit=100)
    pages = [search.search_divisions("大箐", level=None, parent=None, as_of=None, limit=2,
                                     offset=o)["items"] for o in range(0, whole["count"], 2)]
    assert [i["code"] for page in pages for i in page] == [i["code"] for i in whole["items"]]


def test_it_caches_each_page_under_its_own_offset(client, divisions_db):
    first = client.get("/api/v1/divisions", {"q": "寨", "limit": 5}).json()
    second = client.get("/api/v1/divisions", {"q": "寨", "limit": 5, "offset": 5}).json()
    assert not {i["code"] for i in first["items"]} & {i["code"] for i in second["items"]}


def test_it_counts_the_did_you_mean_hits(divisions_db):
    found = search.search_divisions("钟山县", level=None, parent=None, as_of=None, limit=20)
    assert found["items"] and found["count"] == len(found["items"])
    assert all(item["match"] == "fuzzy" for item in found["items"])


def test_it_refuses_an_offset_past_the_counted_range(client, divisions_db):
    response = client.get("/api/v1/divisions", {"q": "寨", "offset": search.COUNT_LIMIT + 1})
    assert response.status_code == 400
