"""The site served from the test's own database connection, for the browser tests (each
module defines its ``demo`` fixture: the data the server sees); static files from the
apps' directories (the finders), as in development. How it is served: ``serving``."""

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler

from .serving import serving


@pytest.fixture(scope="module")
def server(demo, django_db_blocker):
    """The site on a free loopback port, answering from the test's connection."""
    with serving(StaticFilesHandler(WSGIHandler()), django_db_blocker) as url:
        yield url
