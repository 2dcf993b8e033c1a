"""Demo proposals in 六盘水: one in each workflow state, with demo staff accounts.

The accounts have no password (create a token with `manage.py create_api_token clerk`).
Everything goes through the workflow services, so timelines, opinions, votes and
findings are real; consultations lie in the past except the open one.
"""

from datetime import timedelta

from django.contrib.auth.models import Group, User
from django.db import connection, transaction

from boundaries.temporal import today
from proposals.models import Proposal
from proposals.services import ActionIn, proposal_act, proposal_submit

STAFF = {"applicant": "applicant", "clerk": "clerk", "expert1": "expert", "expert2": "expert",
         "expert3": "expert", "member1": "member", "member2": "member", "member3": "member",
         "chair": "chair",
         # not in the naming workflow: the township merger sandbox's planner and approver
         "planner": "planner", "approver": "approver"}
DIVISION = "520201"  # 钟山区
# (name, class, the state it is left in)
PROPOSALS = [
    ("明湖大道", "road", "submitted"),
    ("人民路路", "road", "returned"),
    ("荷泉巷", "lane", "accepted"),
    ("麒麟北路", "road", "expert_review"),
    ("凉都东大道", "road", "consultation"),
    ("水西花园", "residential", "committee_review"),
    ("德坞大桥", "bridge", "approved"),
    ("威尼斯水城", "residential", "rejected"),
    ("黄土坡广场", "square", "published"),
]
PATH = ["accept", "start_review", "opinions", "open_consultation", "close_consultation",
        "votes", "approve", "publish"]
STOPS = {"submitted": 0, "accepted": 1, "expert_review": 2, "consultation": 4,
         "committee_review": 5, "approved": 7, "published": 8, "returned": 0, "rejected": 6}


def staff() -> dict[str, User]:
    users = {}
    for username, role in STAFF.items():
        user, created = User.objects.get_or_create(username=f"demo-{username}")
        if created:
            user.set_unusable_password()
            user.save()
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def _step(p: Proposal, step: str, users: dict, open_now: bool) -> None:
    def act(who, action, **data):
        proposal_act(proposal_id=p.id, actor=users[who], action=action, data=ActionIn(**data))

    if step == "opinions":
        for n in (1, 2, 3):
            act(f"expert{n}", "opinion", recommendation="approve", opinion="名称规范，寓意良好")
    elif step == "votes":
        for who in ("member1", "member2", "chair"):
            act(who, "vote", choice="approve")
    elif step == "open_consultation":
        start = today() - timedelta(days=3 if open_now else 40)
        act("clerk", step, consultation_start=start, consultation_end=start + timedelta(days=15))
    elif step == "publish":
        act("clerk", step, announcement_number="六盘水市地名委公告〔2024〕1号",
            announcement_date=today())
    else:
        act("chair" if step == "approve" else "clerk", step)


@transaction.atomic
def load() -> dict:
    """One proposal in each state, into a registry with none; otherwise nothing."""
    with connection.cursor() as cur:
        cur.execute("LOCK TABLE proposals_proposal IN SHARE ROW EXCLUSIVE MODE")
    held = Proposal.objects.count()
    if held:
        return {"skipped": held}
    users = staff()
    for name, cls, state in PROPOSALS:
        p = proposal_submit(actor=users["applicant"], kind="naming", name=name,
                            place_class=cls, division_code=DIVISION,
                            meaning="演示数据（合成）", reason="新建道路、设施命名")
        for step in PATH[:STOPS[state]]:
            _step(p, step, users, open_now=state == "consultation")
        if state == "returned":
            proposal_act(proposal_id=p.id, actor=users["clerk"], action="return",
                         data=ActionIn(note="重叠通名，请修改后重新申报"))
        elif state == "rejected":
            proposal_act(proposal_id=p.id, actor=users["chair"], action="reject",
                         data=ActionIn(note="含崇洋地名用词，不予批准"))
    return {"proposals": len(PROPOSALS)}
