"""Who may do what with proposals (registered with accounts.permissions as "proposal"):
the roles of the transitions table for each step; the office, the experts and the
committee see every proposal, an applicant their own."""

from django.utils.translation import gettext_noop

from accounts import permissions
from accounts.roles import Role, roles_of, roles_said
from config.said import Said

from .transitions import MACHINE

STAFF = {Role.CLERK, Role.EXPERT, Role.MEMBER, Role.CHAIR, Role.ADMIN}



def proposal_policy(user, verb: str, proposal=None, **context) -> str | None:
    roles = roles_of(user)
    if verb == "view_all":
        return None if roles & STAFF else Said(gettext_noop(
            "only the office, the experts and the committee see every proposal"))
    if verb == "view":
        if roles & STAFF or (proposal is not None and proposal.applicant_id == user.pk):
            return None
        return Said(gettext_noop("proposal %(id)s is not yours"),
                    id=getattr(proposal, "id", ""))
    if verb == "submit_heritage":
        return None if roles & {Role.CLERK, Role.ADMIN} else Said(gettext_noop(
            "the place-name office (clerk) files heritage listings and delistings"))
    allowed = MACHINE.who(verb)
    if roles & allowed:
        return None
    if verb == "submit":
        return Said(gettext_noop("submitting a proposal needs the applicant or clerk role"))
    return Said(gettext_noop("%(verb)s needs the role %(roles)s"),
                verb=verb, roles=" or ".join(sorted(allowed)),
                shown={"verb": MACHINE.verb(verb),
                       "roles": roles_said(sorted(allowed))})


permissions.register("proposal", proposal_policy)
