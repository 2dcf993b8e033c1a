"""API tokens: expiry, scope, the token endpoints and create_api_token's flags."""

import io
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import system_actor, token_create
from config.errors import BadRequest

pytestmark = pytest.mark.django_db


def bearer(plain: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


@pytest.fixture
def user() -> User:
    return User.objects.create(username="surveyor")


def test_it_lets_a_read_token_read_but_not_write(client, user):
    _, plain = token_create(user=user, name="qgis", scope="read")
    assert client.get("/api/v1/tokens", **bearer(plain)).status_code == 200
    assert client.get("/api/v1/proposals", **bearer(plain)).status_code == 200
    refused = client.post("/api/v1/tokens", {"name": "more"}, content_type="application/json",
                          **bearer(plain))
    assert refused.status_code == 403
    assert "scope read" in refused.json()["detail"]
    assert ApiToken.objects.filter(user=user).count() == 1


def test_it_lets_a_read_write_token_write(client, user):
    _, plain = token_create(user=user, name="cli")
    made = client.post("/api/v1/tokens", {"name": "gis", "scope": "read"},
                       content_type="application/json", **bearer(plain))
    assert made.status_code == 201, made.content
    assert made.json()["scope"] == "read"


def test_it_refuses_an_expired_token_with_401(client, user):
    token, plain = token_create(user=user, name="old")
    assert client.get("/api/v1/tokens", **bearer(plain)).status_code == 200
    ApiToken.objects.filter(id=token.id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/tokens", **bearer(plain)).status_code == 401


def test_it_expires_tokens_after_the_configured_lifetime(settings, user):
    settings.API_TOKEN_LIFETIME_DAYS = 30
    before = timezone.now()
    token, _ = token_create(user=user, name="default")
    assert before + timedelta(days=30) <= token.expires_at <= timezone.now() + timedelta(days=30)
    assert token.scope == "read-write"


def test_it_refuses_an_expiry_in_the_past_or_an_unknown_scope(user):
    with pytest.raises(BadRequest, match="not in the future"):
        token_create(user=user, name="x", expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(BadRequest, match="scope"):
        token_create(user=user, name="x", scope="admin")
    assert not ApiToken.objects.filter(user=user).exists()


def test_it_lists_expiry_and_scope(client, user):
    _, plain = token_create(user=user, name="cli", scope="read")
    listed = client.get("/api/v1/tokens", **bearer(plain)).json()
    assert [t["scope"] for t in listed] == ["read"]
    assert datetime.fromisoformat(listed[0]["expires_at"]) > timezone.now()
    assert "token" not in listed[0]


def test_it_never_authenticates_the_system_actor(client):
    system = system_actor()
    _, plain = token_create(user=system, name="never")
    assert client.get("/api/v1/tokens", **bearer(plain)).status_code == 401
    client.force_login(system)
    assert client.get("/api/v1/tokens").status_code == 401


def made_by_command(*args) -> ApiToken:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "surveyor", *args, stdout=out, stderr=err)
    plain = out.getvalue().strip()
    token = ApiToken.objects.get(prefix=plain[:8])
    assert token.prefix in err.getvalue()
    return token


def test_it_makes_a_token_with_a_duration_and_a_scope_from_the_command_line(user):
    token = made_by_command("--expires", "90d", "--scope", "read")
    assert token.scope == "read"
    left = token.expires_at - timezone.now()
    assert timedelta(days=89, hours=23) < left <= timedelta(days=90)


def test_it_makes_a_token_valid_through_a_date_from_the_command_line(user):
    day = timezone.localdate() + timedelta(days=10)
    token = made_by_command("--expires", day.isoformat())
    assert token.scope == "read-write"
    assert timezone.localtime(token.expires_at) == timezone.make_aware(
        datetime.combine(day + timedelta(days=1), time.min))


def test_it_counts_months_and_years_from_the_command_line(user):
    year = made_by_command("--expires", "1y", "--name", "year")
    assert timedelta(days=364) < year.expires_at - timezone.now() <= timedelta(days=366)
    months = made_by_command("--expires", "6m", "--name", "months")
    assert timedelta(days=180) < months.expires_at - timezone.now() <= timedelta(days=185)


def test_it_defaults_to_the_configured_lifetime_from_the_command_line(settings, user):
    settings.API_TOKEN_LIFETIME_DAYS = 7
    token = made_by_command()
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)


@pytest.mark.parametrize("expires, message", [("soon", "duration"), ("2001-01-01", "future")])
def test_it_refuses_a_bad_expiry_on_the_command_line(user, expires, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", "surveyor", "--expires", expires,
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.filter(user=user).exists()
