"""The demo registry (六盘水's 92 synthetic townships with their border lines), and a
planner, an approver and someone with neither role."""

import pytest
from django.contrib.auth.models import Group, User

from tests.support import demo_loaded


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


@pytest.fixture
def people(demo, db) -> dict[str, User]:
    users = {}
    for name, group in [("planner", "planner"), ("planner2", "planner"),
                        ("approver", "approver"), ("clerk", "clerk")]:
        users[name], _ = User.objects.get_or_create(username=name)
        users[name].groups.set([Group.objects.get_or_create(name=group)[0]])
    return users


@pytest.fixture
def planner_client(client, people):
    client.force_login(people["planner"])
    return client
