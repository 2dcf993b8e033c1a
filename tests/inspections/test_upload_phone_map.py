"""A side that took its positions from a phone map says so at upload (API and page): the
GCJ-02 shift is compared with how far its markers sit from their registered positions."""

import json

import prcoords
import pytest

from .test_flow import plan, post

pytestmark = pytest.mark.django_db


def shifted_file(tmp_path, markers):
    """The registered markers as a phone map shows them: shifted by GCJ-02."""
    features = []
    for number, marker in markers.items():
        at = marker.states.get().position
        moved = prcoords.wgs_gcj((at.y, at.x))
        features.append({"type": "Feature", "properties": {"界桩号": number},
                         "geometry": {"type": "Point", "coordinates": [moved.lon, moved.lat]}})
    path = tmp_path / "phone.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("phone_map, flagged", [(True, 1), (False, 0)])
def test_it_checks_the_gcj02_shift_when_the_upload_says_phone_map(client, line, markers,
                                                                 people, tmp_path,
                                                                 phone_map, flagged):
    iid = plan(client, line, people)
    assert post(client, f"/api/v1/inspections/{iid}/start_survey", {},
                people["a1"]).status_code == 200
    client.force_login(people["a1"])
    with shifted_file(tmp_path, markers).open("rb") as fh:
        answer = client.post(f"/api/v1/inspections/{iid}/surveys",
                             {"side": "A", "file": fh, "phone_map": phone_map})
    assert answer.status_code == 201, answer.content
    gcj = [f for f in answer.json()["findings"] if f["rule"] == "gcj02"]
    assert len(gcj) == flagged
    assert all(f["message"].startswith("looks like GCJ-02") for f in gcj)


def test_it_offers_the_phone_map_check_on_the_upload_page(client, line, markers, people,
                                                          tmp_path):
    iid = plan(client, line, people)
    post(client, f"/api/v1/inspections/{iid}/start_survey", {}, people["a1"])
    client.force_login(people["a1"])
    form = client.get(f"/inspections/{iid}/").content.decode()
    assert 'type="checkbox" name="phone_map"' in form and 'for="id_phone_map"' in form
    with shifted_file(tmp_path, markers).open("rb") as fh:
        page = client.post(f"/inspections/{iid}/surveys", {"side": "A", "file": fh,
                                                           "phone_map": "on"})
    assert page.status_code == 302, page.content[:300]
    preview = client.get(page["Location"]).content.decode()
    assert "GCJ-02" in preview
