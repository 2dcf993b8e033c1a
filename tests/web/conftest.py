"""The site served in a thread from the test's own database connection, for the browser
tests (each module defines its ``demo`` fixture: the data the server sees).

Django's per-request connection clean-up is switched off meanwhile (it would close that
shared connection).
"""

import threading

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import close_old_connections, connections


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(demo, django_db_blocker):
    """The site on a free loopback port, answering from the test's connection."""
    shared = connections["default"]  # the wrapper itself, not the thread-local proxy
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    httpd = WSGIServer(("127.0.0.1", 0), QuietHandler, ipv6=False)
    httpd.set_app(StaticFilesHandler(WSGIHandler()))

    def serve():
        connections["default"] = shared
        httpd.serve_forever(poll_interval=0.05)

    shared.inc_thread_sharing()
    thread = threading.Thread(target=serve, daemon=True)
    with django_db_blocker.unblock():
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            thread.join()
            shared.dec_thread_sharing()
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
