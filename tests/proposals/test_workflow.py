"""The committee workflow end to end, the role rules and the order of states."""

from datetime import date, timedelta

import pytest

from config.errors import Conflict, Forbidden
from gazetteer.models import NamingEvent, Place
from proposals import services
from proposals.models import Proposal

from .support import act, drive

pytestmark = pytest.mark.django_db


def submit(staff, name="凉都大道", cls="road", division="520201", **kwargs):
    return services.proposal_submit(actor=staff["applicant"], kind=kwargs.pop("kind", "naming"),
                                    name=name, place_class=cls, division_code=division, **kwargs)


def test_it_publishes_a_naming_and_the_name_becomes_standard(staff):
    proposal = submit(staff)
    assert proposal.state == "submitted"
    assert proposal.findings == []
    drive(proposal, "published", staff)
    assert proposal.state == "published"
    place = Place.objects.get(id=proposal.published_place_id)
    assert (place.name, place.status, place.romanization) == ("凉都大道", "standard",
                                                             "Liangdu Dadao")
    event = NamingEvent.objects.get(place=place)
    assert event.kind == "naming"
    assert event.document_number == "六盘水地名公告〔2024〕1号"
    assert event.actor == staff["clerk"]  # who published it
    actions = list(proposal.transitions.order_by("at", "id")
                   .values_list("action", "actor__username"))
    assert actions[0] == ("submit", "applicant")
    assert actions[-1] == ("publish", "clerk")
    assert ("approve", "chair") in actions
    assert actions.count(("opinion", "expert1")) == 1


def test_it_refuses_an_action_to_the_wrong_role(staff):
    proposal = submit(staff)
    with pytest.raises(Forbidden, match="clerk"):
        act(proposal, staff["applicant"], "accept")
    with pytest.raises(Forbidden):
        services.proposal_submit(actor=staff["expert1"], kind="naming", name="某路",
                                 place_class="road", division_code="520201")
    drive(proposal, "committee_review", staff)
    with pytest.raises(Forbidden, match="chair"):
        act(proposal, staff["member1"], "approve")


def test_it_refuses_approving_before_the_consultation_closes(staff):
    proposal = submit(staff)
    drive(proposal, "consultation", staff, today_in_consultation=True)
    with pytest.raises(Conflict, match="consultation"):
        act(proposal, staff["chair"], "approve")
    with pytest.raises(Conflict, match="open until"):
        act(proposal, staff["clerk"], "close_consultation")
    act(proposal, staff["clerk"], "comment", author="市民张某", text="建议保留老地名")
    assert proposal.comments.get().author == "市民张某"


def test_it_needs_enough_expert_opinions_and_a_long_enough_consultation(staff):
    proposal = submit(staff)
    drive(proposal, "expert_review", staff)
    act(proposal, staff["expert1"], "opinion", recommendation="approve", opinion="同意")
    start = date.today() - timedelta(days=30)
    with pytest.raises(Conflict, match="at least 3"):
        act(proposal, staff["clerk"], "open_consultation", consultation_start=start,
            consultation_end=start + timedelta(days=15))
    with pytest.raises(Conflict, match="already"):
        act(proposal, staff["expert1"], "opinion", recommendation="reject", opinion="改主意")
    for n in (2, 3):
        act(proposal, staff[f"expert{n}"], "opinion", recommendation="approve", opinion="同意")
    from config.errors import BadRequest

    with pytest.raises(BadRequest, match="at least 10 days"):
        act(proposal, staff["clerk"], "open_consultation", consultation_start=start,
            consultation_end=start + timedelta(days=3))


def test_it_needs_a_quorum_and_a_majority(staff):
    proposal = submit(staff)
    drive(proposal, "committee_review", staff)
    act(proposal, staff["member1"], "vote", choice="approve")
    with pytest.raises(Conflict, match="quorum"):
        act(proposal, staff["chair"], "approve")
    act(proposal, staff["member2"], "vote", choice="reject")
    act(proposal, staff["member3"], "vote", choice="abstain")
    with pytest.raises(Conflict, match="no majority"):
        act(proposal, staff["chair"], "approve")
    act(proposal, staff["chair"], "reject", note="未获多数赞成")
    proposal.refresh_from_db()
    assert proposal.state == "rejected"


def test_it_refuses_to_approve_a_name_with_blocking_findings(staff):
    proposal = submit(staff, name="人民路路")
    assert {f["rule"] for f in services.blocking(proposal.findings)} == {"repeated_generic"}
    drive(proposal, "committee_review", staff)
    for member in ("member1", "member2", "chair"):
        act(proposal, staff[member], "vote", choice="approve")
    with pytest.raises(Conflict, match="repeated_generic"):
        act(proposal, staff["chair"], "approve")


def test_it_renames_a_heritage_name_only_after_the_extra_review(staff, make_place):
    place = make_place("古城路", valid_from=date(1980, 1, 1), heritage_category="其他",
                       heritage_listed_on=date(2015, 1, 1))
    proposal = services.proposal_submit(actor=staff["applicant"], kind="renaming",
                                        name="新城路", place_id=place.id, reason="城市更新")
    assert "heritage" in {f["rule"] for f in services.blocking(proposal.findings)}
    drive(proposal, "expert_review", staff)
    act(proposal, staff["expert1"], "extra_review", opinion="文化遗产专家论证：同意更名",
        note="地名委〔2024〕5号")
    proposal.refresh_from_db()
    assert services.blocking(proposal.findings) == []
    for n in (1, 2, 3):
        act(proposal, staff[f"expert{n}"], "opinion", recommendation="approve", opinion="同意")
    start = date.today() - timedelta(days=30)
    act(proposal, staff["clerk"], "open_consultation", consultation_start=start,
        consultation_end=start + timedelta(days=15))
    act(proposal, staff["clerk"], "close_consultation")
    for member in ("member1", "member2", "chair"):
        act(proposal, staff[member], "vote", choice="approve")
    act(proposal, staff["chair"], "approve")
    act(proposal, staff["clerk"], "publish", announcement_number="公告1号",
        announcement_date=date.today())
    place.refresh_from_db()
    assert place.name == "新城路"
    assert place.variants.get(kind="former").name == "古城路"


def test_it_cancels_a_place_on_publication(staff, make_place):
    place = make_place("工人巷", cls="lane", valid_from=date(1970, 1, 1))
    proposal = services.proposal_submit(actor=staff["clerk"], kind="cancellation",
                                        place_id=place.id, reason="道路已拆除")
    drive(proposal, "published", staff)
    place.refresh_from_db()
    assert place.status == "historical"
    assert place.valid_to == date.today()


def test_it_keeps_two_clashing_proposals_open_but_publishes_only_one(staff):
    first, second = submit(staff, name="凤凰大道"), submit(staff, name="凤皇大道")
    pending = [f for f in second.findings if f["rule"] == "pending"]
    assert pending[0]["severity"] == "warn"
    assert pending[0]["evidence"][0]["id"] == first.id
    assert "homophone" in pending[0]["message"]
    assert not [f for f in submit(staff, name="凤凰大道", division="4419").findings
                if f["rule"] == "pending"]  # another city
    drive(first, "approved", staff)
    drive(second, "approved", staff)
    act(first, staff["clerk"], "publish", announcement_number="公告2号",
        announcement_date=date.today())
    with pytest.raises(Conflict, match="unique"):
        act(second, staff["clerk"], "publish", announcement_number="公告3号",
            announcement_date=date.today())
    assert Proposal.objects.get(id=second.id).state == "approved"
    assert Place.objects.filter(name__in=["凤凰大道", "凤皇大道"]).count() == 1
