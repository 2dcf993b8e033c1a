"""The catalogue page (htmx results), a document's page with its versions, and the upload
form for the archive office."""

from archives import services
from archives.models import Document

from . import support


def test_it_uploads_through_the_form_and_shows_the_document(client, people, proposal):
    client.force_login(people["archivist"])
    assert client.get("/archives/upload").status_code == 200
    response = client.post("/archives/upload", {
        "file": support.upload(support.pdf("批复"), "批复.pdf"), "title": "关于凉都大道命名的批复",
        "number": "六盘水府函〔2024〕7号", "category": "approval", "retention": "permanent",
        "links": f"proposal:{proposal.id}"})
    assert response.status_code == 302, response.content.decode()
    document = Document.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "六盘水府函〔2024〕7号" in page and "v1" in page
    assert f"/api/v1/archives/{document.id}/versions/1/download" in page
    assert "凉都大道" in page  # the linked proposal


def test_it_refuses_the_upload_form_outside_the_archive_office(client, people):
    client.force_login(people["applicant"])
    assert client.get("/archives/upload").status_code == 403
    client.logout()
    assert client.get("/archives/upload").status_code == 302  # to sign in


def test_it_searches_the_catalogue_page_with_htmx(client, people):
    for title, category in [("钟山区地名公告", "announcement"), ("内部工作记录", "other")]:
        d = services.document_upload(actor=people["archivist"],
                                     file=support.upload(support.pdf(title)), title=title,
                                     category=category, retention="short")
    services.document_publish(actor=people["archivist"],
                              document_id=Document.objects.get(title="钟山区地名公告").id)
    anonymous = client.get("/archives/").content.decode()
    assert "地名和区划档案" in anonymous  # zh-hans first
    assert "钟山区地名公告" in anonymous and "内部工作记录" not in anonymous
    client.force_login(people["clerk"])
    fragment = client.get("/archives/", {"q": "记录"}, HTTP_HX_REQUEST="true")
    body = fragment.content.decode()
    assert "<html" not in body and "内部工作记录" in body and "钟山区地名公告" not in body
    assert "catalogue.csv?q=" in body
    assert client.get(f"/archives/{d.id}/").status_code == 200
    client.logout()
    assert client.get(f"/archives/{d.id}/").status_code == 404
