"""A tile's refusal answers JSON (its clients are map libraries) in English whatever the
language, and is still said in Chinese where a person reads it."""

import pytest
from django.utils import translation

from config.errors import BadRequest
from config.said import in_language
from tiles import selectors

pytestmark = pytest.mark.django_db


def test_it_answers_a_tile_refusal_in_english_and_can_say_it_in_chinese(client):
    client.cookies["django_language"] = "zh-hans"
    answer = client.get("/tiles/nowhere/0/0/0.pbf")
    assert answer.status_code == 404
    assert answer.json()["detail"].startswith("layer 'nowhere': no such tile layer (one of ")
    with pytest.raises(BadRequest) as refused:
        selectors.address(next(iter(selectors.LAYERS)), "1", "2", "0", None)
    assert str(refused.value) == "tile 1/2/0: x and y must be 0 to 1 at z=1"
    with translation.override("zh-hans"):
        assert in_language(refused.value.said()) == "瓦片 1/2/0：z=1 时 x 和 y 须在 0 到 1 之间"
