"""Users in each workflow role, and a way to drive a proposal to a state."""

import json
from datetime import date, timedelta

from django.contrib.auth.models import Group, User
from django.db import connection

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


XUANWEI = "530381000000"


def add_xuanwei() -> None:
    """宣威市 (曲靖市, 云南省), which borders 水城区: its real polygon and its parents."""
    from tests.support import county_features

    feature = county_features(codes={"530381"})[0]
    with connection.cursor() as cur:
        for code, name, level, kind, parent in [
                ("530000000000", "云南省", 1, "省", None),
                ("530300000000", "曲靖市", 2, "地级市", "530000000000"),
                (XUANWEI, "宣威市", 3, "县级市", "530300000000")]:
            cur.execute(
                "INSERT INTO boundaries_divisionversion (code, name, place_name, level, kind,"
                " parent_code, geom, geometry_source, pinyin, place_pinyin, initials, grams,"
                " created_at) VALUES (%s, %s, %s, %s, %s, %s, CASE WHEN %s THEN ST_Multi("
                "ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(%s), 4490)),"
                " 3)) END, '', '', '', '', '{}', now())",
                [code, name, name, level, kind, parent, level == 3,
                 json.dumps(feature["geometry"])])


def line_between(code_a: str, code_b: str):
    """A straight line from a point inside one county to a point inside the other."""
    from django.contrib.gis.geos import GEOSGeometry

    with connection.cursor() as cur:
        cur.execute("SELECT ST_AsEWKT(ST_MakeLine(ST_PointOnSurface(a.geom), "
                    "ST_PointOnSurface(b.geom))) FROM boundaries_divisionversion a, "
                    "boundaries_divisionversion b WHERE a.code = %s AND b.code = %s AND "
                    "a.level = 3 AND b.level = 3 AND a.valid_to IS NULL AND b.valid_to IS NULL",
                    [code_a, code_b])
        return GEOSGeometry(cur.fetchone()[0])
