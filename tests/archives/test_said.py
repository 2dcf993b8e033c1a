"""An archive refusal reaches the page in the page's language (zh-hans first, English by
the language switch), the API's ``detail`` stays English."""

from archives.models import Document

from . import support

REFUSED = ("file: a Windows executable (MZ): refused (the archive takes PDF, TIFF/GeoTIFF, "
           "JPEG, PNG and office files, recognised by their content)")
FORM = {"title": "关于凉都大道命名的批复", "category": "approval", "retention": "permanent"}


def post_upload(client, language):
    client.cookies["django_language"] = language
    return client.post("/archives/upload",
                       FORM | {"file": support.upload(support.EXE, "批复.pdf")})


def test_it_says_a_refused_file_in_the_pages_language_and_english_in_the_api(client, people):
    client.force_login(people["archivist"])
    chinese = post_upload(client, "zh-hans")
    english = post_upload(client, "en")
    api = client.post("/api/v1/archives", FORM | {"file": support.upload(support.EXE)})
    assert chinese.status_code == english.status_code == api.status_code == 400
    assert ("文件：Windows 可执行文件（MZ）：拒收（档案只收 PDF、TIFF/GeoTIFF、JPEG、PNG 和办公文档"
            in chinese.content.decode())
    assert "refused (the archive takes" not in chinese.content.decode()
    assert "file: a Windows executable (MZ): refused" in english.content.decode()
    assert api.json()["detail"] == REFUSED
    assert not Document.objects.exists()


def test_it_says_a_read_refusal_in_the_pages_language(client, people):
    document = Document.objects.create(title="内部工作记录", category="other",
                                       retention="short", created_by=people["archivist"])
    client.force_login(people["applicant"])
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(f"/archives/{document.id}/")
    api = client.get(f"/api/v1/archives/{document.id}")
    assert chinese.status_code == api.status_code == 403
    assert (f"档案 {document.id} 仅供档案室及可查看其关联记录的人员查阅"
            in chinese.content.decode())
    assert api.json()["detail"] == (f"document {document.id} is for the archive office and "
                                    "the readers of the records it is linked to")
