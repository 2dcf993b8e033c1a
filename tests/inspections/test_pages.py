"""The inspection workspace's forms through the client: markers registered, given a state
and moved on their pages; hazards recorded and their status changed; a survey withdrawn
and replaced. The writes are the services' (and their refusals the API's)."""

import pytest
from django.contrib.gis.geos import Point

from boundaries.models import BoundaryMarker
from boundaries.temporal import today
from inspections import hazards, services
from inspections.models import Hazard, SurveyUpload
from tests.support import demo_loaded
from tests.web.workspace_data import line_markers, with_password, zhongshui_inspection

from .support import gk, line_in_gk, on_line, write_gpkg

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def free_number(line) -> str:
    taken = set(line_markers(line))
    return next(f"钟水{n:02d}" for n in range(50, 99) if f"钟水{n:02d}" not in taken)


def register(client, line, number, point: Point, **extra):
    return client.post(f"/inspections/lines/{line.id}/markers/register", {
        "number": number, "type": "single", "lon": point.x, "lat": point.y, "crs": 4490,
        "material": "花岗岩", "installed": "2020-05-01", "note": "", "also_on": ""} | extra,
        **({"HTTP_HX_REQUEST": "true"} if extra.pop("htmx", False) else {}))


def test_it_registers_a_marker_from_the_line_page(client):
    line, _, users = zhongshui_inspection()
    client.force_login(users["clerk"])
    page = client.get(f"/inspections/lines/{line.id}/markers/").content.decode()
    number = free_number(line)
    response = register(client, line, number, on_line(line, 0.33))
    marker = BoundaryMarker.objects.get(number=number, lines=line)
    assert 'id="register-form"' in page
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/markers/{marker.id}/"
    body = client.get(response["Location"]).content.decode()
    assert number in body
    assert marker.states.get().source == "web"


def test_it_shows_a_refused_marker_next_to_the_htmx_form_and_writes_nothing(client):
    line, _, users = zhongshui_inspection()
    client.force_login(users["clerk"])
    far = Point(on_line(line, 0.5).x + 0.05, on_line(line, 0.5).y, srid=4490)  # ~5 km off
    before = BoundaryMarker.objects.count()
    response = register(client, line, free_number(line), far, htmx=True)
    assert response.status_code == 400
    assert "界桩须位于其每条界线 200 米以内" in response.content.decode()  # said in Chinese
    assert 'role="alert"' in response.content.decode()
    assert BoundaryMarker.objects.count() == before


def test_it_offers_a_team_member_no_marker_register_and_refuses_the_post(client):
    line, _, users = zhongshui_inspection()
    client.force_login(users["a1"])
    page = client.get(f"/inspections/lines/{line.id}/markers/").content.decode()
    response = register(client, line, free_number(line), on_line(line, 0.35))
    assert 'id="no-register"' in page
    assert 'id="register-form"' not in page
    assert response.status_code == 403


def test_it_records_a_state_and_moves_a_marker_keeping_its_history(client):
    line, _, users = zhongshui_inspection()
    client.force_login(users["clerk"])
    number = free_number(line)
    register(client, line, number, on_line(line, 0.45), installed="2019-01-01")
    marker = BoundaryMarker.objects.get(number=number, lines=line)
    damaged = client.post(f"/inspections/markers/{marker.id}/state",
                          {"status": "damaged", "on": "2021-03-01", "note": "碑面破损"})
    target = on_line(line, 0.46)
    moved = client.post(f"/inspections/markers/{marker.id}/move", {
        "lon": target.x, "lat": target.y, "crs": 4490, "on": today().isoformat(),
        "reason": "双方协议迁移"})
    page = client.get(f"/inspections/markers/{marker.id}/").content.decode()
    states = list(marker.states.order_by("valid_from"))
    assert damaged.status_code == moved.status_code == 302
    assert [s.status for s in states] == ["newly_set", "damaged", "relocated"]
    assert states[-1].position.distance(target) < 1e-9
    assert states[0].valid_to is not None
    assert page.count("status-") >= 3  # the history rows
    assert "双方协议迁移" in page
    # the date inputs start at today, in the one format a browser's date input takes
    assert f'name="on" value="{today().isoformat()}"' in page


def test_it_refuses_a_position_with_a_state_other_than_displaced(client):
    line, _, users = zhongshui_inspection()
    client.force_login(users["clerk"])
    marker = BoundaryMarker.objects.filter(lines=line, retired_on__isnull=True).first()
    at = on_line(line, 0.5)
    response = client.post(f"/inspections/markers/{marker.id}/state", {
        "status": "intact", "on": today().isoformat(), "lon": at.x, "lat": at.y})
    assert response.status_code == 400
    assert "只有移位的界桩才记录其发现位置" in response.content.decode()


def test_it_records_a_hazard_on_the_inspection_and_changes_its_status(client):
    line, inspection, users = zhongshui_inspection()
    client.force_login(users["a1"])
    page = client.get(f"/inspections/{inspection.id}/").content.decode()
    at = on_line(line, 0.7)
    response = client.post(f"/inspections/{inspection.id}/hazards", {
        "description": "采石场逼近界桩", "severity": "medium", "lon": at.x, "lat": at.y})
    hazard = Hazard.objects.get(inspection=inspection, description="采石场逼近界桩")
    changed = client.post(f"/hazards/{hazard.id}/status",
                          {"status": "mediation", "note": "乡镇调处", "back": "inspection"})
    after = client.get(f"/inspections/{inspection.id}/").content.decode()
    hazard.refresh_from_db()
    assert 'id="hazard-form"' in page
    assert response.status_code == 302
    assert changed["Location"] == f"/inspections/{inspection.id}/"
    assert hazard.status == "mediation"
    assert [c.to_status for c in hazard.changes.order_by("at", "id")] == ["open", "mediation"]
    assert "采石场逼近界桩" in after


def upload(users, inspection, line, tmp_path, name: str) -> SurveyUpload:
    markers = {n: gk(p) for n, p in line_markers(line).items()}
    path = write_gpkg(tmp_path / name, markers, line_in_gk(line))
    return services.survey_upload(actor=users["a1"], inspection_id=inspection.id, side="A",
                                  path=path, file_name=name)


def test_it_withdraws_and_replaces_a_survey_from_its_pages(client, tmp_path):
    line, inspection, users = zhongshui_inspection()
    services.inspection_start_survey(actor=users["a1"], inspection_id=inspection.id)
    first = upload(users, inspection, line, tmp_path, "a.gpkg")
    services.survey_confirm(actor=users["a1"], upload_id=first.id)
    client.force_login(users["a1"])
    corrected = upload(users, inspection, line, tmp_path, "a-corrected.gpkg")
    preview = client.get(f"/inspections/{inspection.id}/surveys/{corrected.id}/")
    replaced = client.post(f"/inspections/{inspection.id}/surveys/{first.id}/replace",
                           {"replacement_id": corrected.id, "reason": "坐标改正"})
    page = client.get(f"/inspections/{inspection.id}/").content.decode()
    withdrawn = client.post(f"/inspections/{inspection.id}/surveys/{corrected.id}/withdraw",
                            {"reason": "重新测量"})
    first.refresh_from_db()
    corrected.refresh_from_db()
    assert f'id="replace-{first.id}"' in preview.content.decode()
    assert replaced.status_code == withdrawn.status_code == 302
    assert first.replaced_by_id == corrected.id
    assert f'id="withdraw-{corrected.id}"' in page
    assert f'id="withdraw-{first.id}"' not in page
    assert corrected.status == "withdrawn"
    assert corrected.withdrawal_reason == "重新测量"


def test_it_refuses_side_b_the_withdrawal_of_side_a_survey(client, tmp_path):
    line, inspection, users = zhongshui_inspection()
    services.inspection_start_survey(actor=users["a1"], inspection_id=inspection.id)
    mine = upload(users, inspection, line, tmp_path, "a.gpkg")
    client.force_login(users["b1"])
    page = client.get(f"/inspections/{inspection.id}/").content.decode()
    response = client.post(f"/inspections/{inspection.id}/surveys/{mine.id}/withdraw",
                           {"reason": "x"})
    mine.refresh_from_db()
    assert f'id="withdraw-{mine.id}"' not in page
    assert response.status_code == 403
    assert mine.withdrawn_at is None


def test_it_lists_the_hazard_register_by_status(client):
    line, inspection, users = zhongshui_inspection()
    at = on_line(line, 0.2)
    hazards.hazard_record(actor=users["a1"], inspection_id=inspection.id, location=at,
                           description="界桩旁新修道路", severity="low")
    client.force_login(with_password("ws-clerk"))
    open_ = client.get("/hazards/?status=open").content.decode()
    resolved = client.get("/hazards/?status=resolved").content.decode()
    assert "界桩旁新修道路" in open_
    assert "界桩旁新修道路" not in resolved
    assert "hazard-status-" in open_  # the office may change it
