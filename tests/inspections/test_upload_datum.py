"""Survey uploads in Xian 1980 through the API: refused without parameters, read with
Helmert parameters given in the form or registered for the side's county (by the office,
through /api/v1/datum-parameters), the transformation reported with the upload."""

from datetime import date

import fiona
import pyproj
import pytest
from fiona.crs import CRS

from .test_flow import plan, post, upload

pytestmark = pytest.mark.django_db

HELMERT = [-24.3, 112.7, 63.1, 0.45, -1.2, 0.8, -2.1]  # m, arc-seconds, ppm


@pytest.fixture
def xian80_file(tmp_path, markers):
    """The registered markers as a Xian 1980 / GK zone 35 survey (EPSG:2359) would have
    them, made with PROJ's +towgs84 (position vector; CGCS2000 taken as WGS 84)."""
    old = pyproj.CRS("+proj=tmerc +lat_0=0 +lon_0=105 +k=1 +x_0=35500000 +y_0=0 "
                     f"+ellps=IAU76 +towgs84={','.join(map(str, HELMERT))} +units=m")
    to_old = pyproj.Transformer.from_crs("EPSG:4326", old, always_xy=True)
    path = tmp_path / "xian80.gpkg"
    with fiona.open(path, "w", driver="GPKG", layer="界桩", crs=CRS.from_epsg(2359),
                    schema={"geometry": "Point", "properties": {"界桩号": "str"}}) as sink:
        sink.writerecords({"geometry": {"type": "Point", "coordinates": to_old.transform(
            m.states.get().position.x, m.states.get().position.y)},
            "properties": {"界桩号": n}} for n, m in markers.items())
    return path


def surveying(client, line, people) -> int:
    iid = plan(client, line, people)
    assert post(client, f"/api/v1/inspections/{iid}/start_survey", {},
                people["a1"]).status_code == 200
    return iid


def test_it_refuses_an_old_datum_upload_without_parameters(client, line, people,
                                                           xian80_file):
    iid = surveying(client, line, people)
    response = upload(client, iid, "A", xian80_file, people["a1"])
    assert response.status_code == 400
    assert response.json()["detail"].startswith(
        "EPSG:2359 (Xian 1980 / 3-degree Gauss-Kruger zone 35) → CGCS2000 has only a "
        "ballpark transformation")
    assert "none is registered for 520201" in response.json()["detail"]


def test_it_reads_an_old_datum_upload_with_helmert_parameters(client, line, people, markers,
                                                              xian80_file):
    iid = surveying(client, line, people)
    client.force_login(people["a1"])
    with xian80_file.open("rb") as fh:
        response = client.post(f"/api/v1/inspections/{iid}/surveys", {
            "side": "A", "file": fh, "helmert": ",".join(map(str, HELMERT)),
            "convention": "position_vector"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["transformation"]["ballpark"] is False
    assert body["transformation"]["parameters"]["values"] == HELMERT
    assert body["preview"]["markers_registered"] == sorted(markers)


def register_body(**kw) -> dict:
    return {"county": "520201", "source_crs": "EPSG:4610", "kind": "helmert7",
            "values": HELMERT, "convention": "position_vector", "accuracy_m": 0.05,
            "authority": "六盘水市自然资源局", "document": "六盘水自然资〔2021〕8号",
            "valid_from": "2021-03-01"} | kw


def test_it_reads_an_upload_with_the_countys_registered_parameters(client, line, people,
                                                                   xian80_file):
    assert post(client, "/api/v1/datum-parameters", register_body(),
                people["a1"]).status_code == 403
    created = post(client, "/api/v1/datum-parameters", register_body(), people["clerk"])
    assert created.status_code == 201, created.content
    listed = client.get("/api/v1/datum-parameters?county=520201")
    assert [p["id"] for p in listed.json()["items"]] == [created.json()["id"]]
    client.force_login(people["a1"])
    assert client.get("/api/v1/datum-parameters").status_code == 403

    iid = surveying(client, line, people)
    response = upload(client, iid, "A", xian80_file, people["a1"])
    assert response.status_code == 201, response.content
    used = response.json()["transformation"]
    assert used["accuracy_m"] == 0.05 and used["parameters"]["set_id"] == created.json()["id"]
    assert "values" not in used["parameters"]  # the numbers are the office's
    detail = client.get(f"/api/v1/inspections/{iid}").json()
    assert detail["uploads"][0]["transformation"] == used


def test_it_refuses_an_overlapping_set_and_a_wrong_one(client, people):
    assert post(client, "/api/v1/datum-parameters", register_body(),
                people["clerk"]).status_code == 201
    again = post(client, "/api/v1/datum-parameters",
                 register_body(valid_from=str(date(2020, 1, 1)), valid_to="2022-01-01"))
    assert again.status_code == 409
    for wrong in ({"values": HELMERT[:6]}, {"source_crs": "EPSG:4490"},
                  {"kind": "plane4", "convention": ""}, {"county": "520200"}):
        response = post(client, "/api/v1/datum-parameters", register_body(**wrong))
        assert response.status_code == 400, (wrong, response.content)
