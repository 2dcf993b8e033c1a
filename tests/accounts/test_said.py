"""Accounts' refusals are said on a page in the page's language; the API's ``detail``
stays English, byte for byte."""

import pytest
from django.contrib.auth.models import User

from tests.support import page_in

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, said", [
    ("zh-hans", "您没有编号为 987654 的令牌"),
    ("en", "no token 987654 of yours"),
])
def test_it_says_revoking_someone_elses_token_in_the_pages_language(client, language, said):
    client.force_login(User.objects.create(username="said-token"))
    response = page_in(client, "/accounts/tokens/987654/revoke", language, {})
    assert response.status_code == 404
    assert said in response.content.decode()
    api = client.post("/api/v1/tokens/987654/revoke")
    assert api.status_code == 404
    assert api.json()["detail"] == "no token 987654 of yours"
