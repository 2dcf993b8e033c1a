"""The demo registry (六盘水's synthetic townships with their township and county lines),
for simulating and carrying out changes on it; planners, an approver and a clerk, and a
helper that drafts, approves and executes a change."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.db import connection

from accounts.services import system_actor
from mergers import changes
from tests import support

# after the demo's last change (水城区, 2020-07-18) and before "today"
EFFECTIVE = date(2025, 1, 1)
BEFORE = date(2024, 12, 31)
ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with support.demo_loaded(django_db_blocker, keep_lines=True):
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
def carry_out(demo, db, people):
    """Draft, approve and execute a change with these operations; returns the proposal."""
    def run(operations, *, kind, effective_date=EFFECTIVE, **fields):
        change = changes.division_change_create(
            actor=people["planner"], title=f"{kind} test", kind=kind,
            effective_date=effective_date, operations=operations,
            approval_document="黔府函〔2024〕1号", approving_authority="贵州省人民政府", **fields)
        changes.division_change_approve(actor=people["approver"], change_id=change.id)
        return changes.division_change_execute(actor=people["approver"], change_id=change.id)
    return run


def inside(code12: str, level: int = 4, on: date = BEFORE) -> Point:
    """A point inside the division's polygon on ``on``."""
    with connection.cursor() as cur:
        cur.execute("""SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) p
                       FROM boundaries_divisionversion WHERE code = %s AND level = %s
                         AND (valid_from IS NULL OR valid_from <= %s)
                         AND (valid_to IS NULL OR valid_to > %s)) t""",
                    [code12, level, on, on])
        x, y = cur.fetchone()
    return Point(x, y, srid=4490)


def system():
    return system_actor()


@pytest.fixture
def make_place_in(demo, db):
    """A street (a short line) inside a township's polygon, made through the service."""
    from django.contrib.gis.geos import LineString

    from gazetteer import services
    from gazetteer.services import NewPlace

    def make(code12: str, name: str):
        p = inside(code12)
        geom = LineString((p.x - 0.0005, p.y), (p.x + 0.0005, p.y), srid=4490)
        return services.places_create(places=[NewPlace(name=name, place_class="road",
                                                       geom=geom)], actor=system())[0]
    return make


@pytest.fixture
def planner_client(client, people):
    client.force_login(people["planner"])
    return client
