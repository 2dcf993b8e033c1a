"""The demo has one proposal in each workflow state, made through the workflow itself."""

import pytest

from demo import proposals as demo_proposals
from proposals.models import Proposal, State

pytestmark = pytest.mark.django_db


def test_it_leaves_one_proposal_in_each_state_once(divisions_db):
    assert demo_proposals.load() == {"proposals": len(State.values)}
    assert sorted(Proposal.objects.values_list("state", flat=True)) == sorted(State.values)
    published = Proposal.objects.get(state="published")
    assert published.published_place.name == published.name
    assert published.transitions.count() > 8  # every step is in the timeline
    assert demo_proposals.load() == {"skipped": len(State.values)}
