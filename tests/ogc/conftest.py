"""A live server for the OGC clients (GDAL's ogrinfo, OWSLib), which need real HTTP and
committed data: Django under wsgiref on a free port, five places committed, and the place
table emptied afterwards (naming events are append-only: TRUNCATE, no trigger switched off)."""

import threading
from datetime import date
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.contrib.gis.geos import LineString, Point, Polygon
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections

from accounts.services import system_actor
from gazetteer import services
from gazetteer.services import NewPlace

SEEN: list[str] = []  # the paths the live server was asked for


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        SEEN.append(self.path)


@pytest.fixture
def server_paths():
    """The paths the clients asked for, from this test on."""
    SEEN.clear()
    return SEEN


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, divisions_db):
    with django_db_blocker.unblock():
        if not connection.settings_dict["NAME"].startswith("test_"):
            pytest.skip("needs the test database: run it with tests/ogc")
        services.places_create(places=[
            NewPlace(name=name, place_class="road", division_codes=["520201"],
                     geom=Point(x, 26.59, srid=4490), valid_from=date(2001, 1, 1))
            for name, x in (("钟山西路", 104.83), ("荷城路", 104.84))] + [
            # Lines among the points: a mixed layer is typed by its first feature.
            NewPlace(name=name, place_class="road", division_codes=["520201"],
                     geom=LineString((x, 26.58), (x + 0.01, 26.58), srid=4490),
                     valid_from=date(2001, 1, 1))
            for name, x in (("凉都大道", 104.82), ("水城路", 104.85))] + [
            NewPlace(name="凉都花园", place_class="residential", division_codes=["520201"],
                     geom=Polygon(((104.86, 26.6), (104.863, 26.6), (104.863, 26.602),
                                   (104.86, 26.6)), srid=4490), valid_from=date(2001, 1, 1))],
            actor=system_actor())
        httpd = make_server("127.0.0.1", 0, WSGIHandler(), handler_class=QuietHandler)
        def serve():
            try:
                httpd.serve_forever()
            finally:  # the server thread's own connection, or the test database stays busy
                connections.close_all()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{httpd.server_port}/ogc"
        finally:
            httpd.shutdown()
            thread.join(timeout=10)
            httpd.server_close()
            _clean()


def _clean() -> None:
    """Places are committed only by such tests (every other test rolls back): emptying the
    table restores the session's state without switching the append-only triggers off."""
    with connection.cursor() as cur:
        cur.execute("TRUNCATE gazetteer_place CASCADE")


