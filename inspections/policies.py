"""Who may do what in joint inspections and the hazard register (registered with
accounts.permissions as "inspection" and "hazard").

The office is the clerk and admin roles; each side's team is the Django group named
when the inspection was planned. Who may take each step is the transitions table's
(inspections.transitions): the office, the side the step is for, or either party.
"""

from django.db.models import Q

from accounts import permissions
from accounts.roles import OFFICE_ROLES, Role, roles_of

from .models import Side
from .transitions import MACHINE, OFFICE, PARTY

# Who may read every inspection, report and hazard: the office and the naming committee.
READERS = OFFICE_ROLES | {Role.EXPERT, Role.MEMBER, Role.CHAIR}
FOR_READERS = "is for the office, the committee staff and the two sides' teams"
WHAT = {"plan": "planning an inspection", "record_previous": "recording an earlier inspection",
        "start_survey": "starting the survey", "upload_survey": "uploading a survey",
        "confirm_survey": "confirming a survey", "withdraw_survey": "withdrawing a survey",
        "replace_survey": "replacing a survey", "reconcile": "reconciling",
        "sign_a": "signing", "sign_b": "signing", "archive": "archiving an inspection"}
FOR_OFFICE = "is for the place-name office (clerk or admin role)"
FOR_PARTIES = "is for the two teams and the place-name office"


def is_office(user) -> bool:
    return bool(roles_of(user) & OFFICE_ROLES)


def reads_everything(user) -> bool:
    return bool(roles_of(user) & READERS)


def in_a_team(user) -> bool:
    """Whether the user is in a team of some inspection (one query)."""
    from .models import Inspection  # the models import this module's app

    groups = user.groups.all()
    return Inspection.objects.filter(Q(team_a__in=groups) | Q(team_b__in=groups)).exists()


def _read_refusal(user, verb: str, inspection) -> str | None:
    """"view" one inspection (its report, uploads, hazards); "list" inspections, hazards
    and the lines due (a team member sees only their own inspections in the lists)."""
    if reads_everything(user):
        return None
    if verb == "view" and sides_of(user, inspection):
        return None
    if verb == "list" and in_a_team(user):
        return None
    what = f"inspection {inspection.id}" if verb == "view" else "the inspection registers"
    return f"reading {what} {FOR_READERS}"


def sides_of(user, inspection) -> list[str]:
    """The sides whose team the user is in (one query)."""
    teams = {Side.A: inspection.team_a_id, Side.B: inspection.team_b_id}
    ids = [team for team in teams.values() if team is not None]
    mine = set(user.groups.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [side for side, team in teams.items() if team in mine]


def _side_refusal(user, verb: str, inspection, side: str | None) -> str | None:
    mine = sides_of(user, inspection)
    if side is None:  # any side: what a caller may do now
        return None if mine else f"{WHAT[verb]} is for the members of a side's team"
    if side not in mine:
        team = inspection.team(side)
        return (f"{WHAT[verb]} for side {side} is for members of its team "
                f"{team.name if team else '(none)'}")
    if verb.startswith("sign_"):
        other = Side.B if side == Side.A else Side.A
        other_by = inspection.signed_b_by_id if side == Side.A else inspection.signed_a_by_id
        if other_by == user.pk:
            return (f"sign: {user.username} signed for side {other}; one person does not "
                    "sign for both sides")
    return None


def inspection_policy(user, verb: str, inspection=None, *, side: str | None = None,
                      **context) -> str | None:
    if verb in ("view", "list"):
        return _read_refusal(user, verb, inspection)
    who = MACHINE.who(verb)
    if who == OFFICE:
        return None if is_office(user) else f"{WHAT[verb]} {FOR_OFFICE}"
    if who == PARTY:
        if is_office(user) or sides_of(user, inspection):
            return None
        return f"{WHAT[verb]} {FOR_PARTIES}"
    if verb.startswith("sign_"):
        side = verb[-1].upper()
    return _side_refusal(user, verb, inspection, side)


def hazard_policy(user, verb: str, inspection=None, **context) -> str | None:
    """A hazard on a line under inspection concerns its parties; any other, the office."""
    if verb == "record":
        if inspection is None:
            return None if is_office(user) else \
                f"recording a hazard outside an inspection {FOR_OFFICE}"
        if is_office(user) or sides_of(user, inspection):
            return None
        return f"recording a hazard {FOR_PARTIES}"
    if verb == "update":
        if (inspection is not None and sides_of(user, inspection)) or is_office(user):
            return None
        return f"changing a hazard's status {FOR_OFFICE}"
    if verb == "view":
        if reads_everything(user) or (inspection is not None and sides_of(user, inspection)):
            return None
        return f"reading this hazard {FOR_READERS}"
    raise LookupError(f"no hazard action {verb!r}")


permissions.register("inspection", inspection_policy)
permissions.register("hazard", hazard_policy)
