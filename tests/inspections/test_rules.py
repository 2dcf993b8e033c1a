"""The workflow's rules through the services: order (409), roles and sides (403), voided
signatures, refused files, and what reconciliation makes of larger or disputed differences."""

import math
from datetime import date

import fiona
import pytest
from django.contrib.gis.geos import LineString
from fiona.crs import CRS

from boundaries.models import BoundaryLine, DivisionEvent, EventKind, MarkerStatus
from config.errors import Conflict, Forbidden
from importers.errors import ImporterError
from inspections import reconciling, services
from inspections.models import Inspection, State, SurveyUpload

from .support import GK, bump, gk, line_in_gk, write_csv, write_gpkg

pytestmark = pytest.mark.django_db


def planned(line, people) -> Inspection:
    return services.inspection_plan(actor=people["clerk"], line=line, year=date.today().year,
                                    team_a="钟山区联检组", team_b="水城区联检组")


def at_registered(markers, shift=None) -> dict:
    """Each marker where it was registered, one of them shifted (dx, dy) metres."""
    out = {}
    for number, marker in markers.items():
        x, y = gk(marker.states.get().position)
        dx, dy = (shift or {}).get(number, (0.0, 0.0))
        out[number] = (x + dx, y + dy)
    return out


def survey(inspection, side, path, user):
    upload = services.survey_upload(actor=user, inspection_id=inspection.id, side=side,
                                    path=path)
    return services.survey_confirm(actor=user, upload_id=upload.id)


def surveyed(tmp_path, inspection, people, a_points, a_parts, b_points, b_parts):
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    survey(inspection, "A", write_gpkg(tmp_path / "a.gpkg", a_points, a_parts), people["a1"])
    survey(inspection, "B", write_gpkg(tmp_path / "b.gpkg", b_points, b_parts), people["b1"])
    return reconciling.inspection_reconcile(actor=people["a1"], inspection_id=inspection.id)


def test_it_refuses_steps_out_of_order(line, people):
    inspection = planned(line, people)
    for step, kwargs in [(reconciling.inspection_reconcile, {}),
                         (services.inspection_sign, {"side": "A"}),
                         (services.inspection_archive, {})]:
        actor = people["clerk"] if step is services.inspection_archive else people["a1"]
        with pytest.raises(Conflict, match="planned"):
            step(actor=actor, inspection_id=inspection.id, **kwargs)
    with pytest.raises(Conflict, match="under way"):
        planned(line, people)
    services.inspection_start_survey(actor=people["b1"], inspection_id=inspection.id)
    with pytest.raises(Conflict, match="surveying"):
        services.inspection_start_survey(actor=people["b1"], inspection_id=inspection.id)
    assert [t.action for t in inspection.transitions.order_by("at", "id")] == [
        "plan", "start_survey"]


def test_it_lets_only_the_office_plan_and_only_a_side_sign_for_itself(line, people):
    with pytest.raises(Forbidden, match="office"):
        planned(line, {"clerk": people["a1"]})
    inspection = planned(line, people)
    with pytest.raises(Forbidden, match="side A"):
        services.survey_upload(actor=people["b1"], inspection_id=inspection.id, side="A",
                               path="/nonexistent")
    with pytest.raises(Forbidden):
        services.inspection_start_survey(actor=people["outsider"], inspection_id=inspection.id)


def test_it_refuses_a_hostile_file_and_keeps_nothing(tmp_path, line, people):
    inspection = planned(line, people)
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    empty = tmp_path / "survey.zip"
    empty.write_bytes(b"")
    with pytest.raises(ImporterError, match="empty"):
        services.survey_upload(actor=people["a1"], inspection_id=inspection.id, side="A",
                               path=empty)
    assert not SurveyUpload.objects.exists()


def test_it_refuses_to_confirm_a_survey_with_errors(tmp_path, line, people):
    inspection = planned(line, people)
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    x, y = line_in_gk(line)[0][0]
    bow_tie = [(x, y), (x + 100, y + 100), (x + 100, y), (x, y + 100), (x, y)]
    path = tmp_path / "area.gpkg"
    with fiona.open(path, "w", driver="GPKG", crs=CRS.from_epsg(GK),
                    schema={"geometry": "Polygon", "properties": {"名称": "str"}}) as sink:
        sink.write({"geometry": {"type": "Polygon", "coordinates": [bow_tie]},
                    "properties": {"名称": "争议地块"}})
    upload = services.survey_upload(actor=people["a1"], inspection_id=inspection.id,
                                    side="A", path=path)
    assert [f["rule"] for f in upload.findings if f["severity"] == "error"] == [
        "invalid_geometry"]
    with pytest.raises(Conflict, match="error finding"):
        services.survey_confirm(actor=people["a1"], upload_id=upload.id)
    assert not SurveyUpload.objects.get(pk=upload.pk).confirmed


def test_it_keeps_a_signature_when_reconciling_again_changes_nothing(tmp_path, line, markers,
                                                                      people):
    parts = line_in_gk(line)
    points = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, points, parts, points, parts)
    services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")
    again = reconciling.inspection_reconcile(actor=people["a1"], inspection_id=inspection.id)
    assert again.state == State.SIGNED_B
    assert again.signed_b_by == people["b1"]
    # a new confirmed survey does change the results: B's signature goes
    survey(inspection, "A", write_gpkg(tmp_path / "a2.gpkg", {"钟水09": points["钟水01"]}, None),
           people["a1"])
    inspection.refresh_from_db()
    assert inspection.state == State.RECONCILING
    assert inspection.signed_b_at is None
    assert inspection.results == {}
    with pytest.raises(Conflict, match="reconcile first"):
        services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")
    void = inspection.transitions.filter(action="void_signature").get()
    assert void.from_state == State.SIGNED_B
    assert "a2.gpkg" in void.note


def test_it_makes_a_large_difference_a_draft_boundary_change(tmp_path, line, markers, people):
    parts = bump(line_in_gk(line), 400.0)
    points = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, points, parts, points, parts)
    differences = inspection.results["line"]["A"]["differences"]
    assert [d["triage"] for d in differences] == ["candidate_change"]
    assert differences[0]["area_m2"] > inspection.results["correction_max_area_m2"]
    events_before = DivisionEvent.objects.count()
    services.inspection_sign(actor=people["a1"], inspection_id=inspection.id, side="A")
    signed = services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")
    drafts = DivisionEvent.objects.filter(id__in=signed.applied["line"]["draft_events"])
    assert DivisionEvent.objects.count() == events_before + 1
    draft = drafts.get()
    assert draft.kind == EventKind.BOUNDARY
    assert draft.approval_document == ""
    assert "草案" in draft.description
    assert not draft.inputs.exists()
    assert draft.draft
    assert draft.actor == people["b1"]  # the second signature accepted it
    # unapproved, it is not published in the change feed
    from gazetteer.feed import changes
    published, _ = changes(None, None, 1000)
    assert draft.id not in {i["id"] for i in published if i["source"] == "division"}
    # the line waits for the approval: still the same version
    line.refresh_from_db()
    assert line.valid_to is None
    assert signed.applied["line"]["line_version"] is None
    assert {m.states.get(valid_to__isnull=True).status for m in markers.values()} == {
        MarkerStatus.INTACT}
    assert {m.states.get(valid_to__isnull=True).actor for m in markers.values()} == {
        people["b1"]}


def test_it_reports_where_the_two_sides_disagree(tmp_path, line, markers, people):
    parts = line_in_gk(line)
    a_points = at_registered(markers)
    b_points = at_registered(markers, {"钟水02": (0.0, 2.5)})
    b_parts = bump(parts, 30.0)
    inspection = surveyed(tmp_path, planned(line, people), people, a_points, parts,
                          b_points, b_parts)
    results = inspection.results
    rows = {m["number"]: m for m in results["markers"]}
    assert rows["钟水02"]["verdict"] == "disputed"
    assert rows["钟水02"]["sides_apart_m"] == pytest.approx(2.5, abs=2e-3)
    # the mean of both: 1.25 m from where it was registered
    assert rows["钟水02"]["displacement_m"] == pytest.approx(1.25, abs=2e-3)
    assert results["summary"]["disputed_markers"] == ["钟水02"]
    assert not results["summary"]["lines_agree"]
    # each side's line leaves the other's band around the one moved vertex
    assert len(results["sides"]["a_outside_b"]) == 1
    assert len(results["sides"]["b_outside_a"]) == 1
    assert results["sides"]["b_outside_a"][0]["max_deviation_m"] == pytest.approx(30.0, rel=0.05)
    assert results["sides"]["hausdorff_m"] == pytest.approx(30.0, rel=0.05)
    assert not results["line"]["A"]["stretches"]
    assert results["line"]["B"]["stretches"]
    services.inspection_sign(actor=people["a1"], inspection_id=inspection.id, side="A")
    signed = services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")
    # nothing agreed on the line or on 钟水02: neither changes
    assert signed.applied["line"]["line_version"] is None
    assert "disagree" in signed.applied["line"]["reason"]
    assert markers["钟水02"].states.get(valid_to__isnull=True).status == MarkerStatus.NEWLY_SET
    assert BoundaryLine.objects.filter(pk=line.pk, valid_to__isnull=True).exists()
    assert math.isclose(rows["钟水01"]["displacement_m"], 0.0, abs_tol=2e-3)


def test_it_numbers_rounds_and_dates_the_next_one_five_years_on(line, people):
    services.inspection_record_previous(actor=people["clerk"], line=line, round=3,
                                        completed_on=date(2019, 6, 1))
    inspection = planned(line, people)
    assert inspection.round == 4
    assert inspection.due_date == date(2024, 6, 1)
    with pytest.raises(Conflict, match="round"):
        services.inspection_record_previous(actor=people["clerk"], line=line, round=2,
                                            completed_on=date(2014, 6, 1))


def test_it_ignores_a_csv_of_points(tmp_path, line, markers, people):
    """A side may survey markers only: its CSV is read and its line comparison is absent."""
    inspection = planned(line, people)
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    survey(inspection, "A", write_csv(tmp_path / "a.csv", at_registered(markers)), people["a1"])
    survey(inspection, "B", write_csv(tmp_path / "b.csv", at_registered(markers)), people["b1"])
    results = reconciling.inspection_reconcile(actor=people["a1"],
                                            inspection_id=inspection.id).results
    assert results["line"] == {}
    assert results["sides"] is None
    assert {m["verdict"] for m in results["markers"]} == {"intact"}


def test_it_does_not_let_one_person_sign_for_both_sides(tmp_path, line, markers, people):
    parts = line_in_gk(line)
    points = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, points, parts, points, parts)
    people["a1"].groups.add(inspection.team_b)  # in both teams by mistake
    services.inspection_sign(actor=people["a1"], inspection_id=inspection.id, side="A")
    with pytest.raises(Forbidden, match="both sides"):
        services.inspection_sign(actor=people["a1"], inspection_id=inspection.id, side="B")
    assert Inspection.objects.get(pk=inspection.pk).state == State.SIGNED_A


def test_it_places_eastings_without_zone_prefix_by_the_sides_division(tmp_path, line, markers,
                                                                       people):
    inspection = planned(line, people)
    services.inspection_start_survey(actor=people["a1"], inspection_id=inspection.id)
    plain = {n: (x - 35_000_000, y) for n, (x, y) in at_registered(markers).items()}
    upload = services.survey_upload(actor=people["b1"], inspection_id=inspection.id, side="B",
                                    path=write_csv(tmp_path / "plain.csv", plain))
    # zone 35 (105°E) without its prefix: EPSG:4544, from 水城区's polygon
    assert (upload.crs, upload.crs_source) == ("EPSG:4544", "detected")
    stored = {f.number: f.geom for f in upload.features.all()}
    for number in markers:
        x, y = gk(stored[number])
        assert math.hypot(x - plain[number][0] - 35_000_000, y - plain[number][1]) < 1e-3


def test_it_keeps_the_line_when_the_survey_leaves_part_of_it_out(tmp_path, line, markers,
                                                                 people):
    parts = bump(line_in_gk(line), 20.0)
    longest = max(range(len(parts)), key=lambda i: len(parts[i]))
    cut = int(len(parts[longest]) * 0.85)
    left_out = LineString(parts[longest][cut - 1:]).length
    partial = parts[:longest] + [parts[longest][:cut]] + parts[longest + 1:]
    points = at_registered(markers)
    inspection = surveyed(tmp_path, planned(line, people), people, points, partial,
                          points, partial)
    side_a = inspection.results["line"]["A"]
    assert [d["triage"] for d in side_a["differences"]] == ["correction"]
    # the band of 1 m around the survey's end covers the first metre of what it left out
    assert side_a["unsurveyed_m"] == pytest.approx(left_out - 1.0, abs=0.5)
    services.inspection_sign(actor=people["a1"], inspection_id=inspection.id, side="A")
    signed = services.inspection_sign(actor=people["b1"], inspection_id=inspection.id, side="B")
    assert signed.applied["line"]["line_version"] is None
    assert "not surveyed" in signed.applied["line"]["reason"]
    assert BoundaryLine.objects.filter(pk=line.pk, valid_to__isnull=True).exists()
