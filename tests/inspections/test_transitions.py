"""One table for the workflow: what next_actions offers is exactly what the services'
permission and state checks let through, for every action, state and kind of caller."""

import itertools

import pytest
from django.contrib.auth.models import Group, User

from accounts.transitions import NEW
from config.errors import Conflict, Forbidden
from inspections import services
from inspections.models import Inspection, Side, State
from inspections.selectors import next_actions
from inspections.transitions import MACHINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def callers(people) -> dict[str, User]:
    """The clerk, each side's member, an outsider, and someone in both teams who has signed
    for the other side (one person does not sign for both)."""
    both = User.objects.create(username="both")
    both.groups.set(Group.objects.filter(name__in=["钟山区联检组", "水城区联检组"]))
    return people | {"both": both}


def inspection_in(state: str, reconciled: bool, signer: User) -> Inspection:
    inspection = Inspection(state=state, team_a=Group.objects.get(name="钟山区联检组"),
                            team_b=Group.objects.get(name="水城区联检组"),
                            results={"summary": {}} if reconciled else {})
    if state == State.SIGNED_A:
        inspection.signed_a_by_id = signer.pk
    if state == State.SIGNED_B:
        inspection.signed_b_by_id = signer.pk
    return inspection


def allowed(user, inspection, action) -> bool:
    """The services' check; a step for a side is allowed when it is for either side."""
    sides = list(Side.values) if MACHINE.who(action) == "side" and not action.startswith(
        "sign_") else [None]
    for side in sides:
        try:
            services.check_step(user, inspection, action, side)
            return True
        except (Forbidden, Conflict):
            continue
    return False


def test_it_offers_exactly_what_it_enforces(callers):
    steps = [a for a in MACHINE.actions if NEW not in MACHINE.sources(a)]
    checked = 0
    for state, reconciled in itertools.product(State.values, [False, True]):
        inspection = inspection_in(state, reconciled, callers["both"])
        for name, user in callers.items():
            offered = set(next_actions(user, inspection))
            for action in steps:
                assert (action in offered) == allowed(user, inspection, action), (
                    name, state, reconciled, action)
                checked += 1
    assert checked == len(State.values) * 2 * len(callers) * len(steps)


def test_it_offers_the_office_its_own_steps_and_the_sides_theirs(callers):
    signed = inspection_in(State.SIGNED, True, callers["both"])
    assert next_actions(callers["clerk"], signed) == ["archive"]
    assert next_actions(callers["a1"], signed) == []
    reconciling = inspection_in(State.RECONCILING, True, callers["both"])
    assert next_actions(callers["a1"], reconciling) == [
        "upload_survey", "confirm_survey", "withdraw_survey", "replace_survey", "reconcile",
        "sign_a"]
    assert next_actions(callers["clerk"], reconciling) == ["reconcile"]
    assert next_actions(callers["outsider"], reconciling) == []
    signed_b = inspection_in(State.SIGNED_B, True, callers["both"])
    assert "sign_a" not in next_actions(callers["both"], signed_b)
    with pytest.raises(Forbidden, match="both sides"):
        services.check_step(callers["both"], signed_b, "sign_a")


def test_it_lets_only_the_office_create_inspections(callers):
    for name, user in callers.items():
        for action in ("plan", "record_previous"):
            if name == "clerk":
                assert services.check_step(user, None, action).target in State.values
            else:
                with pytest.raises(Forbidden, match="office"):
                    services.check_step(user, None, action)
