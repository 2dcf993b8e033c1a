"""Boundary markers on the derived 钟水线: registration checks, state history, the API."""

from datetime import date, timedelta

import pytest
from django.contrib.gis.geos import Point
from django.db import IntegrityError, connection, transaction

from accounts.services import system_actor
from boundaries.lines import boundary_lines_derive
from boundaries.models import BoundaryLine, BoundaryMarker, MarkerState, MarkerStatus
from boundaries.services import (
    MARKER_MAX_OFFSET_M,
    MarkerRefused,
    marker_record_state,
    marker_register,
)

pytestmark = pytest.mark.django_db

ZHONGSHAN, SHUICHENG = "520201000000", "520204000000"
INSTALLED = date(2010, 5, 1)


@pytest.fixture(autouse=True)
def line(demo_registry) -> BoundaryLine:
    boundary_lines_derive(level=3, commit=True)
    return BoundaryLine.objects.get(left_code=ZHONGSHAN, right_code=SHUICHENG,
                                    valid_to__isnull=True)


def on_line(line: BoundaryLine, fraction: float) -> Point:
    point = line.geom[0].interpolate_normalized(fraction)
    point.srid = 4490
    return point


def off_line(line: BoundaryLine, fraction: float, metres: float) -> Point:
    """A point ``metres`` north of the line (a degree of latitude is ~111.3 km)."""
    point = on_line(line, fraction)
    return Point(point.x, point.y + metres / 111_320, srid=4490)


def register(line, number="钟水01", fraction=0.3, **kw) -> BoundaryMarker:
    args = {"number": number, "type": "single", "lines": [line],
            "position": on_line(line, fraction), "material": "花岗岩",
            "installed": INSTALLED, "status": MarkerStatus.NEWLY_SET, "actor": system_actor()} | kw
    return marker_register(**args)


def distance_m(point: Point, line: BoundaryLine) -> float:
    with connection.cursor() as cur:
        cur.execute("SELECT ST_Distance(%s::geometry::geography, geom::geography) "
                    "FROM boundaries_boundaryline WHERE id = %s", [point.ewkt, line.id])
        return cur.fetchone()[0]


def test_it_registers_a_marker_with_its_first_state(line):
    marker = register(line)
    state = marker.states.get()
    assert [m.number for m in line.markers.all()] == ["钟水01"]
    assert state.status == MarkerStatus.NEWLY_SET
    assert state.material == "花岗岩"
    assert state.valid_from == INSTALLED
    assert state.valid_to is None
    assert distance_m(state.position, line) < 1


@pytest.mark.parametrize("number", ["钟01", "钟水1", "钟水0001", "ZS01", "钟 水01", ""])
def test_it_refuses_a_malformed_number(line, number):
    with pytest.raises(MarkerRefused, match="number"):
        register(line, number=number)
    assert not BoundaryMarker.objects.exists()


def test_it_refuses_a_number_of_another_line(line):
    with pytest.raises(MarkerRefused, match="吴南.*钟水线"):
        register(line, number="吴南01")


def test_it_refuses_a_number_already_in_service(line):
    register(line)
    with pytest.raises(MarkerRefused, match="already"):
        register(line, fraction=0.6)
    # and the database refuses it whatever code writes: the number is unique per line
    twin = BoundaryMarker.objects.create(number="钟水01", type="single")
    with pytest.raises(IntegrityError, match="marker_number_unique_per_line"), \
            transaction.atomic():
        twin.lines.add(line)


def test_it_lets_another_line_reuse_a_number(line):
    """Line names repeat across the country: 钟水01 of another 钟水线 is another marker."""
    register(line)
    other = BoundaryLine.objects.create(level=3, left_code="520201000000",
                                        right_code="520281000000", name="钟水线",
                                        geom=line.geom, length_m=line.length_m)
    twin = BoundaryMarker.objects.create(number="钟水01", type="single")
    twin.lines.add(other)
    assert set(BoundaryMarker.objects.filter(number="钟水01").values_list("lines", flat=True)) \
        == {line.id, other.id}
    # renumbering the twin onto a taken number, or un-retiring a clash, is refused too
    retired = register(line, number="钟水02", fraction=0.6)
    BoundaryMarker.objects.filter(pk=retired.pk).update(retired_on=date(2020, 1, 1))
    register(line, number="钟水02", fraction=0.7)
    with pytest.raises(IntegrityError, match="marker_number_unique_per_line"), \
            transaction.atomic():
        BoundaryMarker.objects.filter(pk=retired.pk).update(retired_on=None)


def far_point(line: BoundaryLine) -> Point:
    """The line meanders: a point well clear of every part of it."""
    return next(p for f in (0.1, 0.3, 0.5, 0.7, 0.9) for m in (1000, 2000, 3000)
                if distance_m(p := off_line(line, f, m), line) > 2 * MARKER_MAX_OFFSET_M)


def test_it_refuses_a_position_too_far_from_the_line(line):
    far = far_point(line)
    with pytest.raises(MarkerRefused, match=r"\d+ m from 钟水线"):
        register(line, position=far)
    near = off_line(line, 0.5, MARKER_MAX_OFFSET_M / 4)
    assert distance_m(near, line) < MARKER_MAX_OFFSET_M
    assert register(line, position=near).states.get().position.equals_exact(near, 1e-9)


def test_it_refuses_a_triple_marker_on_one_line(line):
    with pytest.raises(MarkerRefused, match="triple"):
        register(line, type="triple")


def test_it_keeps_the_old_position_when_a_marker_is_moved(line):
    marker = register(line)
    first = marker.states.get()
    moved_to = off_line(line, 0.3, 40)
    on = date(2021, 9, 1)
    marker_record_state(marker=marker, position=moved_to, status=MarkerStatus.DISPLACED,
                        on=on, note="2021 年联检：移位约 40 m", actor=system_actor())
    states = list(marker.states.order_by("valid_from"))
    assert len(states) == 2
    old, new = states
    # the old state is ended, not rewritten: same row, same position
    assert old.pk == first.pk
    assert old.position.equals_exact(first.position, 0)
    assert old.valid_to == on
    assert new.valid_from == on
    assert new.valid_to is None
    assert new.position.equals_exact(moved_to, 1e-9)
    assert new.status == MarkerStatus.DISPLACED
    assert (new.material, new.installed) == ("花岗岩", INSTALLED)


def test_it_keeps_the_position_when_only_the_status_changes(line):
    marker = register(line)
    marker_record_state(marker=marker, status=MarkerStatus.DAMAGED, on=date(2016, 3, 1),
                        actor=system_actor())
    marker_record_state(marker=marker, status=MarkerStatus.INTACT, on=date(2021, 3, 1),
                        note="修复", actor=system_actor())
    states = list(marker.states.order_by("valid_from"))
    assert [s.status for s in states] == ["newly_set", "damaged", "intact"]
    assert all(s.position.equals_exact(states[0].position, 0) for s in states)


@pytest.mark.parametrize("on", [INSTALLED, INSTALLED - timedelta(days=1),
                                date.today() + timedelta(days=1)])
def test_it_refuses_a_state_not_after_the_current_one(line, on):
    marker = register(line)
    with pytest.raises(MarkerRefused, match="date|began"):
        marker_record_state(marker=marker, status=MarkerStatus.MISSING, on=on, actor=system_actor())
    assert marker.states.count() == 1


def test_it_refuses_overlapping_states_in_the_database(line):
    # A later state closes the one in force (trigger boundaries_markerstate_close_previous);
    # an open state beginning before it would overlap it.
    marker = register(line)
    clash = MarkerState(marker=marker, position=on_line(line, 0.3), status="intact",
                        valid_from=INSTALLED - timedelta(days=10), actor=system_actor())
    with pytest.raises(IntegrityError, match="marker_state_no_overlap"), transaction.atomic():
        clash.save()


def test_it_refuses_a_move_too_far_from_the_line(line):
    marker = register(line)
    with pytest.raises(MarkerRefused, match="from 钟水线"):
        marker_record_state(marker=marker, status=MarkerStatus.DISPLACED, on=date(2020, 1, 1),
                            position=far_point(line), actor=system_actor())
    assert marker.states.count() == 1


def test_it_carries_markers_to_a_new_version_of_the_line(line):
    marker = register(line)
    with connection.cursor() as cur:
        cur.execute("""UPDATE boundaries_divisionversion
                       SET geom = ST_Multi(ST_SetSRID(ST_Buffer(geom::geography, -300)::geometry,
                                                      4490))
                       WHERE code = %s AND level = 3""", [ZHONGSHAN])
    boundary_lines_derive(level=3, commit=True, gap_tolerance_m=500, min_area_m2=1e12)
    versions = BoundaryLine.objects.filter(left_code=ZHONGSHAN, right_code=SHUICHENG)
    assert versions.count() == 2
    assert set(marker.lines.all()) == set(versions)


def test_it_answers_markers_with_their_history(client, line):
    marker = register(line)
    register(line, number="钟水02", fraction=0.7)
    moved_to = off_line(line, 0.3, 30)
    marker_record_state(marker=marker, position=moved_to, status=MarkerStatus.DISPLACED,
                        on=date(2021, 9, 1), actor=system_actor())
    body = client.get(f"/api/v1/boundaries/{line.id}/markers").json()
    assert [m["number"] for m in body["items"]] == ["钟水01", "钟水02"]
    first = body["items"][0]
    assert first["current"]["status"] == "displaced"
    assert first["current"]["position"]["coordinates"] == pytest.approx([moved_to.x, moved_to.y])
    assert [h["valid_from"] for h in first["history"]] == ["2010-05-01", "2021-09-01"]
    assert first["history"][0]["position"]["coordinates"] != first["current"]["position"][
        "coordinates"]
    feature = client.get(f"/api/v1/boundaries/{line.id}").json()
    assert [m["number"] for m in feature["properties"]["markers"]] == ["钟水01", "钟水02"]


def test_it_records_who_registered_and_who_surveyed(line):
    from django.contrib.auth.models import User

    registrar, surveyor = (User.objects.create(username=name) for name in ("reg", "surv"))
    marker = register(line, actor=registrar)
    marker_record_state(marker=marker, status=MarkerStatus.DAMAGED, on=date(2016, 3, 1),
                        actor=surveyor)
    assert [s.actor for s in marker.states.order_by("valid_from")] == [registrar, surveyor]


def test_it_lists_every_refused_marker_of_a_batch_in_both_languages(line):
    from django.utils import translation

    from boundaries.marker_checks import NewMarker
    from boundaries.services import markers_register
    from config.said import in_language

    far = far_point(line)
    batch = [NewMarker(number=f"钟水{n:02d}", type="single", lines=[line], position=far,
                       installed=INSTALLED) for n in (1, 2)]
    with pytest.raises(MarkerRefused) as refused:
        markers_register(markers=batch, actor=system_actor())
    english = str(refused.value)
    assert english.startswith("2 of 2 markers refused, nothing written: item 0 (钟水01): ")
    assert "; item 1 (钟水02): " in english
    with translation.override("zh-hans"):
        chinese = in_language(refused.value.said())
    assert chinese.count("钟水线") == 2 and "；" in chinese
    assert "markers refused" not in chinese and "item" not in chinese
    assert not BoundaryMarker.objects.filter(number__in=["钟水01", "钟水02"]).exists()
