"""A job that fails with a refusal made from its template says it on the job's pages in
the page's language; its ``error`` (the API's) stays English."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.utils.translation import gettext_noop

from campaigns import services as campaigns
from config.errors import Conflict, NotFound
from config.said import Said
from gazetteer.models import Status
from jobs import services
from jobs.models import Job, JobState
from jobs.registry import HANDLERS
from jobs.tasks import run_job
from tests.support import demo_loaded
from tests.web.workspace_data import zhongshui_inspection

pytestmark = pytest.mark.django_db

SIGN_REFUSED = ("place 7 钟山路 is historical: only a standard name gets a sign")


def _sign_refused(job, progress):
    raise Conflict.of(gettext_noop("place %(id)s %(name)s is %(status)s: only a standard "
                                   "name gets a sign"),
                      shown={"status": Status(Status.HISTORICAL).label},
                      id=7, name="钟山路", status="historical")


def _not_in_force(job, progress):
    raise NotFound.of(gettext_noop("%(code)s %(name)s was not in force on %(as_of)s (valid "
                                   "%(since)s – %(until)s)"),
                      code="520221", name="水城县", as_of=date(2024, 1, 1),
                      since=date(1987, 1, 1), until=Said(gettext_noop("now")))


def failed(monkeypatch, user, handler) -> Job:
    monkeypatch.setitem(HANDLERS, "said_test", handler)
    job = services.job_create(actor=user, kind="said_test", params={})
    assert run_job(job.id) == "failed"  # in process: the worker's code, without a worker
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    return job


def in_language(client, url, language) -> str:
    client.cookies["django_language"] = language
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.content[:400]
    return response.content.decode()


def test_it_says_a_failed_campaign_runs_refusal_on_the_progress_page(client, monkeypatch,
                                                                     divisions_db):
    clerk = User.objects.create(username="said-clerk")
    clerk.groups.add(Group.objects.get(name="clerk"))
    c = campaigns.campaign_create(actor=clerk, title="t", scope_code="5202", classes=["road"])
    c.job = failed(monkeypatch, clerk, _not_in_force)
    c.save(update_fields=["job"])
    assert c.job.error == "520221 水城县 was not in force on 2024-01-01 (valid 1987-01-01 – now)"
    client.force_login(clerk)
    url = f"/campaigns/{c.id}/progress"
    zh = in_language(client, url, "zh-hans")
    assert "520221 水城县 在 2024-01-01 不是现行区划（有效期 1987-01-01 – 至今）" in zh
    en = in_language(client, url, "en")
    assert "520221 水城县 was not in force on 2024-01-01 (valid 1987-01-01 – now)" in en


def _out_of_order(job, progress):
    from proposals.transitions import MACHINE
    MACHINE.require("extra_review", "submitted")  # two states it would be possible in


def test_it_says_a_refusals_lists_in_each_language_not_the_workers(client, monkeypatch,
                                                                  divisions_db):
    clerk = User.objects.create(username="said-clerk-2")
    clerk.groups.add(Group.objects.get_or_create(name="clerk")[0])
    c = campaigns.campaign_create(actor=clerk, title="t", scope_code="5202", classes=["road"])
    c.job = failed(monkeypatch, clerk, _out_of_order)
    c.save(update_fields=["job"])
    assert c.job.error.endswith("only when it is committee_review, expert_review")
    client.force_login(clerk)
    url = f"/campaigns/{c.id}/progress"
    zh = in_language(client, url, "zh-hans")
    assert "补充论证：该地名申报当前为“申报”，只有在“审议、专家论证”时才能进行此操作" in zh
    en = in_language(client, url, "en")
    assert ("record the extra heritage review: the proposal is submitted; this is possible "
            "only when it is committee review, expert review") in en


# After the test above: the demo empties the session's divisions for the rest of the
# module (in a transaction rolled back at its end).
@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def test_it_keeps_a_failed_jobs_refusal_and_says_it_on_the_inspections_job_page(
        client, monkeypatch, demo):
    _, inspection, users = zhongshui_inspection()
    job = failed(monkeypatch, users["a1"], _sign_refused)
    assert job.error == SIGN_REFUSED
    assert set(job.error_said) == {"zh-hans", "en"}  # said by the worker in each language
    client.force_login(users["a1"])
    url = f"/inspections/{inspection.id}/jobs/{job.id}"
    zh = in_language(client, url, "zh-hans")
    assert "地名 7 钟山路 为历史地名：只有标准地名才设地名标志" in zh
    assert "only a standard name" not in zh
    en = in_language(client, url, "en")
    assert "place 7 钟山路 is historical name: only a standard name gets a sign" in en
    api = client.get(f"/api/v1/jobs/{job.id}")
    assert api.json()["error"] == SIGN_REFUSED


def test_it_says_a_failure_without_a_template_as_it_was():
    job = Job(state=JobState.FAILED, error="ValueError: boom", error_said={})
    assert job.error_in_language() == "ValueError: boom"
