"""Who reads what: a proposal's or an inspection's archive is for those who may read that
record; a published decision, announcement or agreement is public; writes are for the
archive office."""

from datetime import timedelta

import pytest

from archives import services
from archives.models import Document
from boundaries.temporal import today
from config.errors import Conflict, Forbidden

from . import support


def file_document(people, category="other", links=(), title="文件"):
    return services.document_upload(actor=people["archivist"],
                                    file=support.upload(support.pdf(title)), title=title,
                                    category=category, retention="long", links=list(links))


def listed(client) -> set[int]:
    return {d["id"] for d in client.get("/api/v1/archives").json()["items"]}


def test_it_hides_a_proposals_archive_from_anonymous_callers(client, people, proposal):
    opinion = file_document(people, "expert_opinion", [("proposal", proposal.id)], "专家意见")
    assert client.get(f"/api/v1/archives/{opinion.id}").status_code == 404
    assert client.get(f"/api/v1/archives/{opinion.id}/versions/1/download").status_code == 404
    assert opinion.id not in listed(client)
    assert "专家意见" not in client.get("/api/v1/archives/catalogue.csv").content.decode("utf-8")


def test_it_lets_the_applicant_read_their_proposals_archive_and_no_other(client, people,
                                                                         proposal):
    opinion = file_document(people, "expert_opinion", [("proposal", proposal.id)])
    client.force_login(people["applicant"])
    assert client.get(f"/api/v1/archives/{opinion.id}").status_code == 200
    assert opinion.id in listed(client)
    client.force_login(people["applicant2"])
    response = client.get(f"/api/v1/archives/{opinion.id}")
    assert response.status_code == 403
    assert "readers of the records" in response.json()["detail"]
    assert opinion.id not in listed(client)


def test_it_lets_the_teams_read_their_inspections_archive(client, people, inspection):
    report = file_document(people, "inspection_report", [("inspection", inspection.id)])
    for who, status in [("a1", 200), ("b1", 200), ("clerk", 200), ("outsider", 403)]:
        client.force_login(people[who])
        assert client.get(f"/api/v1/archives/{report.id}").status_code == status, who


def test_it_serves_a_published_announcement_to_anyone(client, people, proposal):
    notice = file_document(people, "announcement", [("proposal", proposal.id)], "地名公告")
    assert client.get(f"/api/v1/archives/{notice.id}").status_code == 404  # not yet published
    services.document_publish(actor=people["archivist"], document_id=notice.id)
    detail = client.get(f"/api/v1/archives/{notice.id}")
    assert detail.status_code == 200 and detail.json()["public"] is True
    download = client.get(f"/api/v1/archives/{notice.id}/versions/1/download")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert "sandbox" in download["Content-Security-Policy"]
    assert notice.id in listed(client)


def test_it_keeps_a_publication_dated_later_private_until_then(client, people):
    notice = file_document(people, "approval")
    services.document_publish(actor=people["archivist"], document_id=notice.id,
                              published_on=today() + timedelta(days=3))
    assert client.get(f"/api/v1/archives/{notice.id}").status_code == 404


def test_it_publishes_only_decisions_announcements_and_agreements(people):
    report = file_document(people, "inspection_report")
    with pytest.raises(Conflict, match="only"):
        services.document_publish(actor=people["archivist"], document_id=report.id)


def test_it_leaves_writes_to_the_archive_office(client, people, proposal):
    with pytest.raises(Forbidden, match="archive office"):
        services.document_upload(actor=people["applicant"], file=support.upload(support.pdf()),
                                 title="申报材料", category="other", retention="short")
    client.force_login(people["applicant"])
    response = client.post("/api/v1/archives", {"file": support.upload(support.pdf()),
                                                "title": "申报材料", "category": "other",
                                                "retention": "short"})
    assert response.status_code == 403
    client.logout()
    assert client.post("/api/v1/archives", {}).status_code == 401
    assert not Document.objects.exists()


def test_it_links_and_unlinks_through_the_api(client, people, proposal, inspection):
    document = file_document(people, "expert_opinion")
    client.force_login(people["clerk"])
    made = client.post(f"/api/v1/archives/{document.id}/links",
                       {"kind": "proposal", "target_id": proposal.id},
                       content_type="application/json")
    assert made.status_code == 201, made.content
    assert made.json()["label"] == "命名 凉都大道"
    again = client.post(f"/api/v1/archives/{document.id}/links",
                        {"kind": "proposal", "target_id": proposal.id},
                        content_type="application/json")
    assert again.status_code == 409
    signed = inspection.transitions.get()  # the plan; a sign_a row links the same way
    assert client.post(f"/api/v1/archives/{document.id}/links",
                       {"kind": "inspection_transition", "target_id": signed.id},
                       content_type="application/json").status_code == 201
    missing = client.post(f"/api/v1/archives/{document.id}/links",
                          {"kind": "hazard", "target_id": 999999},
                          content_type="application/json")
    assert missing.status_code == 404 and "hazard 999999" in missing.json()["detail"]
    gone = client.delete(f"/api/v1/archives/{document.id}/links/{made.json()['id']}")
    assert gone.status_code == 204
    kinds = [link["kind"] for link in client.get(f"/api/v1/archives/{document.id}")
             .json()["links"]]
    assert kinds == ["inspection_transition"]


def test_it_reads_a_transitions_or_hazards_archive_as_its_record(client, people, proposal,
                                                                 inspection):
    from inspections.hazards import hazard_record

    submitted = proposal.transitions.get()
    hazard = hazard_record(actor=people["a1"], inspection_id=inspection.id,
                           location=(104.82, 26.57), description="界桩被移动", severity="low")
    receipt = file_document(people, "other", [("proposal_transition", submitted.id)], "受理回执")
    photo = file_document(people, "other", [("hazard", hazard.id)], "隐患照片")
    for who, readable in [("applicant", {receipt.id}), ("applicant2", set()),
                          ("a1", {photo.id}), ("b1", {photo.id}), ("outsider", set()),
                          ("clerk", {receipt.id, photo.id})]:
        client.force_login(people[who])
        for doc in (receipt, photo):
            status = client.get(f"/api/v1/archives/{doc.id}").status_code
            assert status == (200 if doc.id in readable else 403), (who, doc.title)
        assert listed(client) & {receipt.id, photo.id} == readable, who
    client.force_login(people["clerk"])
    by = {"proposal": proposal.id, "inspection": inspection.id}
    found = {k: {d["id"] for d in client.get("/api/v1/archives", {k: v}).json()["items"]}
             for k, v in by.items()}
    assert found == {"proposal": {receipt.id}, "inspection": {photo.id}}
