"""The demo attaches documents to its own records: the catalogue is not empty, the
published ones are public and the others are not."""

import pytest

from archives.models import Document, DocumentVersion
from tests.support import demo_loaded


@pytest.fixture(autouse=True)
def archive_root():
    """The demo's files stay where it wrote them (settings_test's ARCHIVE_ROOT)."""


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with demo_loaded(django_db_blocker, keep_lines=True):
        yield


def test_it_attaches_real_in_kind_documents_to_the_demo_records(demo, db, client):
    kinds = dict(Document.objects.values_list("title", "category"))
    assert kinds["国务院关于同意撤销盘县设立盘州市的批复"] == "approval"
    assert kinds["关于黄土坡广场命名的公告"] == "announcement"
    assert {"agreement", "detailed_map", "expert_opinion", "other"} <= set(kinds.values())
    versions = DocumentVersion.objects.all()
    assert {v.media_type for v in versions} == {"application/pdf"}
    public = {d["title"] for d in client.get("/api/v1/archives").json()["items"]}
    assert "关于黄土坡广场命名的公告" in public
    assert "国务院关于同意撤销水城县设立水城区的批复" in public
    assert not any("专家论证意见" in title or "详图" in title for title in public)
    # the events' approvals are found by the division they changed
    by_code = {d["title"] for d in client.get("/api/v1/archives",
                                              {"division": "520281"}).json()["items"]}
    assert by_code == {"国务院关于同意撤销盘县设立盘州市的批复"}
    download = client.get(f"/api/v1/archives/{Document.objects.get(category='announcement').id}"
                          "/versions/1/download")
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
