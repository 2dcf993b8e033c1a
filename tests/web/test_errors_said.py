"""A refusal made with its template (config.errors.RegistryError.of) is said on a page in
the page's language; the API's ``detail`` stays English."""

import pytest

from gazetteer.models import PlaceClass
from tests.support import page_in

pytestmark = pytest.mark.django_db


def test_it_says_a_wrong_code_in_the_pages_language(client, divisions_db):
    road = PlaceClass.objects.get(slug="road")
    url = f"/names/check/?name=钟山路&place_class={road.code}&division_code=52a"
    chinese = page_in(client, url, "zh-hans").content.decode()
    assert "代码 &#x27;52a&#x27;：应为 2、4、6、9 或 12 位数字" in chinese
    assert "expected 2, 4, 6, 9 or 12 digits" not in chinese
    english = page_in(client, url, "en").content.decode()
    assert "code &#x27;52a&#x27;: expected 2, 4, 6, 9 or 12 digits" in english


def test_it_says_a_missing_record_in_the_pages_language_and_english_in_the_api(client,
                                                                             divisions_db):
    missing = page_in(client, "/places/987654/", "zh-hans")
    assert missing.status_code == 404
    assert "没有编号为 987654 的地名" in missing.content.decode()
    answer = client.get("/api/v1/places/987654")
    assert answer.status_code == 404
    assert answer.json()["detail"] == "no place has the id 987654"


@pytest.mark.parametrize("language, said", [("zh-hans", "标题：这个字段是必填项。"),
                                            ("en", "Title: This field is required.")])
def test_it_says_a_forms_errors_after_their_labels_in_the_pages_language(client, divisions_db,
                                                                         language, said):
    from django.contrib.auth.models import Group, User

    clerk = User.objects.create_user("said-clerk")
    clerk.groups.add(Group.objects.get_or_create(name="clerk")[0])
    client.force_login(clerk)
    response = page_in(client, "/campaigns/", language, {"title": "", "scope_code": "520201"})
    assert response.status_code == 400
    assert said in response.content.decode()
