"""Reads of proposals: who may see which, and what each caller may do next."""

from datetime import date

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_noop

from accounts import permissions
from config.errors import NotFound
from gazetteer.selectors import signs_showing_former_name

from .models import Proposal, State
from .transitions import MACHINE


def visible(user) -> QuerySet:
    """Staff see every proposal; an applicant sees their own (proposals.policies)."""
    qs = Proposal.objects.select_related("place_class", "applicant")
    return qs if permissions.can(user, "proposal.view_all") else qs.filter(applicant=user)


def proposal_get(user, proposal_id: int) -> Proposal:
    found = visible(user).filter(id=proposal_id).prefetch_related(
        "transitions__actor", "opinions__expert", "comments", "votes__member").first()
    if found is None:
        raise NotFound.of(gettext_noop("no proposal %(id)s visible to you"), id=proposal_id)
    return found


def next_actions(user, proposal: Proposal) -> list[str]:
    return MACHINE.available(
        proposal.state, lambda step: permissions.offered(user, f"proposal.{step.action}", proposal),
        record=proposal)


def open_consultations(today: date) -> QuerySet:
    return (Proposal.objects.filter(state=State.CONSULTATION, consultation_start__lte=today,
                                    consultation_end__gte=today)
            .select_related("place_class", "place").order_by("consultation_end", "id"))


def counts_by_state(user) -> dict[str, int]:
    """How many proposals the user may see are in each state (the inbox's tabs)."""
    rows = visible(user).order_by().values_list("state").annotate(n=Count("id"))
    return dict(rows)


def signs_to_replace(proposal: Proposal) -> QuerySet | None:
    """After a published renaming: the signs still showing the former name."""
    if proposal.state != State.PUBLISHED or proposal.kind != "renaming":
        return None
    return signs_showing_former_name().filter(place_id=proposal.published_place_id)
