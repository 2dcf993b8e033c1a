"""Users in each workflow role, and a way to drive a proposal to a state."""

from datetime import date, timedelta

from django.contrib.auth.models import Group, User

from proposals import services
from proposals.services import ActionIn

ROLES = {"applicant": ["applicant"], "clerk": ["clerk"], "expert1": ["expert"],
         "expert2": ["expert"], "expert3": ["expert"], "member1": ["member"],
         "member2": ["member"], "member3": ["member"], "chair": ["chair"]}


def make_staff() -> dict[str, User]:
    users = {}
    for username, groups in ROLES.items():
        user, _ = User.objects.get_or_create(username=username)
        user.groups.set(Group.objects.filter(name__in=groups))
        users[username] = user
    return users


PATH = ["accept", "start_review", "opinions", "open_consultation", "close_consultation",
        "votes", "approve", "publish"]
REACHES = {"accepted": 1, "expert_review": 2, "consultation": 4, "committee_review": 5,
           "approved": 7, "published": 8}


def drive(proposal, state: str, staff: dict, *, today_in_consultation=False) -> None:
    """Take the proposal along the happy path until it reaches ``state``."""
    for step in PATH[:REACHES[state]]:
        if step == "opinions":
            for n in (1, 2, 3):
                act(proposal, staff[f"expert{n}"], "opinion", recommendation="approve",
                    opinion="名称规范，同意")
        elif step == "votes":
            for member in ("member1", "member2", "chair"):
                act(proposal, staff[member], "vote", choice="approve")
        elif step == "open_consultation":
            start = date.today() - timedelta(days=3 if today_in_consultation else 30)
            act(proposal, staff["clerk"], step, consultation_start=start,
                consultation_end=start + timedelta(days=15))
        elif step == "publish":
            act(proposal, staff["clerk"], step, announcement_number="六盘水地名公告〔2024〕1号",
                announcement_date=date.today())
        else:
            who = "chair" if step == "approve" else "clerk"
            act(proposal, staff[who], step)
    proposal.refresh_from_db()


def act(proposal, actor, action, **data):
    return services.proposal_act(proposal_id=proposal.id, actor=actor, action=action,
                                 data=ActionIn(**data))
