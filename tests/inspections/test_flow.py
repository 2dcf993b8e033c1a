"""The whole joint inspection of 钟水线 through the API: plan, survey uploads of both sides
(built here with Fiona in EPSG:4523), reconciliation checked against pyproj, signatures,
a voided signature, 403 and 409, the report in JSON, HTML and GeoPackage, accepted results."""

import io
import json
import math
from datetime import date

import fiona
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from boundaries.lines import boundary_lines_derive
from boundaries.models import BoundaryLine, MarkerStatus
from inspections.models import Inspection, InspectionTransition
from inspections.reconcile import gk_zone_srid
from tests.support import run_job

from .support import GK, NUMBERS, bump, gk, line_in_gk, write_csv, write_gpkg

pytestmark = pytest.mark.django_db

# Side A finds 钟水02 3 m east of its registered place, B 3 m east and 0.4 m north; neither
# finds 钟水03; A also reports a number the register does not know.
OFFSETS_A = {"钟水01": (0.2, 0.0), "钟水02": (3.0, 0.0), "钟水04": (0.0, 0.0)}
OFFSETS_B = {"钟水01": (0.0, 0.3), "钟水02": (3.0, 0.4), "钟水04": (0.0, 0.1)}
CORRECTION_M = 20.0


def post(client, url, body, user=None):
    if user is not None:
        client.force_login(user)
    return client.post(url, body, content_type="application/json")


def registered(marker):
    """Where the marker was registered (its first state)."""
    return marker.states.order_by("valid_from").first().position


def surveyed(markers, offsets) -> dict:
    out = {}
    for number, (dx, dy) in offsets.items():
        x, y = gk(registered(markers[number]))
        out[number] = (x + dx, y + dy)
    return out


def expected_displacement(markers, number) -> float:
    """The registered point and the mean of both sides' points, all in the zone (pyproj)."""
    x, y = gk(registered(markers[number]))
    a, b = surveyed(markers, OFFSETS_A)[number], surveyed(markers, OFFSETS_B)[number]
    return math.hypot((a[0] + b[0]) / 2 - x, (a[1] + b[1]) / 2 - y)


def upload(client, inspection_id, side, path, user):
    client.force_login(user)
    with path.open("rb") as fh:
        return client.post(f"/api/v1/inspections/{inspection_id}/surveys",
                           {"side": side, "file": fh})


@pytest.fixture
def files(tmp_path, line, markers):
    parts = bump(line_in_gk(line), CORRECTION_M)
    a_points = surveyed(markers, OFFSETS_A) | {"钟水09": gk(registered(markers["钟水01"]))}
    return {"A": write_gpkg(tmp_path / "side-a.gpkg", a_points, parts),
            "B_markers": write_csv(tmp_path / "side-b.csv", surveyed(markers, OFFSETS_B)),
            "B_line": write_gpkg(tmp_path / "side-b-line.gpkg", {}, parts)}


def plan(client, line, people) -> int:
    response = post(client, "/api/v1/inspections",
                    {"line_id": line.id, "year": date.today().year, "team_a": "钟山区联检组",
                     "team_b": "水城区联检组"}, people["clerk"])
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_it_picks_the_zone_of_the_line():
    assert gk_zone_srid(104.83) == 4523
    assert GK == 4523  # the zone these tests write their surveys in
    assert gk_zone_srid(75.2) == 4513
    assert gk_zone_srid(134.9) == 4533
    assert gk_zone_srid(106.49) == 4523
    assert gk_zone_srid(106.51) == 4524


def test_it_runs_a_joint_inspection_end_to_end(client, line, markers, people, files):
    iid = plan(client, line, people)
    inspection = Inspection.objects.get(pk=iid)
    assert inspection.round == 1
    assert inspection.state == "planned"

    # an upload before the survey has started is out of order
    assert upload(client, iid, "A", files["A"], people["a1"]).status_code == 409
    assert post(client, f"/api/v1/inspections/{iid}/start_survey", {},
                people["outsider"]).status_code == 403
    assert post(client, f"/api/v1/inspections/{iid}/start_survey", {},
                people["a1"]).json()["state"] == "surveying"

    # side B's member may not upload for side A
    assert upload(client, iid, "A", files["A"], people["b1"]).status_code == 403
    preview = upload(client, iid, "A", files["A"], people["a1"])
    assert preview.status_code == 201, preview.content
    body = preview.json()
    assert body["crs"] == "EPSG:4523"
    assert body["crs_source"] == "declared"
    assert not body["confirmed"]
    assert body["preview"]["markers_registered"] == ["钟水01", "钟水02", "钟水04"]
    assert body["preview"]["markers_unknown"] == ["钟水09"]
    # a reconciliation needs confirmed surveys of both sides
    assert post(client, f"/api/v1/inspections/{iid}/reconcile", {},
                people["a1"]).status_code == 409
    confirmed = post(client, f"/api/v1/inspections/{iid}/surveys/{body['id']}/confirm", {},
                     people["a1"])
    assert confirmed.json()["confirmed"]
    for key in ("B_markers", "B_line"):
        b = upload(client, iid, "B", files[key], people["b1"]).json()
        assert post(client, f"/api/v1/inspections/{iid}/surveys/{b['id']}/confirm", {},
                    people["b1"]).status_code == 200
    csv_upload = Inspection.objects.get(pk=iid).uploads.get(file_name="side-b.csv")
    assert csv_upload.crs == "EPSG:4523"
    assert csv_upload.crs_source == "detected"

    queued = post(client, f"/api/v1/inspections/{iid}/reconcile", {}, people["b1"])
    assert queued.status_code == 202, queued.content
    assert queued["Location"] == f"/api/v1/jobs/{queued.json()['id']}"
    assert Inspection.objects.get(pk=iid).state == "surveying"  # only once the job has run
    job = run_job(queued.json()["id"])
    assert (job.state, job.done, job.total) == ("succeeded", 8, 8), job.error
    assert job.result["state"] == "reconciling"
    result = client.get(f"/api/v1/inspections/{iid}").json()
    assert result["state"] == "reconciling"
    check_results(client, iid, markers)
    sign_with_a_void(client, iid, people)
    check_report(client, iid)
    check_accepted(line, markers, iid)

    assert post(client, f"/api/v1/inspections/{iid}/archive", {},
                people["a1"]).status_code == 403
    assert post(client, f"/api/v1/inspections/{iid}/archive", {},
                people["clerk"]).json()["state"] == "archived"
    assert post(client, f"/api/v1/inspections/{iid}/sign", {"side": "B"},
                people["b1"]).status_code == 409


def check_results(client, iid, markers):
    report = client.get(f"/api/v1/inspections/{iid}/report").json()
    assert report["crs"] == "EPSG:4523"
    assert report["tolerance_m"] == 1.0
    rows = {m["number"]: m for m in report["markers"]}
    assert {n: rows[n]["verdict"] for n in NUMBERS} == {
        "钟水01": "intact", "钟水02": "displaced", "钟水03": "missing", "钟水04": "intact"}
    for number in ("钟水01", "钟水02", "钟水04"):
        assert rows[number]["displacement_m"] == pytest.approx(
            expected_displacement(markers, number), abs=2e-3)
        a_dx, a_dy = OFFSETS_A[number]
        assert rows[number]["A"]["displacement_m"] == pytest.approx(math.hypot(a_dx, a_dy),
                                                                    abs=2e-3)
    assert rows["钟水03"]["surveyed"] is None
    assert rows["钟水03"]["A"] is None
    assert [u["number"] for u in report["unknown_markers"]] == ["钟水09"]
    side_a = report["line_deviation"]["A"]
    # the moved vertex is the farthest point, CORRECTION_M off the registered line
    assert side_a["max_deviation_m"] == pytest.approx(CORRECTION_M, rel=0.05)
    assert side_a["hausdorff_m"] == pytest.approx(CORRECTION_M, rel=0.05)
    assert len(side_a["stretches"]) == 1
    assert [d["triage"] for d in side_a["differences"]] == ["correction"]
    assert report["summary"]["lines_agree"]
    assert report["sides"]["hausdorff_m"] < 0.01


def sign_with_a_void(client, iid, people):
    url = f"/api/v1/inspections/{iid}/sign"
    assert post(client, url, {"side": "A"}, people["b1"]).status_code == 403
    assert post(client, url, {"side": "A"}, people["clerk"]).status_code == 403
    assert post(client, url, {"side": "A"}, people["a1"]).json()["state"] == "signed_a"
    assert post(client, url, {"side": "A"}, people["a1"]).status_code == 409
    # a hazard recorded after A signed changes the report: A's signature is void
    hazard = post(client, "/api/v1/hazards", {
        "inspection_id": iid, "lon": 104.85, "lat": 26.6, "description": "界桩旁修路取土",
        "severity": "medium"}, people["b1"])
    assert hazard.status_code == 201, hazard.content
    detail = client.get(f"/api/v1/inspections/{iid}").json()
    assert detail["state"] == "reconciling"
    assert detail["signatures"]["A"] is None
    void = detail["transitions"][-1]
    assert void["action"] == "void_signature"
    assert "side A" in void["note"]
    assert void["actor"] == "b1"
    assert post(client, url, {"side": "A"}, people["a1"]).json()["state"] == "signed_a"
    signed = post(client, url, {"side": "B"}, people["b1"]).json()
    assert signed["state"] == "signed"
    assert signed["completed_on"] == date.today().isoformat()
    assert signed["signatures"]["A"]["by"] == "a1"
    assert signed["signatures"]["B"]["by"] == "b1"


def check_report(client, iid):
    report = client.get(f"/api/v1/inspections/{iid}/report").json()
    assert [h["description"] for h in report["hazards"]] == ["界桩旁修路取土"]
    assert report["changes"]["applied"]["line"]["line_version"] is not None
    page = client.get(f"/inspections/{iid}/report")
    html = page.content.decode()
    assert page.status_code == 200
    assert "钟水线第1轮" in html
    assert 'class="verdict-displaced">移位<' in html  # the verdict in the report's words
    assert "界桩旁修路取土" in html
    assert "a1" in html
    assert "b1" in html
    gpkg = client.get(f"/api/v1/inspections/{iid}/report.gpkg")
    assert gpkg["Content-Type"] == "application/geopackage+sqlite3"
    with fiona.io.MemoryFile(gpkg.content, ext=".gpkg") as memfile:
        layers = fiona.listlayers(memfile.name)
        assert {"markers", "surveyed_line", "deviations"} <= set(layers)
        with memfile.open(layer="markers") as src:
            assert src.crs.to_epsg() == 4490
            verdicts = {f["properties"]["number"]: f["properties"]["verdict"] for f in src}
        with memfile.open(layer="surveyed_line") as src:
            assert sorted(f["properties"]["side"] for f in src) == ["A", "B"]
        with memfile.open(layer="deviations") as src:
            assert len(src) >= 2  # the corrected stretch, as each side surveyed it
    assert verdicts["钟水02"] == "displaced"
    assert verdicts["钟水03"] == "missing"
    client.logout()
    assert client.get(f"/inspections/{iid}/report").status_code == 403
    assert client.get(f"/api/v1/inspections/{iid}/report").status_code == 401


def check_accepted(old_line, markers, iid):
    today = date.today()
    states = {n: list(markers[n].states.order_by("valid_from")) for n in NUMBERS}
    assert all(len(s) == 2 and s[0].valid_to == today == s[1].valid_from
               for s in states.values())
    assert {n: s[1].status for n, s in states.items()} == {
        "钟水01": MarkerStatus.INTACT, "钟水02": MarkerStatus.DISPLACED,
        "钟水03": MarkerStatus.MISSING, "钟水04": MarkerStatus.INTACT}
    moved = states["钟水02"]
    x0, y0 = gk(moved[0].position)
    x1, y1 = gk(moved[1].position)
    assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(expected_displacement(markers, "钟水02"),
                                                         abs=2e-3)
    assert states["钟水03"][1].position.equals_exact(states["钟水03"][0].position, 0)
    # the agreed correction is a new version of the line; the old one is ended, not rewritten
    old_line.refresh_from_db()
    new = BoundaryLine.objects.get(level=3, left_code=old_line.left_code,
                                   right_code=old_line.right_code, valid_to__isnull=True)
    assert old_line.valid_to == today
    assert new.valid_from == today
    assert new.name == old_line.name
    with connection.cursor() as cur:
        cur.execute("""SELECT ST_HausdorffDistance(ST_Transform(n.geom, %s),
                                                   ST_Transform(o.geom, %s))
                       FROM boundaries_boundaryline n, boundaries_boundaryline o
                       WHERE n.id = %s AND o.id = %s""", [GK, GK, new.id, old_line.id])
        assert cur.fetchone()[0] == pytest.approx(CORRECTION_M, rel=0.05)
    assert set(new.markers.values_list("number", flat=True)) == set(NUMBERS)
    assert Inspection.objects.get(pk=iid).applied["line"]["line_version"] == new.id
    # deriving the lines again from the (coarser, unchanged) polygons keeps the agreed one
    again = boundary_lines_derive(level=3, commit=True)
    assert again["surveyed"] == 1 and again["changed"] == 0
    assert BoundaryLine.objects.get(level=3, left_code=old_line.left_code,
                                    right_code=old_line.right_code,
                                    valid_to__isnull=True).id == new.id


@pytest.mark.as_owner  # the trigger itself (the app role may not even try)
def test_it_keeps_transitions_append_only(client, line, people):
    iid = plan(client, line, people)
    transition = InspectionTransition.objects.get(inspection_id=iid)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        InspectionTransition.objects.filter(pk=transition.pk).update(note="rewritten")


def test_it_stores_a_survey_from_the_command_line(client, line, markers, people, files):
    iid = plan(client, line, people)
    post(client, f"/api/v1/inspections/{iid}/start_survey", {}, people["a1"])
    out = io.StringIO()
    call_command("import_survey", str(files["A"]), "--inspection", str(iid), "--side", "A",
                 "--commit", stdout=out)
    stored = Inspection.objects.get(pk=iid).uploads.get()
    assert stored.confirmed
    assert stored.side == "A"
    assert stored.uploaded_by.username == "system"
    assert stored.features.filter(number="钟水02").count() == 1
    assert f"inspection {iid}" in out.getvalue()
    out = io.StringIO()
    call_command("import_survey", str(files["B_markers"]), "--inspection", str(iid), "--side",
                 "B", "--commit", "--json", stdout=out)
    answer = json.loads(out.getvalue())
    assert (answer["side"], answer["crs"], answer["features"]) == ("B", "EPSG:4523", 3)
    assert Inspection.objects.get(pk=iid).uploads.filter(confirmed=True).count() == 2
