"""A name is checked, locked and filed in every scope its geometry lies in, and the
geometry must meet the declared division (the 北京北路 case: declared in 钟山区, drawn in 遵义)."""

import json

import pytest
from django.db import connection

from config.errors import BadRequest
from gazetteer import checks
from gazetteer.models import Place, PlaceClass
from proposals import services
from tests.support import short_line

from .support import XUANWEI, add_xuanwei, drive, line_between

pytestmark = pytest.mark.django_db

def inside(code: str):
    return short_line(code)


@pytest.fixture
def xuanwei(lps_polygons):
    add_xuanwei()


def submit(staff, name, division, geom, cls="road"):
    return services.proposal_submit(actor=staff["applicant"], kind="naming", name=name,
                                    place_class=cls, division_code=division, geom=geom)


def unique_ids(findings: list[dict]) -> set[int]:
    return {f["evidence"][0]["id"] for f in findings
            if f["rule"] == "unique" and f["severity"] == "block"}


def test_it_refuses_a_geometry_outside_the_declared_division_naming_both(staff, xuanwei):
    with pytest.raises(BadRequest, match=r"宣威市 530381000000.*520201000000 钟山区"):
        submit(staff, "凉都大道", "520201", inside("530381"))


def test_it_checks_a_street_crossing_a_city_border_in_both_cities(staff, make_place, xuanwei):
    in_xuanwei = make_place("麒麟北路", geom=inside("530381"))
    in_shuicheng = make_place("荷泉路", geom=inside("520204"))
    crossing = line_between("520204000000", XUANWEI)
    first = submit(staff, "麒麟北路", "520204", crossing)
    assert first.scopes == ["5202", "5303"]
    assert unique_ids(first.findings) == {in_xuanwei.id}
    second = submit(staff, "荷泉路", "530381", crossing)
    assert unique_ids(second.findings) == {in_shuicheng.id}
    # Declared in one city only, without a geometry: the other city's name is not its scope.
    assert unique_ids(services.proposal_submit(
        actor=staff["applicant"], kind="naming", name="麒麟北路", place_class="road",
        division_code="520204").findings) == set()


def test_it_finds_an_open_proposal_sharing_any_scope(staff, xuanwei):
    crossing = line_between("520204000000", XUANWEI)
    elsewhere = submit(staff, "迎春路", "530381", inside("530381"))
    mine = submit(staff, "迎春路", "520204", crossing)
    pending = [f for f in mine.findings if f["rule"] == "pending"]
    assert [f["evidence"][0]["id"] for f in pending] == [elsewhere.id]


def test_it_checks_a_county_scoped_name_in_both_counties_it_crosses(lps_polygons):
    with connection.cursor() as cur:
        cur.execute("SELECT name FROM boundaries_divisionversion WHERE level = 4 AND "
                    "code LIKE '520204%%' AND kind = '镇' ORDER BY code LIMIT 1")
        town = cur.fetchone()[0]
    township = PlaceClass.objects.get(slug="township")
    crossing = line_between("520201000000", "520204000000")
    result = checks.check_name(name=town, place_class=township, division_code="520201",
                               geom=crossing)
    assert result.scopes == ["520201", "520204"]
    clash = [f for f in result.findings if f.rule == "unique" and f.severity == "block"]
    assert [f.evidence[0]["code"][:6] for f in clash] == ["520204"]
    alone = checks.check_name(name=town, place_class=township, division_code="520201")
    assert "unique" not in {f.rule for f in alone.findings}


def test_it_files_the_published_place_where_its_geometry_lies(staff, xuanwei):
    crossing = line_between("520204000000", XUANWEI)
    proposal = submit(staff, "滇黔大道", "520204", crossing)
    drive(proposal, "published", staff)
    place = Place.objects.get(id=proposal.published_place_id)
    codes = set(place.divisions.filter(level=3).values_list("division_code", flat=True))
    assert codes == {"520204000000", XUANWEI}


def test_it_prechecks_with_a_geometry_through_the_api(client, xuanwei):
    body = {"name": "凉都大道", "class": "road", "division_code": "520201",
            "geometry": json.loads(inside("530381").geojson)}
    response = client.post("/api/v1/names/check", body, content_type="application/json")
    assert response.status_code == 400
    assert "宣威市" in response.json()["detail"]
    body["division_code"] = "530381"
    response = client.post("/api/v1/names/check", body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["scopes"] == ["5303"]
