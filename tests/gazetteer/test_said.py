"""The gazetteer's refusals are said on a page in the page's language; the API's
``detail`` stays English, byte for byte."""

from datetime import date

import pytest
from django.utils import translation

from accounts.services import system_actor
from boundaries.temporal import today
from config.errors import BadRequest
from config.said import in_language
from gazetteer import services
from tests.support import page_in

pytestmark = pytest.mark.django_db


def test_it_says_a_wrong_feed_source_in_the_pages_language(client, divisions_db):
    zh = page_in(client, "/changes/?source=towns", "zh-hans")
    assert zh.status_code == 400
    assert "来源 &#x27;towns&#x27;：应为 division 或 place" in zh.content.decode()
    en = page_in(client, "/changes/?source=towns", "en").content.decode()
    assert "source &#x27;towns&#x27;: expected division or place" in en
    api = client.get("/api/v1/changes", {"cursor": "nope"})
    assert api.status_code == 400
    assert api.json()["detail"] == "cursor 'nope': not a cursor this feed gave out"


def test_it_says_a_renaming_refused_by_the_checks_finding_by_finding(make_place):
    recent = make_place("和平路", valid_from=date(today().year - 2, 1, 1))
    with pytest.raises(BadRequest) as refused:
        services.place_rename(place_id=recent.id, new_name="和顺路", effective_date=today(),
                              document_number="", reason="test", actor=system_actor())
    english = str(refused.value)
    assert english.startswith("和平路 → 和顺路: refused by the checks: stability: 和平路 was "
                              "named or renamed on ")
    with translation.override("en"):
        assert in_language(refused.value.said()) == english
    with translation.override("zh-hans"):
        chinese = in_language(refused.value.said())
    assert chinese.startswith("和平路 → 和顺路：未通过检查：stability：和平路 于 ")
    assert "命名或更名，距今不足 5 年" in chinese
    assert "renamed" not in chinese
