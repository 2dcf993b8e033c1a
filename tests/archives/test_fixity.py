"""The fixity check reads every file back: an altered or missing file is reported and the
command fails; an intact archive passes."""

import io

import pytest
from django.core.management import CommandError, call_command

from archives import fixity, services

from . import support


def test_it_reports_altered_and_missing_files(people, archive_root):
    documents = [services.document_upload(actor=people["archivist"],
                                          file=support.upload(support.pdf(f"doc {n}")),
                                          title=f"文件{n}", category="other", retention="short")
                 for n in range(3)]
    assert fixity.run() == {"checked": 3, "missing": [], "altered": []}
    call_command("archive_fixity", "--no-progress", stdout=io.StringIO())
    first, second = (d.versions.get() for d in documents[:2])
    (archive_root / first.storage_name).write_bytes(support.pdf("rewritten"))
    (archive_root / second.storage_name).unlink()
    report = fixity.run()
    assert report["checked"] == 2
    assert [m["document"] for m in report["missing"]] == [documents[1].id]
    assert [(a["document"], a["recorded"]) for a in report["altered"]] == [
        (documents[0].id, first.sha256)]
    with pytest.raises(CommandError, match="1 missing, 1 altered of 3 files"):
        call_command("archive_fixity", "--no-progress", stdout=io.StringIO())
