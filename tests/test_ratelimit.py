"""Rate limits: per IP for anonymous clients, higher per token, counted in the shared Redis."""

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import User
from django.core.cache import cache

from accounts.services import token_create

URL = "/api/v1/divisions/52"


@pytest.fixture
def limited(settings, db):
    settings.RATE_LIMIT_ENABLED = True
    settings.RATE_LIMIT_ANON = "3/60"
    settings.RATE_LIMIT_TOKEN = "6/60"
    return settings


def statuses(client, n, **extra) -> list[int]:
    return [client.get(URL, **extra).status_code for _ in range(n)]


def test_it_answers_429_with_retry_after_once_an_ip_passes_its_limit(client, limited):
    assert 429 not in statuses(client, 3)
    refused = client.get(URL)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "rate limit" in refused.json()["detail"]


def test_it_counts_each_address_on_its_own(client, limited):
    statuses(client, 4, REMOTE_ADDR="10.0.0.1")
    assert client.get(URL, REMOTE_ADDR="10.0.0.2").status_code != 429


def test_it_takes_the_address_a_trusted_proxy_saw(client, limited):
    statuses(client, 4, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client.get(URL, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.get(URL, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code != 429


def test_it_gives_a_valid_token_the_higher_limit(client, limited):
    user = User.objects.create(username="reader")
    plain = token_create(user=user, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    assert 429 not in statuses(client, 6, **auth)
    assert client.get(URL, **auth).status_code == 429


def test_it_counts_a_made_up_token_as_its_address(client, limited):
    fake = {"HTTP_AUTHORIZATION": "Bearer not-a-real-token"}
    assert statuses(client, 4, **fake)[-1] == 429


def test_it_keeps_the_counters_in_the_shared_redis(client, limited):
    client.get(URL, REMOTE_ADDR="198.51.100.9")
    redis = cache._cache.get_client()
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    assert list(redis.scan_iter(match=f"{prefix}:*rl:ip:198.51.100.9:*"))
