"""Who may do what with proposals (registered with accounts.permissions as "proposal"):
the roles of the transitions table for each step; the office, the experts and the
committee see every proposal, an applicant their own."""

from accounts import permissions
from accounts.roles import Role, roles_of

from .transitions import MACHINE

STAFF = {Role.CLERK, Role.EXPERT, Role.MEMBER, Role.CHAIR, Role.ADMIN}


def proposal_policy(user, verb: str, proposal=None, **context) -> str | None:
    roles = roles_of(user)
    if verb == "view_all":
        return None if roles & STAFF else "only the office, the experts and the committee " \
                                          "see every proposal"
    if verb == "view":
        if roles & STAFF or (proposal is not None and proposal.applicant_id == user.pk):
            return None
        return f"proposal {getattr(proposal, 'id', '')} is not yours"
    if verb == "submit_heritage":
        return None if roles & {Role.CLERK, Role.ADMIN} else \
            "the place-name office (clerk) files heritage listings and delistings"
    allowed = MACHINE.who(verb)
    if roles & allowed:
        return None
    if verb == "submit":
        return "submitting a proposal needs the applicant or clerk role"
    return f"{verb} needs the role {' or '.join(sorted(allowed))}"


permissions.register("proposal", proposal_policy)
