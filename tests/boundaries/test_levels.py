"""One reading of a level: by name in any case or by number, for the API and the commands."""

import pytest
from django.contrib.auth.models import Group

from boundaries.management.commands.derive_boundary_lines import level_arg
from boundaries.models import Level
from importers.errors import ImporterError
from importers.polygons import level_value

NAMES = ["province", "prefecture", "county", "township", "village"]


@pytest.mark.parametrize("raw, level", [
    ("province", Level.PROVINCE), ("County", Level.COUNTY), ("VILLAGE", Level.VILLAGE),
    ("4", Level.TOWNSHIP), (2, Level.PREFECTURE), (Level.COUNTY, Level.COUNTY),
])
def test_it_reads_a_level_by_name_or_number(raw, level):
    assert Level.parse(raw) is level


@pytest.mark.parametrize("raw", ["city", "", "0", "6", 7, "county "])
def test_it_refuses_what_is_not_a_level_naming_the_levels(raw):
    with pytest.raises(ValueError, match=", ".join(NAMES)):
        Level.parse(raw)


def test_it_reads_only_the_levels_asked_for():
    lines = (Level.PROVINCE, Level.PREFECTURE, Level.COUNTY, Level.TOWNSHIP)
    assert Level.parse("township", lines) is Level.TOWNSHIP
    with pytest.raises(ValueError, match="township$"):
        Level.parse("village", lines)


def test_it_reads_levels_the_same_in_the_commands_and_the_loaders():
    assert level_arg("county") == level_value("County") == level_value(3) == 3
    with pytest.raises(ValueError):
        level_arg("town")
    with pytest.raises(ImporterError, match="unknown level 'town'"):
        level_value("town")


def search(client, level):
    return client.get("/api/v1/divisions", {"q": "钟山", "level": level})


@pytest.mark.django_db
def test_it_filters_a_search_by_level_named_or_numbered(client, divisions_db):
    answers = [search(client, level).json() for level in ["county", "County", "3"]]
    assert answers[0]["items"] and all(i["level"] == "county" for i in answers[0]["items"])
    assert answers[1] == answers[0] == answers[2]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/divisions?q=钟山&level=galaxy",
                                 "/api/v1/boundaries?level=galaxy"])
def test_it_answers_a_bad_level_with_400_naming_the_parameter_and_levels(client, url):
    response = client.get(url)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert detail.startswith("level: ")
    assert ", ".join(NAMES) in detail
    assert "galaxy" in detail


@pytest.mark.django_db
def test_it_lists_overdue_lines_of_the_four_line_levels_only(client, django_user_model):
    reader = django_user_model.objects.create(username="reader")  # the office reads the list
    reader.groups.add(Group.objects.get_or_create(name="clerk")[0])
    client.force_login(reader)
    assert client.get("/api/v1/boundaries/overdue?level=Township").status_code == 200
    response = client.get("/api/v1/boundaries/overdue?level=village")
    assert response.status_code == 400
    assert "province, prefecture, county, township, not 'village'" in response.json()["detail"]


def test_it_documents_the_accepted_levels(client, db):
    parameters = client.get("/api/openapi.json").json()["paths"]["/api/v1/divisions"]["get"][
        "parameters"]
    level = next(p for p in parameters if p["name"] == "level")
    assert level["schema"]["anyOf"][0]["enum"] == NAMES
