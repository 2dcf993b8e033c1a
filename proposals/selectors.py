"""Reads of proposals: who may see which, and what each caller may do next."""

from datetime import date

from django.db.models import QuerySet

from config.errors import NotFound

from .models import Proposal, Role, State
from .services import ACTIONS, roles_of

STAFF = {Role.CLERK, Role.EXPERT, Role.MEMBER, Role.CHAIR, Role.ADMIN}


def visible(user) -> QuerySet:
    """Staff see every proposal; an applicant sees their own."""
    qs = Proposal.objects.select_related("place_class", "applicant")
    return qs if roles_of(user) & STAFF else qs.filter(applicant=user)


def proposal_get(user, proposal_id: int) -> Proposal:
    found = visible(user).filter(id=proposal_id).prefetch_related(
        "transitions__actor", "opinions__expert", "comments", "votes__member").first()
    if found is None:
        raise NotFound(f"no proposal {proposal_id} visible to you")
    return found


def next_actions(user, proposal: Proposal) -> list[str]:
    roles = roles_of(user)
    return [name for name, (sources, _, allowed, _) in ACTIONS.items()
            if proposal.state in sources and roles & allowed]


def open_consultations(today: date) -> QuerySet:
    return (Proposal.objects.filter(state=State.CONSULTATION, consultation_start__lte=today,
                                    consultation_end__gte=today)
            .select_related("place_class", "place").order_by("consultation_end", "id"))
