"""Reconciliation judged in both directions: a survey that cuts across a loop of the
registered line (an oxbow) lies within centimetres of it, while the loop lies kilometres
from the survey. Every summary flag agrees with the figures it summarises, and the second
signature accepts what the flags say."""

import pytest
from django.contrib.gis.geos import LineString, MultiLineString, Point

from boundaries.models import DivisionEvent, EventKind
from inspections import services

from .support import FROM_GK, GK, as_geos, bump, gk, line_in_gk, with_loop
from .test_rules import at_registered, planned, surveyed

pytestmark = pytest.mark.django_db

# An oxbow of about 4.7 km of line enclosing about 74 ha, as in the issue.
LOOP_REACH_M, LOOP_WIDTH_M = 2200.0, 350.0


@pytest.fixture
def looped(line, markers):
    """The registered line given the loop (its markers stay where they were registered):
    the original line in the zone, as the surveys find it, and the loop's ring."""
    original = line_in_gk(line)
    parts, ring = with_loop(original, LOOP_REACH_M, LOOP_WIDTH_M)
    line.geom = MultiLineString([LineString([FROM_GK.transform(x, y) for x, y in part])
                                 for part in parts], srid=4490)
    line.save(update_fields=["geom"])
    return original, ring


def sign_both(inspection, people):
    services.inspection_sign(actor=people["a1"], inspection_id=inspection.id, side="A")
    return services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")


def test_it_judges_a_survey_cutting_across_a_loop_in_both_directions(tmp_path, line, markers,
                                                                     looped, people):
    original, ring = looped
    assert 4_500 < ring.length < 4_900
    assert 70e4 < ring.area < 78e4
    points = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, points, original,
                          points, original)
    results = inspection.results
    tol = results["tolerance_m"]
    side = results["line"]["A"]
    survey = as_geos(original)
    reach = max(survey.distance(Point(xy, srid=GK)) for xy in ring.exterior_ring.coords)
    assert reach > 2_000
    # the survey is within the tolerance of the registered line everywhere ...
    assert side["survey_to_registered_m"] < tol
    assert not side["stretches"]
    # ... but the registered loop lies the loop's reach from the survey
    assert side["registered_to_survey_m"] == pytest.approx(reach, rel=1e-3)
    assert side["hausdorff_m"] == side["registered_to_survey_m"]
    assert survey.distance(Point(gk(Point(*side["registered_to_survey_at"])), srid=GK)) \
        == pytest.approx(reach, rel=1e-3)
    [face] = side["differences"]
    assert face["area_m2"] == pytest.approx(ring.area, rel=1e-3)
    assert side["area_between_m2"] == pytest.approx(ring.area, rel=1e-3)
    assert face["triage"] == "candidate_change"
    summary = results["summary"]
    assert summary["line_within_tolerance"] is False
    assert summary["boundary_change"] is True
    assert summary["line_judgement"] == {"A": "boundary_change", "B": "boundary_change"}
    assert summary["lines_agree"] is True
    assert summary["markers_within_tolerance"] is True
    assert_flags_agree(results)

    events_before = DivisionEvent.objects.count()
    signed = sign_both(inspection, people)
    applied = signed.applied["line"]
    assert applied["line_version"] is None
    assert "within tolerance" not in applied["reason"]
    draft = DivisionEvent.objects.get(id__in=applied["draft_events"])
    assert DivisionEvent.objects.count() == events_before + 1
    assert (draft.kind, draft.draft) == (EventKind.BOUNDARY, True)
    assert f"{face['area_m2']:.0f} m²" in draft.description
    line.refresh_from_db()
    assert line.valid_to is None


def assert_flags_agree(results: dict) -> None:
    """Each flag, verdict and triage against its own definition from the figures."""
    tol, max_area = results["tolerance_m"], results["correction_max_area_m2"]
    summary, lines, sides = results["summary"], results["line"], results["sides"]
    for side in lines.values():
        there, back = side["survey_to_registered_m"], side["registered_to_survey_m"]
        assert side["hausdorff_m"] == max(there, back) == side["max_deviation_m"]
        assert bool(side["stretches"]) == (there > tol)
        assert bool(side["registered_stretches"]) == (back > tol)
        for d in side["differences"]:
            assert d["triage"] == ("correction" if d["area_m2"] < max_area
                                   else "candidate_change")
    judged = {x: "within_tolerance" if s["hausdorff_m"] <= tol else "boundary_change"
              if any(d["area_m2"] >= max_area for d in s["differences"]) else "unenclosed"
              if max(s["unsurveyed_m"], s["unenclosed_m"]) > 1.0 else "correction"
              for x, s in lines.items()}
    assert summary["line_judgement"] == judged
    assert summary["line_within_tolerance"] == (
        bool(lines) and all(max(s["survey_to_registered_m"], s["registered_to_survey_m"])
                            <= tol for s in lines.values()))
    assert summary["line_hausdorff_m"] == max((s["hausdorff_m"] for s in lines.values()),
                                              default=None)
    faces = [d["area_m2"] for s in lines.values() for d in s["differences"]]
    assert summary["boundary_change"] == any(a >= max_area for a in faces)
    assert summary["candidate_changes"] == sum(a >= max_area for a in faces)
    assert summary["corrections"] == sum(a < max_area for a in faces)
    assert summary["lines_agree"] == (
        sides is not None and max(sides["a_to_b_m"], sides["b_to_a_m"]) <= tol)
    if sides is not None:
        assert bool(sides["a_outside_b"]) == (sides["a_to_b_m"] > tol)
        assert bool(sides["b_outside_a"]) == (sides["b_to_a_m"] > tol)
    markers = results["markers"]
    for m in markers:
        found = [m[s] for s in "AB" if m[s]]
        expected = ("duplicate" if any(f["count"] > 1 for f in found) else "missing"
                    if not found else "disputed" if (m["sides_apart_m"] or 0) > tol
                    else "displaced" if m["displacement_m"] > tol else "intact")
        assert m["verdict"] == expected, m
    assert summary["markers_within_tolerance"] == (bool(markers) and all(
        m["displacement_m"] is not None and m["displacement_m"] <= tol
        and (m["sides_apart_m"] or 0) <= tol for m in markers))
    assert summary["markers_within_tolerance"] == (
        bool(markers) and {m["verdict"] for m in markers} == {"intact"})


def assert_accepted_as_judged(results: dict, applied: dict) -> None:
    judged = results["summary"]["line_judgement"].get("A")
    if not results["summary"]["lines_agree"] or judged in ("within_tolerance", "unenclosed"):
        assert applied["line_version"] is None
        assert not applied.get("draft_events")
    elif judged == "boundary_change":
        assert applied["line_version"] is None
        assert len(applied["draft_events"]) == sum(
            d["triage"] == "candidate_change" for d in results["line"]["A"]["differences"])
    else:
        assert applied["line_version"] is not None


CASES = {
    "the same": lambda parts: (parts, parts, {}, {}),
    "a correction": lambda parts: (bump(parts, 20.0), bump(parts, 20.0), {}, {}),
    "a change": lambda parts: (bump(parts, 400.0), bump(parts, 400.0), {}, {}),
    "the sides apart": lambda parts: (parts, bump(parts, 30.0), {}, {"钟水02": (0.0, 2.5)}),
    "a marker moved": lambda parts: (parts, parts, {"钟水02": (3.0, 0.0)},
                                     {"钟水02": (3.0, 0.4)}),
    "a loop": None,
    "the survey running on": lambda parts: (extended(parts, 200.0), extended(parts, 200.0),
                                            {}, {}),
    "the survey stopping short": lambda parts: (shortened(parts, 0.85), shortened(parts, 0.85),
                                                {}, {}),
}


def _longest(parts: list[list[tuple]]) -> int:
    return max(range(len(parts)), key=lambda i: len(parts[i]))


def extended(parts: list[list[tuple]], metres: float) -> list[list[tuple]]:
    """The longest part running on ``metres`` past its end, straight on."""
    i = _longest(parts)
    (x0, y0), (x1, y1) = parts[i][-2], parts[i][-1]
    norm = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
    end = (x1 + (x1 - x0) / norm * metres, y1 + (y1 - y0) / norm * metres)
    return parts[:i] + [parts[i] + [end]] + parts[i + 1:]


def shortened(parts: list[list[tuple]], fraction: float) -> list[list[tuple]]:
    i = _longest(parts)
    return parts[:i] + [parts[i][:int(len(parts[i]) * fraction)]] + parts[i + 1:]


@pytest.mark.parametrize("case", list(CASES))
def test_it_keeps_every_flag_in_agreement_with_its_figures(request, tmp_path, line, markers,
                                                          people, case):
    if case == "a loop":
        original, _ = request.getfixturevalue("looped")
        a_parts, b_parts, a_shift, b_shift = original, original, {}, {}
    else:
        a_parts, b_parts, a_shift, b_shift = CASES[case](line_in_gk(line))
    a_points, b_points = at_registered(markers, a_shift), at_registered(markers, b_shift)
    if case == "a marker moved":
        a_points.pop("钟水03")
        b_points.pop("钟水03")
    inspection = surveyed(tmp_path, planned(line, people), people, a_points, a_parts,
                          b_points, b_parts)
    assert_flags_agree(inspection.results)
    assert_accepted_as_judged(inspection.results, sign_both(inspection, people).applied["line"])


def test_it_keeps_the_line_when_the_survey_runs_on_past_it(tmp_path, line, markers, people):
    """Beyond the tolerance with nothing enclosed: no face to approve, no correction."""
    parts = extended(line_in_gk(line), 200.0)
    points = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, points, parts, points, parts)
    side = inspection.results["line"]["A"]
    assert side["survey_to_registered_m"] == pytest.approx(200.0, rel=1e-3)
    assert side["unenclosed_m"] == pytest.approx(199.0, abs=0.5)  # the band covers a metre
    assert side["differences"] == []
    assert inspection.results["summary"]["line_judgement"]["A"] == "unenclosed"
    applied = sign_both(inspection, people).applied["line"]
    assert applied["line_version"] is None
    assert f"{side['unenclosed_m']:.0f} m of the survey run beyond the line" in applied["reason"]
    line.refresh_from_db()
    assert line.valid_to is None
