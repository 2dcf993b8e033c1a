"""The catalogue: search by number, title, date range, category and linked record (a
division code, a line, a place); CSV with a BOM for Excel and a PDF."""

import csv
import io
from datetime import date

import pytest

from archives import services

from . import support


@pytest.fixture
def filed(people, proposal, inspection, line, make_place):
    place = make_place("凉都大道")
    rows = {
        "decision": ("六盘水市人民政府关于钟山区部分街路巷命名的批复", "六盘水府函〔2021〕12号",
                     date(2021, 3, 5), "approval", [("proposal", proposal.id)]),
        "agreement": ("钟山区与水城区行政区域界线协议书", "黔民函〔2003〕40号",
                      date(2003, 9, 1), "agreement", [("line", line.id)]),
        "report": ("钟水线第4轮联检报告", "", date(2026, 6, 30), "inspection_report",
                   [("inspection", inspection.id)]),
        "place": ("凉都大道命名说明", "钟山地名〔2021〕3号", date(2021, 4, 1), "other",
                  [("place", place.id)]),
    }
    out = {}
    for key, (title, number, day, category, links) in rows.items():
        out[key] = services.document_upload(
            actor=people["archivist"], file=support.upload(support.pdf(key)), title=title,
            number=number, date=day, category=category, retention="permanent",
            authority="六盘水市人民政府", links=links).id
    out["place_id"] = place.id
    return out


def found(client, **params) -> set[int]:
    response = client.get("/api/v1/archives", params)
    assert response.status_code == 200, response.content
    return {d["id"] for d in response.json()["items"]}


def test_it_searches_by_number_title_date_and_category(client, people, filed):
    client.force_login(people["clerk"])
    assert found(client, number="府函〔2021〕12号") == {filed["decision"]}
    assert found(client, q="协议书") == {filed["agreement"]}
    assert found(client, date_from="2021-01-01", date_to="2021-12-31") == {
        filed["decision"], filed["place"]}
    assert found(client, category="inspection_report") == {filed["report"]}
    assert client.get("/api/v1/archives", {"category": "memo"}).status_code == 400


def test_it_searches_by_linked_record(client, people, filed, line):
    client.force_login(people["clerk"])
    # 钟山区: its proposal, its line (the agreement and the inspection), its place
    assert found(client, division="520201") == {filed["decision"], filed["agreement"],
                                                filed["report"], filed["place"]}
    assert found(client, division="520204") == {filed["agreement"], filed["report"]}
    assert found(client, division="4419") == set()
    assert found(client, line=line.id) == {filed["agreement"], filed["report"]}
    assert found(client, place=filed["place_id"]) == {filed["place"]}
    assert client.get("/api/v1/archives", {"division": "52x"}).status_code == 400


def test_it_exports_the_catalogue_as_csv_for_excel(client, people, filed):
    client.force_login(people["clerk"])
    response = client.get("/api/v1/archives/catalogue.csv", {"division": "520204"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["id", "文号", "题名"]
    by_title = {row[2]: row for row in table[1:]}
    assert set(by_title) == {"钟山区与水城区行政区域界线协议书", "钟水线第4轮联检报告"}
    agreement = by_title["钟山区与水城区行政区域界线协议书"]
    assert agreement[1] == "黔民函〔2003〕40号" and agreement[5] == "界线协议书"
    assert agreement[6] == "永久" and agreement[13] == "未查毒"
    assert "line:" in agreement[14] and "钟水线" in agreement[14]


def test_it_exports_the_catalogue_as_pdf(client, people, filed):
    client.force_login(people["clerk"])
    response = client.get("/api/v1/archives/catalogue.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-") and b"%%EOF" in response.content[-64:]
    assert b"STSong-Light" in response.content


def test_it_shows_anonymous_callers_only_what_is_published(client, people, filed):
    assert found(client) == set()
    services.document_publish(actor=people["archivist"], document_id=filed["agreement"])
    assert found(client) == {filed["agreement"]}
    assert found(client, published="true") == {filed["agreement"]}


def test_it_finds_a_marker_states_document_by_its_line_and_division(client, people, line):
    from django.contrib.gis.geos import Point

    from boundaries.services import marker_register

    marker = marker_register(number="钟水01", type="single", lines=[line],
                             position=Point(104.825, 26.575, srid=4490), material="花岗岩",
                             installed=date(2003, 9, 1), status="newly_set",
                             actor=people["clerk"])
    state = marker.states.get()
    photo = services.document_upload(
        actor=people["archivist"], file=support.upload(support.JPEG, "界桩.jpg"),
        title="钟水01号界桩照片", category="other", retention="long",
        links=[("marker_state", state.id)])
    client.force_login(people["clerk"])
    assert found(client, line=line.id) == {photo.id}
    assert found(client, division="520204") == {photo.id}
    label = client.get(f"/api/v1/archives/{photo.id}").json()["links"][0]["label"]
    assert label.startswith("钟水01 新设")
