"""The Django side of the `merger` step: execute a 7-township merger and roll it back.

Run as `python -m bench.merger_run` with DATABASE_URL set (bench/merger.py does). Inside
one transaction that is always rolled back: when the database holds no township polygons
it loads the demo first; it picks seven contiguous townships of the county with the most,
makes sure their border lines exist and that some markers stand on them, then times the
executor (mergers.execution.execute_operations) and prints its report as JSON.
"""

import io
import json
import sys
import time
from datetime import date

import django

# before the merger's effective date (today): a state must begin before the historical one
INSTALLED = date(2010, 5, 1)


def _contiguous(cur, county: str, size: int) -> list[str]:
    cur.execute("""SELECT a.code, b.code FROM boundaries_divisionversion a
                   JOIN boundaries_divisionversion b ON a.code < b.code AND a.geom && b.geom
                    AND ST_Intersects(a.geom, b.geom)
                   WHERE a.level = 4 AND b.level = 4 AND a.parent_code = %(c)s
                     AND b.parent_code = %(c)s AND a.valid_to IS NULL AND b.valid_to IS NULL
                     AND a.geom IS NOT NULL AND b.geom IS NOT NULL""", {"c": county})
    touching: dict[str, set[str]] = {}
    for a, b in cur.fetchall():
        touching.setdefault(a, set()).add(b)
        touching.setdefault(b, set()).add(a)
    start = max(touching, key=lambda code: len(touching[code]))
    chosen, frontier = [start], sorted(touching[start])
    while frontier and len(chosen) < size:
        code = frontier.pop(0)
        if code not in chosen:
            chosen.append(code)
            frontier += sorted(touching[code] - set(chosen))
    return chosen


def _county(cur) -> str | None:
    cur.execute("""SELECT parent_code FROM boundaries_divisionversion
                   WHERE level = 4 AND valid_to IS NULL AND geom IS NOT NULL
                   GROUP BY parent_code HAVING count(*) >= 7
                   ORDER BY count(*) DESC, parent_code LIMIT 1""")
    row = cur.fetchone()
    return row[0] if row else None


def _markers(townships: list[str], actor) -> int:
    """One marker on each inner line that has none, so the marker step has work."""
    from django.db import connection

    from boundaries.models import BoundaryLine
    from boundaries.services import marker_register

    made = 0
    lines = BoundaryLine.objects.filter(level=4, valid_to__isnull=True, left_code__in=townships,
                                        right_code__in=townships, markers__isnull=True)
    for line in lines.order_by("id"):
        with connection.cursor() as cur:
            cur.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_LineInterpolatePoint("
                        "ST_GeometryN(geom, 1), 0.5) p FROM boundaries_boundaryline "
                        "WHERE id = %s) t", [line.id])
            x, y = cur.fetchone()
        marker_register(number=f"{line.name[:2]}{90 + made:02d}", type="single", lines=[line],
                        position=(x, y), installed=INSTALLED, actor=actor)
        made += 1
    return made


def measure() -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.services import system_actor
    from boundaries.lines import boundary_lines_rederive
    from boundaries.temporal import today
    from mergers.execution import execute_operations

    with transaction.atomic():
        with connection.cursor() as cur:
            county = _county(cur)
            if county is None:
                cur.execute("TRUNCATE boundaries_divisionversion, boundaries_divisionevent, "
                            "boundaries_divisionedition, boundaries_boundaryline, "
                            "boundaries_boundarymarker CASCADE")
                call_command("load_demo", "--no-progress", stdout=io.StringIO())
                county = _county(cur)
            townships = _contiguous(cur, county, 7)
            cur.execute("SELECT count(*) FROM boundaries_boundaryline WHERE level = 4 "
                        "AND valid_to IS NULL AND (left_code = ANY(%(t)s) OR right_code = "
                        "ANY(%(t)s))", {"t": townships})
            if not cur.fetchone()[0]:
                boundary_lines_rederive(level=4, codes=townships, as_of=today())
            cur.execute("""SELECT count(*) FROM boundaries_divisionversion
                           WHERE level = 5 AND valid_to IS NULL AND parent_code = ANY(%s)""",
                        [townships])
            villages = cur.fetchone()[0]
            cur.execute("""SELECT count(DISTINCT place_id) FROM gazetteer_placedivision
                           WHERE valid_to IS NULL AND division_code = ANY(%s)""", [townships])
            places = cur.fetchone()[0]
        actor = system_actor()
        markers = _markers(townships, actor)
        started = time.perf_counter()
        report = execute_operations(
            operations=[{"op": "merge", "townships": townships, "name": "测试合并镇",
                         "kind": "镇"}],
            effective_date=today(), actor=actor, approval_document="bench",
            approving_authority="bench")
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return {"county": county, "townships": len(townships), "villages": villages,
            "places": places, "markers_registered": markers, "execute_s": round(seconds, 3),
            "report": {k: v for k, v in report.items() if k != "codes"}}


if __name__ == "__main__":
    django.setup()
    json.dump(measure(), sys.stdout, ensure_ascii=False)
