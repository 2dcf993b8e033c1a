"""The archives' files go through Django's storage API: the filesystem under ARCHIVE_ROOT
by default, an S3-compatible store by setting (no network is touched here)."""

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from storages.backends.s3 import S3Storage

from archives import services
from archives.storage import archive_storage
from config.settings import archive_storage as storage_setting

from . import support


def test_it_keeps_files_on_the_filesystem_by_default():
    config = storage_setting("filesystem", Path("/srv/archives"), {})
    assert config["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert config["OPTIONS"]["location"] == "/srv/archives"


def test_it_selects_s3_by_setting(settings):
    config = storage_setting("s3", Path("/unused"), {
        "ARCHIVE_S3_BUCKET": "gz-archives", "ARCHIVE_S3_ENDPOINT_URL": "https://oss.example"})
    settings.STORAGES = {**settings.STORAGES, "archives": config}
    storage = archive_storage()
    assert isinstance(storage, S3Storage)
    assert storage.bucket_name == "gz-archives"
    assert storage.endpoint_url == "https://oss.example"
    assert storage.file_overwrite is False  # a key is never written twice


def test_it_refuses_an_unknown_storage_kind():
    with pytest.raises(ImproperlyConfigured, match="filesystem or s3"):
        storage_setting("ftp", Path("/x"), {})


def test_it_writes_the_file_under_the_configured_root(people, archive_root):
    assert isinstance(archive_storage(), FileSystemStorage)
    document = services.document_upload(actor=people["archivist"],
                                        file=support.upload(support.pdf("kept")),
                                        title="存档", category="other", retention="years",
                                        retention_years=30)
    version = document.versions.get()
    path = archive_root / version.storage_name
    assert path.read_bytes() == support.pdf("kept")
    assert version.storage_name.startswith(f"{document.id:06d}/v1-{version.sha256[:16]}")
    assert document.retention_label == "30年"
