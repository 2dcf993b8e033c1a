"""One place answers who may do what; no action without an actor; the system actor."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from accounts import permissions
from accounts.roles import SYSTEM, Role, roles_of
from accounts.services import system_actor
from accounts.transitions import Machine, Step
from boundaries import services as boundaries
from config.errors import Conflict, Forbidden
from gazetteer import services as gazetteer
from importers import divisions, places
from inspections import hazards
from inspections import services as inspections
from inspections.models import Inspection, State
from jobs import services as jobs
from proposals import services as proposals

pytestmark = pytest.mark.django_db


def test_it_keeps_the_system_actor_inactive_and_without_a_password():
    system = system_actor()
    assert system.username == SYSTEM
    assert not system.is_active
    assert not system.has_usable_password()
    assert system_actor().pk == system.pk


def test_it_lets_the_system_actor_do_every_action():
    system = system_actor()
    teams = [Group.objects.create(name=f"team {n}") for n in "AB"]
    inspection = Inspection(state=State.RECONCILING, team_a=teams[0], team_b=teams[1])
    for action, obj in [("inspection.plan", None), ("inspection.sign_a", inspection),
                        ("inspection.archive", inspection), ("hazard.update", inspection),
                        ("proposal.approve", None), ("proposal.view_all", None)]:
        assert permissions.can(system, action, obj)
    assert roles_of(system) == set()  # it is not a role: it is the system


def test_it_refuses_an_inspection_step_to_someone_in_neither_team_nor_office():
    outsider = User.objects.create(username="outsider")
    clerk = User.objects.create(username="clerk")
    clerk.groups.add(Group.objects.get(name=Role.CLERK))
    team_a, team_b = (Group.objects.create(name=f"team {n}") for n in "AB")
    inspection = Inspection(state=State.PLANNED, team_a=team_a, team_b=team_b)
    with pytest.raises(Forbidden, match="two teams and the place-name office"):
        permissions.require(outsider, "inspection.start_survey", inspection)
    with pytest.raises(Forbidden, match="side A is for members of its team team A"):
        permissions.require(outsider, "inspection.upload_survey", inspection, side="A")
    permissions.require(clerk, "inspection.start_survey", inspection)
    assert not permissions.can(clerk, "inspection.upload_survey", inspection, side="A")


def test_it_answers_for_registered_kinds_only():
    with pytest.raises(LookupError, match="merger"):
        permissions.can(system_actor(), "merger.approve")


def test_it_gives_the_admin_group_every_role_including_the_new_ones():
    admin = User.objects.create(username="admin-user")
    admin.groups.add(Group.objects.get(name=Role.ADMIN))
    assert {Role.PLANNER, Role.APPROVER} <= roles_of(admin)
    assert Group.objects.filter(name__in=[Role.PLANNER, Role.APPROVER]).count() == 2


REFUSING_NONE = [
    lambda: permissions.require(None, "proposal.submit"),
    lambda: proposals.proposal_submit(actor=None, kind="naming"),
    lambda: inspections.inspection_plan(actor=None, line=1, year=2026, team_a="a", team_b="b"),
    lambda: hazards.hazard_record(actor=None, location=(105, 26), description="x",
                                      severity="low", line_id=1),
    lambda: gazetteer.places_create(places=[], actor=None),
    lambda: gazetteer.place_rename(place_id=1, new_name="x", effective_date=date(2020, 1, 1),
                                   document_number="", reason="x", actor=None),
    lambda: boundaries.division_record_predecessor(
        code="520281", level=3, old_code="520222", old_name="盘县",
        effective_date=date(2017, 4, 9), event_kind="kind_change", actor=None),
    lambda: boundaries.marker_register(number="钟水01", type="single", lines=[],
                                       position=(105, 26), actor=None),
    lambda: divisions.run("/nonexistent", actor=None),
    lambda: places.run("/nonexistent", actor=None),
    lambda: jobs.job_create(actor=None, kind="survey_read", params={}),
]


@pytest.mark.parametrize("call", REFUSING_NONE)
def test_it_refuses_to_act_without_an_actor(call):
    with pytest.raises(TypeError, match="actor is required"):
        call()


def test_it_keeps_state_machines_generic():
    machine = Machine("merger", [
        Step("draft", {""}, "drafted", {Role.PLANNER}),
        Step("approve", {"drafted"}, "approved", {Role.APPROVER},
             guard=lambda record: None if record["maps"] else "no maps attached"),
    ])
    assert machine.available("drafted", record={"maps": 1}) == ["approve"]
    assert machine.available("drafted", record={"maps": 0}) == []
    assert machine.available("drafted", lambda step: Role.PLANNER in step.who,
                             record={"maps": 1}) == []
    assert machine.require("approve", "drafted", {"maps": 1}).target == "approved"
    with pytest.raises(Conflict, match="the merger is approved; this is possible only when "
                                       "it is drafted"):
        machine.require("approve", "approved")
    with pytest.raises(Conflict, match="no maps attached"):
        machine.require("approve", "drafted", {"maps": 0})
