"""GDAL's own OGC API – Features client (ogrinfo OAPIF:) lists the collections and reads them.

ogrinfo needs a real HTTP server and committed data: the module serves Django with
wsgiref on a free port, commits two places, and removes them afterwards (naming
events are append-only, so the clean-up disables triggers for its own session).
"""

import shutil
import subprocess
import threading
from datetime import date
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections

from accounts.services import system_actor
from gazetteer import services
from gazetteer.services import NewPlace

pytestmark = pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="gdal-bin not installed")


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


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
            for name, x in (("凉都大道", 104.82), ("水城路", 104.85))], actor=system_actor())
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


def ogrinfo(*args: str, warnings: list[str] | None = None) -> str:
    done = subprocess.run(["ogrinfo", "-ro", *args], capture_output=True, text=True,
                          timeout=120, env={"GDAL_HTTP_TIMEOUT": "60", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    if warnings is not None:
        warnings += [line for line in done.stderr.splitlines() if "Warning" in line]
    return done.stdout


def test_it_lists_the_collections_to_gdal(server):
    out = ogrinfo(f"OAPIF:{server}")
    for layer in ("places-points", "places-lines", "divisions-county", "divisions-village"):
        assert layer in out


def test_it_serves_features_gdal_reads(server):
    out = ogrinfo("-al", "-q", f"OAPIF:{server}", "places-points")
    assert "钟山西路" in out
    assert "荷城路" in out
    assert "POINT (104.83 26.59)" in out
    counties = ogrinfo("-al", "-q", f"OAPIF:{server}", "divisions-county")
    assert "钟山区" in counties
    assert "盘州市" in counties


@pytest.mark.parametrize("layer, declared, wkt", [
    ("places-points", "Point", "POINT"), ("places-lines", "Line String", "LINESTRING")])
def test_it_declares_each_place_layer_with_the_type_of_its_features(server, layer, declared,
                                                                     wkt):
    warnings: list[str] = []
    summary = ogrinfo("-so", f"OAPIF:{server}", layer, warnings=warnings)
    assert f"Geometry: {declared}" in summary
    features = ogrinfo("-al", "-q", f"OAPIF:{server}", layer, warnings=warnings)
    shapes = [line.strip().split(" (")[0] for line in features.splitlines()
              if line.strip().startswith(("POINT", "LINESTRING", "MULTI", "POLYGON"))]
    assert shapes and set(shapes) == {wkt}
    assert warnings == []
