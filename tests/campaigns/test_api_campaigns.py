"""The campaigns API and pages: the office's only, reads checked like writes."""

import pytest

from campaigns import services
from campaigns.models import Finding
from jobs.models import Job
from jobs.registry import handler_for
from jobs.services import job_progress

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(make_place):
    """Two 大箐路 in 钟山区 and a foreign-sounding community."""
    return [make_place("大箐路"), make_place("大箐路"), make_place("维也纳花园", "residential")]


def test_it_runs_a_campaign_as_a_job_with_its_progress(planted, clerk):
    c = services.campaign_create(actor=clerk, title="t", scope_code="5202",
                                 classes=["road", "residential"])
    job = Job.objects.create(kind="campaign_run", params={"campaign_id": c.id},
                             created_by=clerk)
    result = handler_for("campaign_run")(
        job, lambda done, total=None, message="": job_progress(
            job_id=job.id, done=done, total=total, message=message))
    job.refresh_from_db()
    assert (job.done, job.total) == (3, 3)
    assert result["checked"] == 3 and result["non_standard"] == 3
    kinds = sorted(Finding.objects.filter(campaign=c).values_list("kind", flat=True))
    assert kinds == ["banned", "duplicate", "duplicate"]


def test_it_creates_lists_and_triages_over_the_api(client, planted, clerk):
    client.force_login(clerk)
    made = client.post("/api/v1/campaigns", {"title": "六盘水", "scope_code": "5202"},
                       content_type="application/json")
    assert made.status_code == 201, made.json()
    cid = made.json()["id"]
    assert made.json()["state"] == "running" and made.json()["job_id"]
    services.campaign_run(campaign_id=cid, actor=clerk)  # what the worker does
    detail = client.get(f"/api/v1/campaigns/{cid}").json()
    assert detail["counts"]["by_state"]["open"] == 3
    page = client.get(f"/api/v1/campaigns/{cid}/findings?kind=duplicate").json()
    assert page["count"] == 2
    fid = page["items"][0]["id"]
    refused = client.post(f"/api/v1/campaigns/findings/{fid}/triage", {"action": "keep"},
                          content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()["detail"]
    kept = client.post(f"/api/v1/campaigns/findings/{fid}/triage",
                       {"action": "keep", "reason": "两条路分属不同片区"},
                       content_type="application/json")
    assert kept.json()["state"] == "kept"
    history = client.get(f"/api/v1/campaigns/findings/{fid}/history").json()
    assert [(h["action"], h["to_state"]) for h in history] == [("keep", "kept")]
    report = client.get(f"/api/v1/campaigns/{cid}/report?format=csv")
    assert report.status_code == 200
    text = report.content.decode()
    assert "3 names checked, 3 non-standard, 0 corrected" in text.splitlines()[0]
    assert sum(",duplicate,unique," in line for line in text.splitlines()) == 2
    data = client.get(f"/api/v1/campaigns/{cid}/report").json()
    assert data["by_state"] == {"open": 2, "kept": 1, "corrected": 0, "proposed": 0}


def test_it_shows_campaigns_to_the_office_only(client, planted, clerk, applicant):
    c = services.campaign_create(actor=clerk, title="t", scope_code="520201")
    services.campaign_run(campaign_id=c.id, actor=clerk)
    fid = Finding.objects.filter(campaign=c).first().id
    assert client.get(f"/api/v1/campaigns/{c.id}").status_code == 401
    client.force_login(applicant)
    for url in (f"/api/v1/campaigns/{c.id}", "/api/v1/campaigns",
                f"/api/v1/campaigns/{c.id}/findings", f"/api/v1/campaigns/{c.id}/report",
                f"/api/v1/campaigns/findings/{fid}/history"):
        answer = client.get(url)
        assert answer.status_code == 403, url
        assert "place-name office" in answer.json()["detail"]
    made = client.post("/api/v1/campaigns", {"title": "x"}, content_type="application/json")
    assert made.status_code == 403
    assert client.get(f"/campaigns/{c.id}/").status_code == 403


def test_it_refuses_an_unknown_class_or_code(client, clerk, db):
    client.force_login(clerk)
    bad = client.post("/api/v1/campaigns", {"title": "x", "classes": ["roads"]},
                      content_type="application/json")
    assert bad.status_code == 400 and "roads" in bad.json()["detail"]
    bad = client.post("/api/v1/campaigns", {"title": "x", "scope_code": "5202x"},
                      content_type="application/json")
    assert bad.status_code == 400 and "5202x" in bad.json()["detail"]


def test_it_serves_the_pages_with_progress_and_triage(client, planted, clerk):
    client.force_login(clerk)
    made = client.post("/campaigns/", {"title": "页面", "scope_code": "520201",
                                       "include_signs": "on"})
    assert made.status_code == 302
    cid = int(made["Location"].rstrip("/").split("/")[-1])
    running = client.get(f"/campaigns/{cid}/progress").content.decode()
    assert 'hx-trigger="every 2s"' in running
    services.campaign_run(campaign_id=cid, actor=clerk)
    page = client.get(f"/campaigns/{cid}/?kind=banned").content.decode()
    assert "维也纳花园" in page and 'id="finding-' in page
    assert page.count('id="finding-') == 1
    fid = Finding.objects.get(campaign_id=cid, kind="banned").id
    done = client.post(f"/campaigns/findings/{fid}/triage",
                       {"action": "propose", "new_name": "荷泉花园", "reason": "崇洋"})
    assert done.status_code == 302
    assert Finding.objects.get(id=fid).proposal_id
    assert "every 2s" not in client.get(f"/campaigns/{cid}/progress").content.decode()
    assert client.get("/campaigns/").status_code == 200


def test_it_finds_a_generic_that_does_not_fit_the_class_as_the_single_check_does(
        make_place, clerk):
    from gazetteer import checks

    road = make_place("凉都花园")  # a community's generic on a road
    fine = make_place("凉都大道")
    c = services.campaign_create(actor=clerk, title="t", scope_code="520201", classes=["road"])
    services.campaign_run(campaign_id=c.id, actor=clerk)
    found = Finding.objects.get(campaign=c, place=road)
    assert (found.kind, found.rule) == ("mismatched_generic", "generic_fit")
    single = checks.check_name(name=road.name, place_class=road.place_class,
                               division_code="520201", place=road)
    assert [(f.severity, f.message) for f in single.findings if f.rule == "generic_fit"] == [
        (found.severity, found.detail)]
    assert not Finding.objects.filter(campaign=c, place=fine).exists()


def test_it_runs_over_a_division_or_the_whole_registry(planted, make_place, clerk):
    from tests import support

    elsewhere = make_place("威尼斯花园", "residential", geom=support.short_line("520204"))
    runs = {}
    for scope in ("520201", ""):  # 钟山区, then everywhere
        c = services.campaign_create(actor=clerk, title=scope or "全部", scope_code=scope,
                                     classes=["road", "residential"])
        runs[scope] = services.campaign_run(campaign_id=c.id, actor=clerk)
        runs[scope]["places"] = set(Finding.objects.filter(campaign=c)
                                    .values_list("place_id", flat=True))
    mine = {p.id for p in planted}
    assert runs["520201"]["checked"] == 3 and runs["520201"]["places"] == mine
    assert runs[""]["checked"] == 4 and runs[""]["places"] == mine | {elsewhere.id}


def test_it_lets_the_whole_office_follow_a_run_and_no_one_else(client, planted, clerk):
    from django.contrib.auth.models import Group, User

    other = User.objects.create_user("campaign-clerk-2")
    other.groups.add(Group.objects.get_or_create(name="clerk")[0])
    outsider = User.objects.create_user("campaign-outsider")
    c = services.campaign_create(actor=clerk, title="t", scope_code="5202")
    job = Job.objects.create(kind="campaign_run", params={"campaign_id": c.id},
                             created_by=clerk)
    client.force_login(other)  # another clerk of the office, not the one who started it
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 200
    client.force_login(outsider)
    assert client.get(f"/api/v1/jobs/{job.id}").status_code == 404
