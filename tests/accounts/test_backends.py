"""The sign-in backend (accounts.backends): the user and their roles in one statement, a
wrong password hashed once, and sessions signed in by Django's own backend still valid."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.backends import RolesBackend
from accounts.roles import Role, roles_of

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def planner() -> User:
    user = User.objects.create_user("bk-planner", password=PASSWORD)
    user.groups.add(Group.objects.get_or_create(name=Role.PLANNER)[0])
    return user


def test_it_reads_the_roles_with_the_user(planner):
    with CaptureQueriesContext(connection) as queries:
        user = RolesBackend().get_user(planner.pk)
        roles = roles_of(user)
    assert roles == {Role.PLANNER}
    assert user.username == "bk-planner" and user.check_password(PASSWORD)
    assert len([q for q in queries if not q["sql"].startswith("PREPARE")]) == 1


def test_it_reads_the_roles_again_on_each_request(client, planner):
    client.force_login(planner, backend="accounts.backends.RolesBackend")
    assert client.get("/api/v1/mergers/scenarios").status_code == 200
    planner.groups.clear()
    refused = client.get("/api/v1/mergers/scenarios")
    assert refused.status_code == 403
    assert "planner" in refused.json()["detail"]


def test_it_keeps_sessions_signed_in_by_djangos_backend(client, planner):
    client.force_login(planner, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/mergers/scenarios").status_code == 200


def test_it_refuses_inactive_and_unknown_users(planner):
    User.objects.filter(pk=planner.pk).update(is_active=False)
    assert RolesBackend().get_user(planner.pk) is None
    assert RolesBackend().get_user(planner.pk + 1000) is None
    assert RolesBackend().get_user("not a number") is None


def test_it_hashes_a_wrong_password_once(planner, monkeypatch):
    checked = []
    original = User.check_password

    def counting(self, raw):
        checked.append(raw)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", counting)
    assert authenticate(None, username="bk-planner", password="wrong") is None
    assert checked == ["wrong"]
    assert authenticate(None, username="bk-planner", password=PASSWORD) == planner
