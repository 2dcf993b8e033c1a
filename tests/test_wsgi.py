"""The WSGI entry point serves, with start-up objects frozen out of the collector."""

import gc
import importlib
import io

import pytest


@pytest.mark.django_db
def test_it_loads_every_view_and_freezes_startup_objects():
    wsgi = importlib.import_module("config.wsgi")
    assert gc.get_freeze_count() > 100_000
    responses = []
    wsgi.application({"REQUEST_METHOD": "GET", "PATH_INFO": "/api/openapi.json",
                      "SERVER_NAME": "testserver", "SERVER_PORT": "80",
                      "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"},
                     lambda status, headers: responses.append(status))
    assert responses == ["200 OK"]
    gc.unfreeze()
