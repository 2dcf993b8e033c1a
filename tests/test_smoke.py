"""Import smoke test: the geo stack loads side by side without PROJ_DATA forced."""

import os


def test_it_imports_the_geo_stack_and_transforms_with_each():
    import fiona
    import pyproj
    from django.contrib.gis.gdal import SpatialReference
    from django.contrib.gis.geos import Point

    assert "PROJ_DATA" not in os.environ
    assert "PROJ_LIB" not in os.environ
    lon, lat = pyproj.Transformer.from_crs(4490, 4326, always_xy=True).transform(104.8, 26.6)
    assert abs(lon - 104.8) < 1e-6
    assert abs(lat - 26.6) < 1e-6
    assert SpatialReference(4490).geographic
    pt = Point(104.8, 26.6, srid=4490)
    pt.transform(4544)  # CGCS2000 / 3-degree Gauss-Kruger CM 105E
    assert 400_000 < pt.x < 600_000
    assert "GeoJSON" in fiona.supported_drivers
