"""Who may do what in joint inspections and the hazard register (registered with
accounts.permissions as "inspection" and "hazard").

The office is the clerk and admin roles; each side's team is the Django group named
when the inspection was planned. Who may take each step is the transitions table's
(inspections.transitions): the office, the side the step is for, or either party.
"""

from django.db.models import Q
from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import OFFICE_ROLES, Role, roles_of
from config.said import Said

from .models import Side
from .transitions import MACHINE, OFFICE, PARTY

# Who may read every inspection, report and hazard: the office and the naming committee.
READERS = OFFICE_ROLES | {Role.EXPERT, Role.MEMBER, Role.CHAIR}
# What each step is called inside a refusal (a Said parameter, so a page says it too).
WHAT = {"plan": gettext_noop("planning an inspection"),
        "record_previous": gettext_noop("recording an earlier inspection"),
        "start_survey": gettext_noop("starting the survey"),
        "upload_survey": gettext_noop("uploading a survey"),
        "confirm_survey": gettext_noop("confirming a survey"),
        "withdraw_survey": gettext_noop("withdrawing a survey"),
        "replace_survey": gettext_noop("replacing a survey"),
        "reconcile": gettext_noop("reconciling"),
        "sign_a": gettext_noop("signing"), "sign_b": gettext_noop("signing"),
        "archive": gettext_noop("archiving an inspection")}
FOR_OFFICE = gettext_noop("%(what)s is for the place-name office (clerk or admin role)")
FOR_PARTIES = gettext_noop("%(what)s is for the two teams and the place-name office")


def _what(verb: str) -> Said:
    return Said(WHAT[verb])


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
    if verb == "view":
        return Said(gettext_noop("reading inspection %(id)s is for the office, the committee "
                                 "staff and the two sides' teams"), id=inspection.id)
    return Said(gettext_noop("reading the inspection registers is for the office, the "
                             "committee staff and the two sides' teams"))


def sides_of(user, inspection) -> list[str]:
    """The sides whose team the user is in (one query)."""
    teams = {Side.A: inspection.team_a_id, Side.B: inspection.team_b_id}
    ids = [team for team in teams.values() if team is not None]
    mine = set(user.groups.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    return [side for side, team in teams.items() if team in mine]


def _side_refusal(user, verb: str, inspection, side: str | None) -> str | None:
    mine = sides_of(user, inspection)
    if side is None:  # any side: what a caller may do now
        return None if mine else Said(gettext_noop("%(what)s is for the members of a side's "
                                                   "team"), what=_what(verb))
    if side not in mine:
        team = inspection.team(side)
        if team is None:
            return Said(gettext_noop("%(what)s for side %(side)s is for members of its team "
                                     "(none)"), what=_what(verb), side=side)
        return Said(gettext_noop("%(what)s for side %(side)s is for members of its team "
                                 "%(team)s"), what=_what(verb), side=side, team=team.name)
    if verb.startswith("sign_"):
        other = Side.B if side == Side.A else Side.A
        other_by = inspection.signed_b_by_id if side == Side.A else inspection.signed_a_by_id
        if other_by == user.pk:
            return Said(gettext_noop("sign: %(user)s signed for side %(other)s; one person "
                                     "does not sign for both sides"),
                        user=user.username, other=other)
    return None


def inspection_policy(user, verb: str, inspection=None, *, side: str | None = None,
                      **context) -> str | None:
    if verb in ("view", "list"):
        return _read_refusal(user, verb, inspection)
    who = MACHINE.who(verb)
    if who == OFFICE:
        return None if is_office(user) else Said(FOR_OFFICE, what=_what(verb))
    if who == PARTY:
        if is_office(user) or sides_of(user, inspection):
            return None
        return Said(FOR_PARTIES, what=_what(verb))
    if verb.startswith("sign_"):
        side = verb[-1].upper()
    return _side_refusal(user, verb, inspection, side)


def hazard_policy(user, verb: str, inspection=None, **context) -> str | None:
    """A hazard on a line under inspection concerns its parties; any other, the office."""
    if verb == "record":
        if inspection is None:
            return None if is_office(user) else Said(FOR_OFFICE, what=Said(gettext_noop(
                "recording a hazard outside an inspection")))
        if is_office(user) or sides_of(user, inspection):
            return None
        return Said(FOR_PARTIES, what=Said(gettext_noop("recording a hazard")))
    if verb == "update":
        if (inspection is not None and sides_of(user, inspection)) or is_office(user):
            return None
        return Said(FOR_OFFICE, what=Said(gettext_noop("changing a hazard's status")))
    if verb == "view":
        if reads_everything(user) or (inspection is not None and sides_of(user, inspection)):
            return None
        return Said(gettext_noop("reading this hazard is for the office, the committee staff "
                                 "and the two sides' teams"))
    raise LookupError(f"no hazard action {verb!r}")


permissions.register("inspection", inspection_policy)
permissions.register("hazard", hazard_policy)
