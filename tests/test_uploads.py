"""Bodies are bounded before they are read; a broken multipart body is a 400, not a 500."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory

from config.uploads import BodyTooLarge

SURVEYS = "/api/v1/inspections/1/surveys"


def test_it_refuses_an_oversize_upload_from_its_content_length(client, settings):
    response = client.post(SURVEYS, data=b"x", content_type="multipart/form-data; boundary=b",
                           CONTENT_LENGTH=str(settings.MAX_UPLOAD_BYTES + 64 * 1024 * 1024))
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_it_refuses_an_oversize_json_body_from_its_content_length(client, settings):
    response = client.post("/api/v1/names/check", data=b"{}", content_type="application/json",
                           CONTENT_LENGTH=str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1))
    assert response.status_code == 413


def test_it_refuses_a_multipart_body_without_a_boundary(client):
    response = client.post(SURVEYS, data=b"--x\r\n", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "boundary" in response.json()["detail"]


def test_it_stops_reading_a_file_at_the_limit_whatever_the_header_says(settings):
    settings.MAX_UPLOAD_BYTES = 4096
    request = RequestFactory().post(SURVEYS, {
        "side": "A", "file": SimpleUploadedFile("markers.csv", b"0" * 100_000)})
    with pytest.raises(BodyTooLarge):
        request.FILES  # noqa: B018


def test_it_does_not_store_an_anonymous_clients_file(client, db):
    response = client.post(SURVEYS, {"side": "A",
                                     "file": SimpleUploadedFile("m.csv", b"X,Y\n1,2\n")})
    assert response.status_code == 401
