"""The site served from the test's own database connection, for the browser tests.

Connections are accepted by threads: chromium opens speculative connections it may leave
idle, and a one-thread server blocks reading the first of them while the page's real
request waits behind it (the journeys timed out now and then on a plain ``goto``). The
answers are still made one at a time, on the one shared connection, inside a lock.
Django's per-request connection clean-up is switched off meanwhile (it would close that
shared connection).
"""

import socketserver
import threading
from contextlib import contextmanager

from django.core import signals
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.db import close_old_connections, connections


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class SharedConnectionServer(socketserver.ThreadingMixIn, WSGIServer):
    """Each request's thread answers on the test's connection, never closing it."""

    daemon_threads = True

    def __init__(self, *args, shared, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared = shared

    def process_request_thread(self, request, client_address):
        connections["default"] = self.shared
        super().process_request_thread(request, client_address)


class OneAtATime:
    """The WSGI app behind a lock, its body read inside it (reading it may query)."""

    def __init__(self, app):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            result = self.app(environ, start_response)
            try:
                return list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()


_SERVED: dict = {}  # what is being served now: the shared connection and the answers' lock


def between_answers(fn):
    """Run ``fn`` as one more answer would be made: in a thread of its own, on the test's
    shared connection, between two answers. The browser journeys run a queued job so, as
    the job worker would (Playwright owns the test's own thread: no ORM there)."""
    out = {}

    def target():
        connections["default"] = _SERVED["shared"]
        try:
            with _SERVED["lock"]:
                out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 (raised again in the test's thread)
            out["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")


@contextmanager
def serving(app, django_db_blocker):
    """``app`` on a free loopback port, answering from the test's connection: its URL."""
    shared = connections["default"]  # the wrapper itself, not the thread-local proxy
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    httpd = SharedConnectionServer(("127.0.0.1", 0), QuietHandler, ipv6=False, shared=shared)
    one_at_a_time = OneAtATime(app)
    httpd.set_app(one_at_a_time)
    _SERVED.update(shared=shared, lock=one_at_a_time.lock)
    shared.inc_thread_sharing()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    with django_db_blocker.unblock():
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_address[1]}"
        finally:
            httpd.shutdown()
            thread.join()
            _SERVED.clear()
            shared.dec_thread_sharing()
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
