"""The staff workspaces through the client: who is sent to sign in, who sees which
actions, and that a refused action is the 403 page (the same permissions as the API)."""

import re

import pytest

from boundaries.models import BoundaryLine
from inspections.models import Inspection
from jobs.models import Job
from proposals.models import Proposal
from tests.inspections.support import SHUICHENG, ZHONGSHAN
from tests.support import demo_loaded, page_in

from .workspace_data import with_password, zhongshui_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:400]
    return response.content.decode()


@pytest.mark.parametrize("url", ["/proposals/", "/inspections/", "/hazards/"])
def test_it_sends_an_anonymous_visitor_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_it_offers_the_clerk_actions_a_member_does_not_see(client):
    submitted = Proposal.objects.get(name="明湖大道")
    client.force_login(with_password("demo-clerk"))
    as_clerk = page(client, f"/proposals/{submitted.id}/")
    client.force_login(with_password("demo-member1"))
    as_member = page(client, f"/proposals/{submitted.id}/")
    assert 'id="action-accept"' in as_clerk
    assert 'id="action-return"' in as_clerk
    assert "action-accept" not in as_member
    assert 'id="no-actions"' in as_member


def test_it_answers_a_members_accept_with_the_403_page_and_leaves_the_proposal(client):
    submitted = Proposal.objects.get(name="明湖大道")
    client.force_login(with_password("demo-member1"))
    response = client.post(f"/proposals/{submitted.id}/act/accept", {"note": ""})
    assert response.status_code == 403
    assert "“受理”需要地名办工作人员角色" in response.content.decode()  # the clerk's step
    submitted.refresh_from_db()
    assert submitted.state == "submitted"


def test_it_lists_the_proposals_by_state(client):
    client.force_login(with_password("demo-clerk"))
    body = page(client, "/proposals/?state=consultation")
    assert "凉都东大道" in body
    assert "明湖大道" not in body


def test_it_explains_the_precheck_findings_in_plain_words(client):
    body = page(client, "/names/check/?name=人民路路&place_class=" +
                Proposal.objects.get(name="明湖大道").place_class.code +
                "&division_code=520201")
    assert "finding block" in body
    assert "中山路路" in body  # the plain explanation of a repeated generic
    assert "submit-proposal" not in body  # an anonymous visitor cannot submit


def test_it_refuses_a_side_b_member_the_sign_a_button(client):
    _, inspection, users = zhongshui_inspection()
    client.force_login(users["b1"])
    body = page(client, f"/inspections/{inspection.id}/")
    assert "do-sign_a" not in body
    response = client.post(f"/inspections/{inspection.id}/act/sign_a")
    assert response.status_code == 403
    assert "钟山区联检组" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.signed_a_by_id is None


def test_it_refuses_an_outsider_the_inspection_page(client):
    _, inspection, _ = zhongshui_inspection()
    client.force_login(with_password("ws-outsider"))
    page(client, f"/inspections/{inspection.id}/", status=403)


def test_it_shows_geometry_in_the_admin_on_local_maps(client):
    from django.contrib.auth.models import User

    from boundaries.models import BoundaryLine, DivisionVersion

    client.force_login(User.objects.create_superuser("ws-admin", password="x"))
    division = DivisionVersion.objects.filter(code="520201000000").first()
    line = BoundaryLine.objects.first()
    proposal = Proposal.objects.first()
    for url in (f"/admin/boundaries/divisionversion/{division.id}/change/",
                f"/admin/boundaries/boundaryline/{line.id}/change/",
                f"/admin/proposals/proposal/{proposal.id}/change/"):
        body = page(client, url)
        assert "leaflet" in body, url
        assert "id_geom_map" in body, url
        assert "tile.openstreetmap" not in body
        assert 'name="_save"' not in body  # read-only: history is not edited here
    assert "leaflet" in page(client, "/admin/gazetteer/place/add/")


def test_it_links_only_the_workspaces_the_user_may_open(client):
    client.force_login(with_password("demo-clerk", "clerk"))
    as_clerk = page(client, "/")
    client.force_login(with_password("ws-planner", "planner"))
    as_planner = page(client, "/")
    client.force_login(with_password("ws-nobody"))
    as_nobody = page(client, "/")
    assert 'id="inspections-link"' in as_clerk and 'id="mergers-link"' not in as_clerk
    assert 'id="mergers-link"' in as_planner and 'id="inspections-link"' not in as_planner
    assert "inspections-link" not in as_nobody and "mergers-link" not in as_nobody
    assert client.get("/mergers/").status_code == 403  # the page says the same


def test_it_plans_an_inspection_from_the_lines_page_with_the_sides_teams_suggested(client):
    line = BoundaryLine.objects.get(level=3, left_code=ZHONGSHAN, right_code=SHUICHENG,
                                    valid_to__isnull=True)
    with_password("ws-a1", "钟山区联检组")
    with_password("ws-b1", "水城区联检组")
    url = f"/inspections/lines/{line.id}/markers/"
    client.force_login(with_password("ws-a1"))
    as_team = page(client, url)
    client.force_login(with_password("ws-clerk", "clerk"))
    form = page(client, url)
    response = client.post(f"/inspections/lines/{line.id}/plan", {
        "plan-year": "2026", "plan-team_a": "钟山区联检组", "plan-team_b": "水城区联检组",
        "plan-note": "第一轮"})
    planned = Inspection.objects.get(line=line)
    after = page(client, url)
    assert 'id="plan-form"' not in as_team
    assert '<option value="钟山区联检组" selected>' in form
    assert '<option value="水城区联检组" selected>' in form
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{planned.id}/"
    assert (planned.state, planned.team_a.name, planned.team_b.name) == (
        "planned", "钟山区联检组", "水城区联检组")
    assert 'id="plan-form"' not in after  # one inspection of a line at a time


def test_it_says_a_proposals_state_and_steps_in_the_pages_language(client):
    submitted = Proposal.objects.get(name="明湖大道")
    client.force_login(with_password("demo-clerk"))
    zh = page(client, f"/proposals/{submitted.id}/")
    client.cookies["django_language"] = "en"
    en = page(client, f"/proposals/{submitted.id}/")
    inbox = page(client, "/proposals/")

    def timeline(body):
        return re.search(r'<ol class="timeline" id="timeline">(.*?)</ol>', body, re.S).group(1)

    assert 'id="state">申报</span>' in zh
    assert 'id="state">submitted</span>' in en
    assert "提交申报 → 申报" in timeline(zh)
    assert "Submit → submitted" in timeline(en)
    assert "public consultation (" in inbox  # the state tabs


def test_it_says_the_lines_level_in_the_pages_language(client):
    client.force_login(with_password("ws-clerk", "clerk"))
    zh = page(client, "/inspections/")
    assert "<td>县级</td>" in zh
    assert "<td>county</td>" not in zh


def test_it_says_a_queued_readings_state_in_the_pages_language(client):
    line, inspection, users = zhongshui_inspection()
    job = Job.objects.create(kind="survey_upload", params={}, created_by=users["a1"],
                             state="running", done=1, total=4)
    client.force_login(users["a1"])
    zh = page(client, f"/inspections/{inspection.id}/jobs/{job.id}")
    client.cookies["django_language"] = "en"
    en = page(client, f"/inspections/{inspection.id}/jobs/{job.id}")
    assert '<strong id="job-state">进行中</strong>' in zh
    assert '<strong id="job-state">running</strong>' in en


@pytest.mark.parametrize("language, said, unsaid", [
    ("zh-hans", ["公告：该地名申报当前为“申报”", "只有在“批准”时"], "possible only when"),
    ("en", ["publish: the proposal is submitted; this is possible only when it is approved"],
     "当前为"),
])
def test_it_says_an_out_of_order_step_in_the_pages_language(client, language, said, unsaid):
    submitted = Proposal.objects.get(name="明湖大道")
    client.force_login(with_password("demo-clerk"))
    response = page_in(client, f"/proposals/{submitted.id}/act/publish", language,
                       {"note": ""})
    body = response.content.decode()
    assert response.status_code == 409
    for words in said:
        assert words in body
    assert unsaid not in body
    api = client.post(f"/api/v1/proposals/{submitted.id}/publish", {},
                      content_type="application/json")
    assert api.status_code == 409
    assert api.json()["detail"] == ("publish: the proposal is submitted; this is possible "
                                    "only when it is approved")
