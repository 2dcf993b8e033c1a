"""A survey replacing a line keeps the line's orientation (its left side the left division)."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.contrib.gis.geos import LineString, MultiLineString
from django.utils import timezone

from boundaries.models import BoundaryLine
from inspections import accept
from inspections.models import Inspection, SurveyFeature, SurveyUpload

pytestmark = pytest.mark.django_db


def surveyed_by_a(line: BoundaryLine, geom) -> Inspection:
    team_a, _ = Group.objects.get_or_create(name="钟山区联检组")
    team_b, _ = Group.objects.get_or_create(name="水城区联检组")
    inspection = Inspection.objects.create(line=line, round=1, year=date.today().year,
                                           due_date=date.today(), state="reconciling",
                                           team_a=team_a, team_b=team_b)
    upload = SurveyUpload.objects.create(
        inspection=inspection, side="A", file_name="a.gpkg", format="GPKG", crs="EPSG:4490",
        crs_source="declared", encoding="utf-8", confirmed=True, confirmed_at=timezone.now())
    SurveyFeature.objects.create(upload=upload, idx=0, layer="界线", geom=geom)
    return inspection


@pytest.mark.parametrize("backwards", [False, True])
def test_it_turns_a_surveyed_line_that_runs_the_other_way(line, backwards):
    parts = [LineString(p.coords[::-1] if backwards else p.coords, srid=4490)
             for p in line.geom]
    inspection = surveyed_by_a(line, MultiLineString(*parts, srid=4490))
    new = BoundaryLine.objects.get(pk=accept._new_line_version(inspection, date.today()))
    assert new.geom.equals(line.geom)
    # each part begins where the registered one does: the left division is still on the left
    assert sorted(p.coords[0] for p in new.geom) == sorted(p.coords[0] for p in line.geom)
    assert (new.left_code, new.right_code) == (line.left_code, line.right_code)
