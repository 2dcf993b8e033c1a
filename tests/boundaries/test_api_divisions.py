import pytest

pytestmark = pytest.mark.django_db


def test_it_returns_a_county_with_its_ancestors(client, divisions_db):
    body = client.get("/api/v1/divisions/520201").json()
    assert body["code"] == "520201000000" and body["name"] == "钟山区"
    assert [a["name"] for a in body["ancestors"]] == ["贵州省", "六盘水市"]
    assert body["level"] == "county" and body["kind"] == "市辖区"
