"""Plain code lookups answered before routing (boundaries.middleware): the same answer,
headers included, as the view's; everything else still reaches the view."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

FAST = "boundaries.middleware.DivisionLookupMiddleware"


@pytest.mark.parametrize("url", ["/api/v1/divisions/520201", "/api/v1/divisions/52",
                                 "/api/v1/divisions/520201000000?as_of=2020-01-01"])
def test_it_answers_as_the_view_does_without_reaching_ninja(divisions_db, settings, ninja_runs,
                                                            url):
    fast = Client().get(url)
    assert fast.status_code == 200 and ninja_runs == []
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != FAST]
    slow = Client().get(url)
    assert ninja_runs == [url]
    assert fast.content == slow.content
    assert dict(fast.headers) == dict(slow.headers)


@pytest.mark.parametrize(("url", "status"), [
    ("/api/v1/divisions/529999", 404), ("/api/v1/divisions/5202x", 400),
    ("/api/v1/divisions/520201?as_of=2020-13-01", 400),
    ("/api/v1/divisions/520201?as_of=2020-01-01&limit=1", 200),
    ("/api/v1/divisions/export?format=csv", 200),
])
def test_it_leaves_every_other_request_to_the_view(client, divisions_db, ninja_runs, url,
                                                   status):
    assert client.get(url).status_code == status
    assert ninja_runs == [url]
