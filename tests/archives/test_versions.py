"""A correction is a new version; the old one stays readable; the versions table is
append-only for the app's role and, by its trigger, for everyone."""

import pytest
from django.db import DatabaseError, connection, transaction

from archives import services
from archives.models import DocumentVersion
from config.errors import BadRequest, Conflict

from . import support


@pytest.fixture
def document(people):
    return services.document_upload(
        actor=people["archivist"], file=support.upload(support.pdf("first")),
        title="钟水线界线协议书", number="黔府函〔2002〕88号", category="agreement",
        retention="permanent")


def test_it_keeps_the_old_version_readable_after_a_correction(client, people, document):
    v2 = services.document_version_add(actor=people["archivist"], document_id=document.id,
                                       file=support.upload(support.pdf("second")),
                                       note="更正第3页界桩坐标")
    assert (v2.version, v2.supersedes.version) == (2, 1)
    client.force_login(people["clerk"])
    detail = client.get(f"/api/v1/archives/{document.id}").json()
    assert [(v["version"], v["supersedes"]) for v in detail["versions"]] == [(1, None), (2, 1)]
    assert detail["latest_version"] == 2
    first = client.get(detail["versions"][0]["download"])
    assert first.status_code == 200
    assert b"".join(first.streaming_content) == support.pdf("first")
    second = client.get(detail["versions"][1]["download"])
    assert b"".join(second.streaming_content) == support.pdf("second")


def test_it_refuses_a_version_identical_to_the_latest_or_without_a_reason(people, document):
    with pytest.raises(Conflict, match="identical to version 1"):
        services.document_version_add(actor=people["archivist"], document_id=document.id,
                                      file=support.upload(support.pdf("first")), note="重传")
    with pytest.raises(BadRequest, match="note"):
        services.document_version_add(actor=people["archivist"], document_id=document.id,
                                      file=support.upload(support.pdf("other")), note=" ")


def test_it_adds_a_version_through_the_api(client, people, document):
    client.force_login(people["archivist"])
    response = client.post(f"/api/v1/archives/{document.id}/versions",
                           {"file": support.upload(support.pdf("v2")), "note": "补签页"})
    assert response.status_code == 201, response.content
    assert [v["version"] for v in response.json()["versions"]] == [1, 2]


def test_it_refuses_the_app_role_an_edit_or_delete_of_a_version(people, document):
    version = document.versions.get()
    for statement in ("UPDATE archives_documentversion SET sha256 = repeat('0', 64) "
                      "WHERE id = %s", "DELETE FROM archives_documentversion WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(statement, [version.id])
    assert DocumentVersion.objects.get(id=version.id).sha256 == version.sha256


@pytest.mark.as_owner
def test_it_refuses_even_the_owner_an_edit_of_a_version(people, document):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cur:
        cur.execute("UPDATE archives_documentversion SET note = 'rewritten' "
                    "WHERE document_id = %s", [document.id])


def test_it_grants_the_app_role_only_select_and_insert_on_versions(app_role_granted, db,
                                                                    settings):
    assert "archives_documentversion" in app_role_granted["history"]
    role = settings.DATABASE_APP_ROLE
    with connection.cursor() as cur:
        cur.execute("SELECT has_table_privilege(%s, 'archives_documentversion', p) "
                    "FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) p",
                    [role])
        assert [row[0] for row in cur.fetchall()] == [True, True, False, False]
        # the catalogue entry and its links are ordinary records (published, unlinked)
        cur.execute("SELECT has_table_privilege(%s, 'archives_document', 'UPDATE')", [role])
        assert cur.fetchone()[0] is True
