"""The demo registry with the county lines of 六盘水 derived, markers on 钟山区 | 水城区 and
the two sides' teams (survey files are built with tests/inspections/support.py).
"""

import pytest
from django.contrib.auth.models import Group, User

from accounts.services import system_actor
from boundaries.lines import boundary_lines_derive
from boundaries.models import BoundaryLine, MarkerStatus
from boundaries.services import marker_register

from .support import FRACTIONS, INSTALLED, NUMBERS, SHUICHENG, ZHONGSHAN, on_line


@pytest.fixture(scope="module")
def derived(demo_registry, django_db_blocker):
    with django_db_blocker.unblock():
        boundary_lines_derive(level=3, commit=True)


@pytest.fixture
def line(derived, db) -> BoundaryLine:
    return BoundaryLine.objects.get(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG,
                                    valid_to__isnull=True)


@pytest.fixture
def markers(line) -> dict:
    return {number: marker_register(number=number, type="single", lines=[line],
                                    position=on_line(line, fraction), material="花岗岩",
                                    installed=INSTALLED, status=MarkerStatus.NEWLY_SET,
                                    actor=system_actor())
            for number, fraction in zip(NUMBERS, FRACTIONS, strict=True)}


@pytest.fixture
def people(db) -> dict[str, User]:
    """The office clerk, a member of each side's team and someone in neither."""
    team_a, _ = Group.objects.get_or_create(name="钟山区联检组")
    team_b, _ = Group.objects.get_or_create(name="水城区联检组")
    clerk_group, _ = Group.objects.get_or_create(name="clerk")
    users = {}
    for name, group in [("clerk", clerk_group), ("a1", team_a), ("b1", team_b),
                        ("outsider", None)]:
        users[name], _ = User.objects.get_or_create(username=name)
        users[name].groups.set([group] if group else [])
    return users
