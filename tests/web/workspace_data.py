"""What the workspace tests set up on the demo: passwords for the demo's committee staff,
an inspection of 钟水线 (钟山区 | 水城区) with markers, and the two sides' teams."""

from django.contrib.auth.models import Group, User

from accounts.services import system_actor
from boundaries.models import BoundaryLine, BoundaryMarker, MarkerStatus
from boundaries.services import marker_register
from boundaries.temporal import today
from inspections import services as inspections
from tests.inspections.support import (
    FRACTIONS,
    INSTALLED,
    NUMBERS,
    SHUICHENG,
    ZHONGSHAN,
    on_line,
)

PASSWORD = "pw-workspaces"


def with_password(username: str, *groups: str) -> User:
    user, _ = User.objects.get_or_create(username=username)
    user.set_password(PASSWORD)
    user.save()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def line_markers(line: BoundaryLine) -> dict:
    """The markers in service on the line: number → registered position."""
    return {m.number: m.states.get(valid_to__isnull=True).position
            for m in BoundaryMarker.objects.filter(lines=line, retired_on__isnull=True)}


def zhongshui_inspection():
    """A planned inspection of 钟水线 with its markers (the demo's, else four registered
    here); users clerk-i, a1, b1."""
    return line_inspection(ZHONGSHAN, SHUICHENG, "钟山区联检组", "水城区联检组")


def line_inspection(left: str, right: str, team_a: str, team_b: str, users: str = "ws"):
    """A planned inspection of the county line left | right with its markers (the demo's,
    else four registered here); users <users>-clerk, <users>-a1 (team_a), <users>-b1."""
    line = BoundaryLine.objects.get(level=3, left_code=left, right_code=right,
                                    valid_to__isnull=True)
    if not line_markers(line):
        for number, fraction in zip(NUMBERS, FRACTIONS, strict=True):
            marker_register(number=number, type="single", lines=[line],
                            position=on_line(line, fraction), material="花岗岩",
                            installed=INSTALLED, status=MarkerStatus.NEWLY_SET,
                            actor=system_actor())
    people = {"clerk": with_password(f"{users}-clerk", "clerk"),
              "a1": with_password(f"{users}-a1", team_a),
              "b1": with_password(f"{users}-b1", team_b)}
    inspection = inspections.inspection_plan(actor=people["clerk"], line=line,
                                             year=today().year, team_a=team_a,
                                             team_b=team_b)
    return line, inspection, people
