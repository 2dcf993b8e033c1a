"""What the division, border-line and marker exports hold (written by boundaries.export).

Each is filtered by a division (its code's descendants: the lines and markers of the
border lines either of whose sides lies within it), a level and a date. With ``as_of``
an export holds what was in force then; without it, divisions and lines hold every
version (their history: valid_from/valid_to, and for divisions the change events that
began and ended each version), and markers their state in force today.
"""

from datetime import date

from django.db import connection

from . import export
from .codes import prefix_range
from .temporal import in_force_sql, today

DIVISION_FIELDS = {
    "id": "int", "code": "str:12", "name": "str:100", "level": "int", "kind": "str:20",
    "parent": "str:12", "valid_from": "date", "valid_to": "date", "area_km2": "float",
    "source": "str:200", "began_by": "str:254", "ended_by": "str:254",
}
LINE_FIELDS = {
    "id": "int", "name": "str:50", "level": "int", "left_code": "str:12",
    "left_name": "str:100", "right_code": "str:12", "right_name": "str:100",
    "length_m": "float", "agreement": "str:100", "agr_date": "date", "valid_from": "date",
    "valid_to": "date", "source": "str:200",
}
MARKER_FIELDS = {
    "id": "int", "number": "str:20", "type": "str:10", "status": "str:10",
    "material": "str:50", "installed": "date", "valid_from": "date", "valid_to": "date",
    "lines": "str:254", "synthetic": "str:5", "retired_on": "date",
}
GEOMETRY_SQL = ("ST_AsGeoJSON({g}, 7), ST_AsText({g}), ST_X(ST_PointOnSurface({g})), "
                "ST_Y(ST_PointOnSurface({g}))")
# "kind effective_date → codes" of the events that began (outputs) or ended (inputs) a version
EVENTS_SQL = """(SELECT string_agg(e.kind || ' ' || e.effective_date, '; '
                 ORDER BY e.effective_date, e.id)
   FROM boundaries_divisionevent e JOIN boundaries_divisionevent_{side} x
     ON x.divisionevent_id = e.id
   WHERE x.divisionversion_id = d.id AND NOT e.draft)"""


def _fetch(sql: str, params: dict, fields: dict, what: str) -> list[dict]:
    with connection.cursor() as cur:
        cur.execute(sql, params | {"cap": export.MAX_FEATURES + 1})
        rows = export.capped(cur.fetchall(), what)
    names = [*fields, *export.GEOMETRY_COLUMNS]
    return [dict(zip(names, row, strict=True)) for row in rows]


def _within(column: str, prefix: str | None, params: dict, key: str) -> str:
    if prefix is None:
        return "TRUE"
    params[f"{key}_lo"], params[f"{key}_hi"] = prefix_range(prefix)
    return f"({column} >= %({key}_lo)s AND {column} < %({key}_hi)s)"


def division_rows(prefix: str | None, level: int | None, as_of: date | None) -> list[dict]:
    params: dict = {"level": level, "as_of": as_of}
    sql = f"""
    SELECT d.id, d.code, d.name, d.level, d.kind, d.parent_code, d.valid_from, d.valid_to,
           d.area_km2, d.geometry_source, {EVENTS_SQL.format(side='output')},
           {EVENTS_SQL.format(side='input')}, {GEOMETRY_SQL.format(g='COALESCE(d.geom, d.seat)')}
    FROM boundaries_divisionversion d
    WHERE d.kind <> 'placeholder' AND {_within('d.code', prefix, params, 'code')}
      AND (%(level)s::int IS NULL OR d.level = %(level)s)
      AND ({'TRUE' if as_of is None else in_force_sql('d')})
    ORDER BY d.code, d.level, d.valid_from NULLS FIRST LIMIT %(cap)s"""
    return _fetch(sql, params, DIVISION_FIELDS, "division versions")


def _line_filter(prefix: str | None, params: dict) -> str:
    if prefix is None:
        return "TRUE"
    return (f"({_within('l.left_code', prefix, params, 'left')} OR "
            f"{_within('l.right_code', prefix, params, 'right')})")


def line_rows(prefix: str | None, level: int | None, as_of: date | None) -> list[dict]:
    params: dict = {"level": level, "as_of": as_of, "names_on": as_of or today()}
    side = ("(SELECT v.name FROM boundaries_divisionversion v WHERE v.code = l.{c} "
            "AND v.level = l.level ORDER BY (v.valid_to IS NULL) DESC, v.valid_to DESC "
            "LIMIT 1)")
    sql = f"""
    SELECT l.id, l.name, l.level, l.left_code, {side.format(c='left_code')}, l.right_code,
           {side.format(c='right_code')}, round(l.length_m::numeric, 1)::float,
           l.agreement_number, l.agreement_date, l.valid_from, l.valid_to, l.geometry_source,
           {GEOMETRY_SQL.format(g='l.geom')}
    FROM boundaries_boundaryline l
    WHERE {_line_filter(prefix, params)} AND (%(level)s::int IS NULL OR l.level = %(level)s)
      AND ({'TRUE' if as_of is None else in_force_sql('l')})
    ORDER BY l.level, l.left_code, l.right_code, l.valid_from NULLS FIRST LIMIT %(cap)s"""
    return _fetch(sql, params, LINE_FIELDS, "border line versions")


def marker_rows(prefix: str | None, level: int | None, as_of: date | None) -> list[dict]:
    """Markers with their state in force on ``as_of`` (today), on the lines selected."""
    params: dict = {"level": level, "as_of": as_of or today()}
    sql = f"""
    SELECT m.id, m.number, m.type, s.status, s.material, s.installed, s.valid_from,
           s.valid_to, (SELECT string_agg(l2.name, ';' ORDER BY l2.name)
                        FROM boundaries_boundarymarker_lines ml2
                        JOIN boundaries_boundaryline l2 ON l2.id = ml2.boundaryline_id
                        WHERE ml2.boundarymarker_id = m.id),
           CASE WHEN m.synthetic THEN 'true' ELSE 'false' END, m.retired_on,
           {GEOMETRY_SQL.format(g='s.position')}
    FROM boundaries_boundarymarker m
    JOIN boundaries_markerstate s ON s.marker_id = m.id AND {in_force_sql('s')}
    WHERE EXISTS (SELECT 1 FROM boundaries_boundarymarker_lines ml
                  JOIN boundaries_boundaryline l ON l.id = ml.boundaryline_id
                  WHERE ml.boundarymarker_id = m.id AND {_line_filter(prefix, params)}
                    AND (%(level)s::int IS NULL OR l.level = %(level)s))
    ORDER BY m.number, m.id LIMIT %(cap)s"""
    return _fetch(sql, params, MARKER_FIELDS, "markers")


EXPORTS = {
    "divisions": (division_rows, DIVISION_FIELDS),
    "boundaries": (line_rows, LINE_FIELDS),
    "markers": (marker_rows, MARKER_FIELDS),
}


def export_file(name: str, fmt: str, prefix: str | None, level: int | None,
                as_of: date | None) -> bytes:
    rows_of, fields = EXPORTS[name]
    return export.write(export.checked_format(fmt), rows_of(prefix, level, as_of), fields, name)
