"""A property-based run of the whole OpenAPI (schemathesis): no request the schema allows
may give a 5xx, and every answer must match its declared schema.

Bounded: FUZZ_EXAMPLES cases per operation (default 15), run against the session's real
codes of 六盘水 and 东莞.
"""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())


@pytest.fixture
def registry(divisions_db, db):
    """The test's transaction stays open across the WSGI calls (as Django's test client
    does it: the per-request connection clean-up would close it)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                     suppress_health_check=list(HealthCheck))
def test_it_answers_every_operation_without_a_server_error(case, registry):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
