"""Six-digit GB/T 2260 codes of provinces and prefectures in the place API."""

import pytest

pytestmark = pytest.mark.django_db


def check(client, division_code: str, name: str = "中山区", cls: str = "county"):
    return client.post("/api/v1/names/check", {"name": name, "class": cls,
                                               "division_code": division_code},
                       content_type="application/json")


@pytest.mark.parametrize("six, short", [("520200", "5202"), ("520000", "52")])
def test_it_checks_a_name_in_a_province_or_prefecture_given_by_six_digits(client, divisions_db,
                                                                         six, short):
    response = check(client, six)
    assert response.status_code == 200, response.content
    assert response.json() == check(client, short).json()


def test_it_finds_the_clash_under_a_six_digit_prefecture_code(client, divisions_db):
    findings = check(client, "520200").json()["findings"]
    clash = [f for f in findings if f["rule"] == "unique"]
    assert clash and clash[0]["evidence"][0]["code"] == "520201000000"


@pytest.mark.parametrize("division", ["520200", "5202", "520000", "52", "520201",
                                      "520200000000"])
def test_it_lists_the_places_under_any_form_of_a_division_code(client, make_place, division):
    place = make_place("明湖路")
    response = client.get("/api/v1/places", {"division": division})
    assert response.status_code == 200, response.content
    assert place.id in [p["id"] for p in response.json()["items"]]


@pytest.mark.parametrize("division", ["529900", "5299", "520299", "441901"])
def test_it_answers_an_unknown_division_filter_with_404_naming_it(client, make_place, division):
    make_place("明湖路")
    response = client.get("/api/v1/places", {"division": division})
    assert response.status_code == 404
    assert division in response.json()["detail"]
