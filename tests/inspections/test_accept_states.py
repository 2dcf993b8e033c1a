"""Accepting an inspection writes each marker's verdict as a state from the sign-off day,
except where the marker already has a state from that day or later."""

import pytest

from accounts.services import system_actor
from boundaries.models import MarkerState, MarkerStatus
from boundaries.services import marker_register
from boundaries.temporal import today
from inspections import accept, services

from .support import on_line

pytestmark = pytest.mark.django_db


def test_it_keeps_a_state_recorded_on_the_sign_off_day_and_signs_off(line, markers, people):
    fresh = marker_register(number="钟水30", type="single", lines=[line],
                            position=on_line(line, 0.45), material="花岗岩", installed=today(),
                            status=MarkerStatus.NEWLY_SET, actor=system_actor())
    old = next(iter(markers.values()))
    inspection = services.inspection_plan(actor=people["clerk"], line=line, year=today().year,
                                          team_a="钟山区联检组", team_b="水城区联检组")
    inspection.results = {"markers": [{"marker_id": m.id, "verdict": "intact"}
                                      for m in (old, fresh)]}
    written, kept = accept._apply_markers(inspection, today(), system_actor())
    assert [(row["number"], row["status"]) for row in written] == [(old.number,
                                                                    MarkerStatus.INTACT)]
    assert [(row["number"], row["status"], row["since"]) for row in kept] == [
        (fresh.number, MarkerStatus.NEWLY_SET, today().isoformat())]
    assert MarkerState.objects.filter(marker=fresh).count() == 1  # nothing appended
    assert old.states.get(valid_to__isnull=True).valid_from == today()
