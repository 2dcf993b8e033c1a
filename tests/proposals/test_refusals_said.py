"""The workflow's refusals on the proposal pages in the page's language (Chinese by
default, English by the language switch); the API's detail stays English."""

from datetime import timedelta

import pytest

from boundaries.temporal import today
from proposals import services
from tests.support import page_in

from .support import act, drive

pytestmark = pytest.mark.django_db


def submit(staff):
    return services.proposal_submit(actor=staff["applicant"], kind="naming", name="凉都大道",
                                    place_class="road", division_code="520201")


def post(client, url, language, data):
    response = page_in(client, url, language, data)
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("language, said, unsaid", [
    ("zh-hans", "已记录 1 份专家意见；至少需要 3 份", "expert opinion(s) recorded"),
    ("en", "1 expert opinion(s) recorded; at least 3 are needed", "专家意见"),
])
def test_it_says_too_few_expert_opinions_in_the_pages_language(client, staff, language,
                                                                said, unsaid):
    proposal = submit(staff)
    drive(proposal, "expert_review", staff)
    act(proposal, staff["expert1"], "opinion", recommendation="approve", opinion="同意")
    start = today() - timedelta(days=30)
    dates = {"consultation_start": start, "consultation_end": start + timedelta(days=15)}
    client.force_login(staff["clerk"])
    status, body = post(client, f"/proposals/{proposal.id}/act/open_consultation", language,
                        dates)
    assert status == 409
    assert said in body and unsaid not in body
    api = client.post(f"/api/v1/proposals/{proposal.id}/open_consultation",
                      {k: v.isoformat() for k, v in dates.items()},
                      content_type="application/json")
    assert api.status_code == 409
    assert api.json()["detail"] == "1 expert opinion(s) recorded; at least 3 are needed"


def test_it_says_a_step_and_a_role_by_their_labels_when_the_role_may_not(client, staff):
    proposal = submit(staff)
    client.force_login(staff["applicant"])
    status, zh = post(client, f"/proposals/{proposal.id}/act/accept", "zh-hans", {})
    assert status == 403
    assert "“受理”需要地名办工作人员角色" in zh
    status, en = post(client, f"/proposals/{proposal.id}/act/accept", "en", {})
    assert "accept needs the role place-name office clerk" in en
    api = client.post(f"/api/v1/proposals/{proposal.id}/accept", {},
                      content_type="application/json")
    assert api.status_code == 403
    assert api.json()["detail"] == "accept needs the role clerk"


def test_it_says_a_proposal_out_of_sight_in_the_pages_language(client, staff):
    proposal = submit(staff)
    client.force_login(staff["expert1"])  # staff: sees it; an applicant of another: not
    other = services.proposal_submit(actor=staff["clerk"], kind="naming", name="荷城路",
                                     place_class="road", division_code="520201")
    client.force_login(staff["applicant"])
    client.cookies["django_language"] = "zh-hans"
    missing = client.get(f"/proposals/{other.id}/")
    assert missing.status_code == 404
    assert f"没有您可查看的编号为 {other.id} 的地名申报" in missing.content.decode()
    assert client.get(f"/proposals/{proposal.id}/").status_code == 200
    api = client.get(f"/api/v1/proposals/{other.id}")
    assert api.json()["detail"] == f"no proposal {other.id} visible to you"
