"""A search answer kept under its URL (config.answers) is served before routing and
validation, with the same body and headers, and never once a write has made it stale."""

import pytest

from boundaries.models import DivisionVersion
from config.responses import invalidate

pytestmark = pytest.mark.django_db

URL = "/api/v1/divisions?q=钟山区&level=county"


def test_it_answers_a_repeated_search_without_reaching_ninja(client, divisions_db, ninja_runs):
    first = client.get(URL)
    again = client.get(URL)
    assert len(ninja_runs) == 1
    assert again.status_code == 200
    assert again.content == first.content
    assert dict(again.headers) == dict(first.headers)  # ETag, Vary, CORS, Cache-Control…


def test_it_keeps_each_query_string_apart(client, divisions_db):
    assert len(client.get("/api/v1/divisions?q=钟山&limit=1").json()["items"]) == 1
    assert len(client.get("/api/v1/divisions?q=钟山&limit=3").json()["items"]) == 3


def test_it_answers_afresh_once_the_namespace_is_invalidated(client, divisions_db, ninja_runs):
    assert [i["name"] for i in client.get(URL).json()["items"]] == ["钟山区"]
    DivisionVersion.objects.filter(code="520201000000", level=3).update(
        name="钟山新区", place_name="钟山新区")
    invalidate("search")
    assert "钟山区" not in [i["name"] for i in client.get(URL).json()["items"]]
    assert len(ninja_runs) == 2


def test_it_never_keeps_an_error(client, divisions_db, ninja_runs):
    url = "/api/v1/divisions?q=钟山&parent=529999"
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 404
    assert len(ninja_runs) == 2


def test_it_keeps_nothing_with_the_search_cache_off(client, divisions_db, ninja_runs, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    client.get(URL)
    client.get(URL)
    assert len(ninja_runs) == 2


def test_it_still_refuses_a_nul_in_a_query_parameter(client, divisions_db):
    response = client.get("/api/v1/places?q=%00钟")
    assert response.status_code == 400
    assert "'q'" in response.json()["detail"]
