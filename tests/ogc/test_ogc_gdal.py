"""GDAL's own OGC API – Features client (ogrinfo OAPIF:) lists the collections and reads them,
from the live server of tests/ogc/conftest.py, with a CQL2 filter passed by -where."""

import shutil
import subprocess

import pytest

# django_db: pytest-django makes the test database only for tests that ask for one, and
# these ask through the live server; unmarked, the module run alone met the developer's
pytestmark = [pytest.mark.skipif(shutil.which("ogrinfo") is None,
                                 reason="gdal-bin not installed"), pytest.mark.django_db]


def ogrinfo(*args: str, warnings: list[str] | None = None, **env: str) -> str:
    done = subprocess.run(["ogrinfo", "-ro", *args], capture_output=True, text=True,
                          timeout=120, env={"GDAL_HTTP_TIMEOUT": "60", "PATH": "/usr/bin:/bin",
                                            **env})
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


def test_it_passes_a_where_clause_to_the_server_as_cql2(server, server_paths):
    # GDAL 3.6 speaks the Part 3 draft (filter-lang=cql-text) when the OpenAPI document
    # offers it and OGR_OAPIF_ALLOW_CQL_TEXT is set
    out = ogrinfo("-al", "-q", "-where", "name = '荷城路'", f"OAPIF:{server}", "places-points",
                  OGR_OAPIF_ALLOW_CQL_TEXT="YES")
    assert "荷城路" in out and "钟山西路" not in out
    asked = list(server_paths)
    # GDAL filters on the server once the Filter classes are declared
    assert any("filter=" in p for p in asked), asked


def test_it_reads_every_collection_with_a_filter_gdal_sends(server, server_paths):
    import json
    import re
    from urllib.request import urlopen

    with urlopen(f"{server}/collections?f=json") as response:
        ids = [c["id"] for c in json.load(response)["collections"]]
    listed = re.findall(r"^\d+: ([\w-]+)", ogrinfo(f"OAPIF:{server}"), re.M)
    assert sorted(listed) == sorted(ids)
    read = {}
    for layer in listed:
        if layer == "boundaries":  # no line in the session's data: GDAL 3.6 types a layer's
            # fields from its first page, and an empty layer has none a filter could name
            assert "Feature Count: 0" in ogrinfo("-so", f"OAPIF:{server}", layer)
            continue
        server_paths.clear()
        read[layer] = ogrinfo("-al", "-q", "-where", "valid_to IS NULL", f"OAPIF:{server}",
                              layer, OGR_OAPIF_ALLOW_CQL_TEXT="YES")
        asked = [p for p in server_paths if f"/collections/{layer}/items" in p]
        # a first page unfiltered (GDAL reads the layer's fields from it), then the filter
        assert asked and "filter=" in asked[-1], (layer, list(server_paths))
    assert "钟山西路" in read["places-points"] and "凉都花园" in read["places-polygons"]
    assert "钟山区" in read["divisions-county"]
