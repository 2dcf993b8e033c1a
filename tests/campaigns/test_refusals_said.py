"""The campaigns' refusals on their pages in the page's language; the API's detail stays
English."""

import pytest

from campaigns import services

pytestmark = pytest.mark.django_db


def get(client, url, language):
    client.cookies["django_language"] = language
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_it_says_who_works_campaigns_in_the_pages_language(client, clerk, applicant):
    c = services.campaign_create(actor=clerk, title="t", scope_code="520201")
    client.force_login(applicant)
    status, zh = get(client, f"/campaigns/{c.id}/", "zh-hans")
    assert status == 403
    assert "campaign.view：只有地名办（地名办工作人员）开展不规范地名清理整治" in zh
    assert "works clean-up campaigns" not in zh
    status, en = get(client, f"/campaigns/{c.id}/", "en")
    assert "campaign.view: only the place-name office (clerk) works clean-up campaigns" in en
    api = client.get(f"/api/v1/campaigns/{c.id}")
    assert api.status_code == 403
    assert api.json()["detail"] == ("campaign.view: only the place-name office (clerk) works "
                                    "clean-up campaigns")


def test_it_says_a_missing_campaign_in_the_pages_language(client, clerk):
    client.force_login(clerk)
    status, zh = get(client, "/campaigns/987654/", "zh-hans")
    assert status == 404
    assert "没有编号为 987654 的清理整治" in zh
    status, en = get(client, "/campaigns/987654/", "en")
    assert "no campaign 987654" in en
    assert client.get("/api/v1/campaigns/987654").json()["detail"] == "no campaign 987654"
