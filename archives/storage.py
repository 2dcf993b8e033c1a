"""The archives' files go through Django's storage API: settings.STORAGES["archives"]
(config.settings.archive_storage: the filesystem under ARCHIVE_ROOT, or S3)."""

from django.core.files.storage import Storage, storages


def archive_storage() -> Storage:
    return storages["archives"]
