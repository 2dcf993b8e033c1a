"""The division registry's refusals are said on a page in the page's language; the API's
``detail`` stays English, byte for byte."""

from datetime import date

import pytest
from django.utils import translation

from accounts.services import system_actor
from boundaries import selectors, services
from boundaries.models import EventKind
from config.errors import NotFound
from config.said import in_language
from tests.support import page_in

pytestmark = pytest.mark.django_db

RECORDED = date(2017, 4, 1)


def test_it_says_a_wrong_date_on_a_division_page_in_the_pages_language(client, divisions_db):
    zh = page_in(client, "/divisions/520201/?as_of=2024-13-01", "zh-hans")
    assert zh.status_code == 400
    assert "日期 &#x27;2024-13-01&#x27;：应为日期，格式 YYYY-MM-DD" in zh.content.decode()
    en = page_in(client, "/divisions/520201/?as_of=2024-13-01", "en").content.decode()
    assert "as_of &#x27;2024-13-01&#x27;: expected a date, YYYY-MM-DD" in en


def test_it_says_a_division_not_yet_in_force_with_its_period_said_too(client, divisions_db):
    services.division_record_predecessor(
        code="520281", level=3, old_code="520222", old_name="盘县", effective_date=RECORDED,
        event_kind=EventKind.KIND_CHANGE, subkind="撤县设市", approving_authority="国务院",
        actor=system_actor())
    english = "520281 盘州市 was not in force on 2000-01-01 (valid 2017-04-01 – now)"
    api = client.get("/api/v1/divisions/520281", {"as_of": "2000-01-01"})
    assert api.status_code == 404
    assert api.json()["detail"] == english
    with pytest.raises(NotFound) as refused:
        selectors.division_get("520281", date(2000, 1, 1))
    with translation.override("zh-hans"):
        assert in_language(refused.value.said()) == (
            "520281 盘州市 在 2000-01-01 不是现行区划（有效期 2017-04-01 – 至今）")
    with translation.override("en"):
        assert in_language(refused.value.said()) == english
