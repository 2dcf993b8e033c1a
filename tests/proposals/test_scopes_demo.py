"""The 北京北路 case on the demo: a second 北京北路 proposed in 钟山区 with a line in 遵义."""

import pytest
from django.contrib.gis.geos import LineString

from config.errors import BadRequest
from gazetteer.models import Place
from proposals import services

from .support import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def beijing_road(demo_registry):
    return Place.objects.get(name="北京北路", divisions__division_code__startswith="5203",
                             divisions__level=2)


def beside(place):
    """A short street starting where the place starts, so in the same county."""
    x, y = place.geom.coords[0]
    return LineString((x, y), (x + 0.002, y + 0.001), srid=4490)


def test_it_refuses_the_declared_division_a_line_in_zunyi_is_not_in(beijing_road):
    staff = make_staff()
    with pytest.raises(BadRequest, match="520201000000 钟山区") as refused:
        services.proposal_submit(actor=staff["applicant"], kind="naming", name="北京北路",
                                 place_class="road", division_code="520201",
                                 geom=beside(beijing_road))
    county = beijing_road.divisions.filter(level=3).order_by("division_code").first()
    assert county.division_code in str(refused.value)


def test_it_finds_the_duplicate_when_declared_where_the_line_lies(beijing_road):
    staff = make_staff()
    county = beijing_road.divisions.filter(level=3).order_by("division_code").first()
    proposal = services.proposal_submit(
        actor=staff["applicant"], kind="naming", name="北京北路", place_class="road",
        division_code=county.division_code, geom=beside(beijing_road))
    clash = [f for f in proposal.findings if f["rule"] == "unique"]
    assert [f["evidence"][0]["id"] for f in clash] == [beijing_road.id]
    assert clash[0]["severity"] == "block"
    assert proposal.scopes == ["5203"]
