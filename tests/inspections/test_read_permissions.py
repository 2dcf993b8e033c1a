"""Who may read inspections, reports, hazards and the lines due: the office, the committee
staff and the two sides' teams. Everyone else gets 403, the role × endpoint matrix below."""

from datetime import date

import pytest
from django.contrib.auth.models import Group, User

from accounts.services import token_create
from boundaries.models import BoundaryLine
from inspections import hazards, services

TEAM_A, TEAM_B, OTHER_TEAM = "钟山区联检组", "水城区联检组", "盘州市联检组"
READERS = ["clerk", "expert", "member", "a1", "b1"]
REFUSED = ["applicant", "outsider", "planner"]


@pytest.fixture
def readers(line, people) -> dict[str, User]:
    """The conftest's clerk, teams and outsider, plus committee staff, an applicant, a
    planner and a member of another inspection's team."""
    users = dict(people)
    for name, group in [("expert", "expert"), ("member", "member"), ("applicant", "applicant"),
                        ("planner", "planner"), ("other", OTHER_TEAM)]:
        users[name], _ = User.objects.get_or_create(username=name)
        users[name].groups.set([Group.objects.get_or_create(name=group)[0]])
    return users


@pytest.fixture
def inspection(line, readers):
    found = services.inspection_plan(actor=readers["clerk"], line=line, year=date.today().year,
                                     team_a=TEAM_A, team_b=TEAM_B)
    point = line.geom[0].interpolate_normalized(0.5)
    hazards.hazard_record(actor=readers["a1"], location=(point.x, point.y),
                           description="施工取土靠近界线", severity="medium",
                           inspection_id=found.id)
    return found


def endpoints(inspection) -> list[str]:
    hazard = inspection.hazards.get()
    base = f"/api/v1/inspections/{inspection.id}"
    return [base, f"{base}/report", f"{base}/report.gpkg", f"/api/v1/hazards/{hazard.id}",
            f"/inspections/{inspection.id}/report"]


LISTS = ["/api/v1/inspections", "/api/v1/hazards", "/api/v1/boundaries/overdue"]


def as_(client, user, token: bool):
    """Signed in, or with a bearer token (the printable page takes either)."""
    if token:
        return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='t')[1]}"}
    client.force_login(user)
    return {}


@pytest.mark.parametrize("who", READERS)
@pytest.mark.parametrize("token", [False, True])
def test_it_lets_the_office_the_committee_and_both_teams_read(client, inspection, readers,
                                                              who, token):
    headers = as_(client, readers[who], token)
    for url in endpoints(inspection) + LISTS:
        assert client.get(url, **headers).status_code == 200, url


@pytest.mark.parametrize("who", REFUSED)
@pytest.mark.parametrize("token", [False, True])
def test_it_refuses_everyone_else_with_403(client, inspection, readers, who, token):
    headers = as_(client, readers[who], token)
    for url in endpoints(inspection) + LISTS:
        assert client.get(url, **headers).status_code == 403, url


def test_it_shows_another_team_only_its_own_inspections(client, line, inspection, readers):
    elsewhere = BoundaryLine.objects.filter(level=3, valid_to__isnull=True).exclude(
        pk=line.pk).first()
    theirs = services.inspection_plan(actor=readers["clerk"], line=elsewhere,
                                      year=date.today().year, team_a=OTHER_TEAM,
                                      team_b=Group.objects.get_or_create(name="另一联检组")[0])
    client.force_login(readers["other"])
    for url in endpoints(inspection):
        assert client.get(url).status_code == 403, url
    listed = client.get("/api/v1/inspections").json()
    assert [i["id"] for i in listed["items"]] == [theirs.id]
    assert client.get("/api/v1/hazards").json()["count"] == 0
    assert client.get("/api/v1/boundaries/overdue").status_code == 200


def test_it_lists_a_sides_inspection_to_its_team(client, inspection, readers):
    client.force_login(readers["b1"])
    assert [i["id"] for i in client.get("/api/v1/inspections").json()["items"]] == [
        inspection.id]


def test_it_asks_anonymous_readers_to_authenticate(client, inspection):
    for url in endpoints(inspection)[:4] + LISTS:
        assert client.get(url).status_code == 401, url
    assert client.get(f"/inspections/{inspection.id}/report").status_code == 403
