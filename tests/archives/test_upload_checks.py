"""Uploads are checked like survey files: type by content, size before reading, ClamAV
when installed (a real clamdscan process: a fake one on the PATH), nothing stored when
refused."""

import os
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from archives import services
from archives.models import Document, DocumentVersion
from config.errors import BadRequest

from . import support


def upload(people, content, name="scan.pdf", **kwargs):
    return services.document_upload(
        actor=people["archivist"], file=support.upload(content, name),
        title=kwargs.pop("title", "钟山区地名公告"),
        category=kwargs.pop("category", "announcement"),
        retention=kwargs.pop("retention", "permanent"), **kwargs)


def stored(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize("content, name, what", [
    (support.EXE, "批准文件.pdf", "Windows executable"),
    (support.HTML, "公告.pdf", "HTML"),
    (support.SVG, "详图.png", "SVG"),
    (b"#!/bin/sh\nrm -rf /\n", "report.docx", "script"),
    (b"just some text", "notes.pdf", "not a format"),
], ids=["exe", "html", "svg", "script", "text"])
def test_it_refuses_a_file_by_its_content_whatever_its_name(people, archive_root, content,
                                                            name, what):
    with pytest.raises(BadRequest, match=what):
        upload(people, content, name)
    assert not Document.objects.exists()
    assert stored(archive_root) == []


@pytest.mark.parametrize("content, media_type, fmt", [
    (support.pdf(), "application/pdf", "PDF"),
    (support.PNG, "image/png", "PNG"),
    (support.JPEG, "image/jpeg", "JPEG"),
    (support.tiff(geo=False), "image/tiff", "TIFF"),
    (support.tiff(geo=True), "image/tiff", "GeoTIFF"),
    (support.OLE, "application/x-ole-storage", "Office (legacy OLE)"),
    (support.ooxml("xl/workbook.xml"),
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel (OOXML)"),
], ids=["pdf", "png", "jpeg", "tiff", "geotiff", "ole", "xlsx"])
def test_it_records_the_type_read_from_the_content(people, content, media_type, fmt):
    document = upload(people, content, name="whatever.exe")
    version = document.versions.get()
    assert (version.media_type, version.format) == (media_type, fmt)
    assert version.storage_name.endswith(".exe") is False
    assert version.size == len(content)


def test_it_refuses_office_files_with_macros_and_zips_that_are_not_office_files(people):
    with pytest.raises(BadRequest, match="macros"):
        upload(people, support.ooxml(macros=True), "minutes.docx")
    with pytest.raises(BadRequest, match=r"Content_Types"):
        upload(people, support.ooxml(content_types=False), "maps.docx")


class Unreadable(SimpleUploadedFile):
    """Declares a size; reading it is a failure of the test."""

    def chunks(self, chunk_size=None):
        raise AssertionError("the file was read before its size was checked")

    def read(self, *args):
        raise AssertionError("the file was read before its size was checked")


def test_it_refuses_a_file_over_the_limit_before_reading_it(people, settings):
    settings.ARCHIVE_MAX_BYTES = 1000
    big = Unreadable("big.pdf", b"", content_type="application/pdf")
    big.size = 5000
    with pytest.raises(services.TooLarge, match="5000 bytes"):
        services.document_upload(actor=people["archivist"], file=big, title="大文件",
                                 category="other", retention="short")
    assert not Document.objects.exists()


def test_it_stops_at_the_limit_when_the_declared_size_lies(people, settings):
    settings.ARCHIVE_MAX_BYTES = 1000
    liar = support.upload(support.pdf() + b"%" * 5000)
    liar.size = 10
    with pytest.raises(services.TooLarge, match="1000 bytes"):
        services.document_upload(actor=people["archivist"], file=liar, title="大文件",
                                 category="other", retention="short")


def test_it_answers_413_over_the_limit_through_the_api(client, people, settings):
    settings.ARCHIVE_MAX_BYTES = 1000
    client.force_login(people["archivist"])
    form = {"title": "大文件", "category": "other", "retention": "short"}
    # a body over the archive's limit and the multipart allowance: refused by its
    # Content-Length before a byte is read (config.uploads, UPLOAD_PATH_LIMITS)
    huge = client.post("/api/v1/archives", form | {
        "file": support.upload(support.pdf() + b"%" * (1300 * 1024))})
    assert huge.status_code == 413, huge.content
    assert "request body of" in huge.json()["detail"]
    assert "a file up to 1000" in huge.json()["detail"]
    # within the allowance: the upload handler stops as the file passes the limit
    big = client.post("/api/v1/archives", form | {
        "file": support.upload(support.pdf() + b"%" * 5000)})
    assert big.status_code == 413, big.content
    assert big.json()["detail"].startswith("the uploaded file passes 1000 bytes")
    assert not Document.objects.exists()


def test_it_records_not_scanned_without_clamav(people):
    version = upload(people, support.pdf()).versions.get()
    assert version.scan_status == "not_scanned"
    assert "no ClamAV" in version.scan_detail


def fake_clamdscan(folder: Path, exit_code: int, said: str) -> None:
    script = folder / "clamdscan"
    script.write_text(f'#!/bin/sh\nfor last; do :; done\necho "$last: {said}"\nexit {exit_code}\n')
    script.chmod(0o755)


def test_it_refuses_a_file_clamdscan_finds_infected(people, archive_root, tmp_path):
    fake_clamdscan(Path(os.environ["PATH"]), 1, "Eicar-Test-Signature FOUND")
    with pytest.raises(BadRequest, match="infected.*Eicar-Test-Signature"):
        upload(people, support.pdf())
    assert not DocumentVersion.objects.exists()
    assert stored(archive_root) == []


def test_it_records_a_clean_scan(people):
    fake_clamdscan(Path(os.environ["PATH"]), 0, "OK")
    version = upload(people, support.pdf()).versions.get()
    assert version.scan_status == "clean"
    assert version.scan_detail.endswith("OK")


def test_it_refuses_when_the_scanner_fails(people):
    fake_clamdscan(Path(os.environ["PATH"]), 2, "Can't connect to clamd")
    with pytest.raises(BadRequest, match="scanner.*failed"):
        upload(people, support.pdf())
