"""The distance check of a survey against its division (importers.survey.staging.far_from),
one statement over every staged feature with the division's polygon cast to geography once,
flags exactly the features, at exactly the distances, that the former statement (a cast of
the polygon for every feature) flagged."""

import pytest
from django.db import connection

from boundaries.models import DivisionVersion
from importers import survey
from importers.survey import staging

pytestmark = pytest.mark.django_db
STAGED = f"pg_temp.{staging.TEMP_TABLE}"

# The former statement, word for word.
FORMER = """
    SELECT s.idx, ST_Distance(s.geom::geography, d.geom::geography)
    FROM {table} s, boundaries_divisionversion d
    WHERE d.id = %s AND s.geom IS NOT NULL
      AND NOT ST_DWithin(s.geom::geography, d.geom::geography, %s)
    ORDER BY s.idx"""


def grid_csv(path, west, south, east, north, step):
    rows, n = [], 0
    y = south
    while y <= north:
        x = west
        while x <= east:
            rows.append(f"P{n},{x:.6f},{y:.6f}")
            n += 1
            x += step
        y += step
    rows.append(f"P{n},105.5,26.7")  # some 48 km east of 钟山区
    path.write_text("编号,经度,纬度\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path, n


def test_it_flags_the_same_features_as_the_former_statement(lps_polygons, tmp_path):
    county = DivisionVersion.objects.get(code="520201000000", level=3, valid_to__isnull=True)
    west, south, east, north = county.geom.extent
    # every 700 m or so over the county and 3 km around it: inside, near and far
    path, far_east = grid_csv(tmp_path / "grid.csv", west - 0.03, south - 0.03,
                              east + 0.03, north + 0.03, 0.007)
    # staged in the temporary table, which lives until the test's transaction ends
    result = survey.run(path, division="520201")
    found = {f.index: f.message for f in result.findings if f.rule == "far_from_division"}
    with connection.cursor() as cur:
        cur.execute(FORMER.format(table=STAGED), [county.id, staging.FAR_METRES])
        former = {idx: f"{d:.0f} m from 520201 钟山区 (more than 1000 m)"
                  for idx, d in cur.fetchall()}
        cur.execute(f"SELECT count(*) FROM {STAGED} WHERE ST_Intersects(geom, %s::geometry)",
                    [county.geom.ewkt])
        inside = cur.fetchone()[0]
        cur.execute(f"""SELECT count(*) FILTER (WHERE m BETWEEN 900 AND 1000),
                               count(*) FILTER (WHERE m BETWEEN 1000 AND 1100)
                        FROM (SELECT ST_Distance(s.geom::geography, d.geom::geography) AS m
                              FROM {STAGED} s, boundaries_divisionversion d
                              WHERE d.id = %s) x""", [county.id])
        just_within, just_beyond = cur.fetchone()
    assert found == former
    assert just_within > 10 and just_beyond > 10  # features on either side of 1000 m
    assert 100 < len(found) < len(result.features) - inside  # near ones are not flagged
    assert inside > 100
    assert far_east in found
    assert 40_000 < int(found[far_east].split(" m ")[0]) < 60_000


def test_it_reports_the_metres_it_was_given(lps_polygons, tmp_path):
    county = DivisionVersion.objects.get(code="520201000000", level=3, valid_to__isnull=True)
    path, far_east = grid_csv(tmp_path / "one.csv", 105.5, 26.7, 105.5, 26.7, 1)
    survey.run(path, division="520201")
    near = staging.far_from(STAGED, {0: 2, 1: 3}, county.id, "钟山区", metres=100_000)
    far = staging.far_from(STAGED, {0: 2, 1: 3}, county.id, "钟山区", metres=1000)
    assert near == []
    assert [(f.index, f.line) for f in far] == [(0, 2), (1, 3)]
    assert far[0].message.endswith("m from 钟山区 (more than 1000 m)")
