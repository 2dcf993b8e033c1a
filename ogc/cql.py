"""A CQL2 filter (text or JSON) turned into parameterised SQL over a collection's fields.

pygeofilter parses (ogc.cql_parse); this visitor writes the SQL. Only the SQL of the
collection's declared fields and of fixed operators is written into the statement:
every value the client gave is a bound parameter. Spatial predicates read the geometry
index (&&, ST_Intersects…); S_DWITHIN is a box on the index, then the distance in metres
on the spheroid.
"""

import json
from datetime import date, datetime
from functools import lru_cache

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from pygeofilter import ast, values

from boundaries.codes import parse_code
from config.errors import BadRequest

from . import collections as cols
from .cql_parse import parse_json, parse_text
from .crs import STORAGE_SRID, RefSystem
from .errors import OGCError

GEOMETRY = ("geometry", "geom")
VALIDITY = "validity"  # the validity period [valid_from, valid_to) as one interval
COMPARISONS = {ast.Equal: "=", ast.NotEqual: "<>", ast.LessThan: "<", ast.LessEqual: "<=",
               ast.GreaterThan: ">", ast.GreaterEqual: ">="}
SPATIAL = {ast.GeometryIntersects: "ST_Intersects", ast.GeometryWithin: "ST_Within",
           ast.GeometryContains: "ST_Contains", ast.GeometryEquals: "ST_Equals",
           ast.GeometryTouches: "ST_Touches", ast.GeometryCrosses: "ST_Crosses",
           ast.GeometryOverlaps: "ST_Overlaps"}
LOW, HIGH = "'-infinity'::date", "'infinity'::date"


def _bad(message: str) -> OGCError:
    return OGCError(400, "InvalidParameterValue", f"filter: {message}")


def _parse(raw: str, lang: str | None):
    lang = lang or "cql2-text"
    try:
        # cql-text: the Part 3 draft's name, which GDAL 3.6 sends; its comparisons are CQL2's
        if lang in ("cql2-text", "cql-text"):
            return parse_text(raw)
        if lang == "cql2-json":
            return parse_json(json.loads(raw))
    except (UnexpectedToken, UnexpectedCharacters, UnexpectedEOF) as exc:
        near = raw[max(exc.column - 1, 0):][:20] if getattr(exc, "column", -1) > 0 else ""
        raise _bad(f"malformed cql2-text at column {getattr(exc, 'column', '?')}"
                   + (f" (near {near!r})" if near else " (unexpected end)")) from None
    except UnexpectedInput as exc:
        raise _bad(f"malformed cql2-text: {exc}") from None
    except json.JSONDecodeError as exc:
        raise _bad(f"malformed cql2-json at character {exc.pos}: {exc.msg}") from None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise _bad(f"malformed {lang}: {exc}") from None
    raise OGCError(400, "InvalidParameterValue",
                   f"filter-lang {lang!r}: expected cql2-text or cql2-json")


class Writer:
    def __init__(self, collection: cols.Collection, ref: RefSystem):
        self.c, self.ref, self.params = collection, ref, {}

    def bind(self, value) -> str:
        name = f"cql{len(self.params)}"
        self.params[name] = value
        return f"%({name})s"

    def field(self, node) -> cols.Field:
        if not isinstance(node, ast.Attribute):
            raise _bad(f"expected a property, found {node!r}; see queryables")
        found = self.c.field(node.name)
        if found is None:
            raise _bad(f"unknown property {node.name!r} in {self.c.id}; see "
                       f"/ogc/collections/{self.c.id}/queryables")
        return found

    def value(self, f: cols.Field, raw):
        """The literal checked against the property's type and bound."""
        if f.format == "date":
            if isinstance(raw, datetime):
                raw = raw.date()
            elif isinstance(raw, str):
                try:
                    raw = date.fromisoformat(raw)
                except ValueError:
                    raise _bad(f"{f.name}: {raw!r} is not a date") from None
            if not isinstance(raw, date):
                raise _bad(f"{f.name}: expected a date, found {raw!r}")
        elif f.type in ("integer", "number"):
            if isinstance(raw, bool) or not isinstance(raw, int | float):
                raise _bad(f"{f.name}: expected a number, found {raw!r}")
        elif not isinstance(raw, str):
            raise _bad(f"{f.name}: expected a string, found {raw!r}")
        if f.match is not None:  # a division code: 6, 9 or 12 digits, stored as 12
            try:
                raw = parse_code(raw)[0]
            except BadRequest as exc:
                raise _bad(f"{f.name}: {exc}") from None
        return self.bind(raw)

    def geometry(self, node) -> str:
        if not isinstance(node, values.Geometry):
            raise _bad(f"expected a geometry literal, found {node!r}")
        geom = f"ST_SetSRID(ST_GeomFromGeoJSON({self.bind(json.dumps(node.geometry))}), " \
               f"{int(self.ref.srid)})"
        if self.ref.north_first:  # literals come in filter-crs's axis order
            geom = f"ST_FlipCoordinates({geom})"
        if self.ref.srid != STORAGE_SRID:
            geom = f"ST_Transform({geom}, {STORAGE_SRID})"
        return geom

    def write(self, node) -> str:  # noqa: C901 - one branch per CQL2 operator
        if isinstance(node, ast.And | ast.Or):
            op = " AND " if isinstance(node, ast.And) else " OR "
            return f"({self.write(node.lhs)}{op}{self.write(node.rhs)})"
        if isinstance(node, ast.Not):
            return f"NOT ({self.write(node.sub_node)})"
        if isinstance(node, ast.Include):  # INCLUDE / EXCLUDE
            return "FALSE" if node.not_ else "TRUE"
        if type(node) in COMPARISONS:
            return self.comparison(node)
        if isinstance(node, ast.Like):
            f = self.plain(node.lhs, "LIKE")
            if not isinstance(node.pattern, str) or f.type != "string":
                raise _bad(f"LIKE on {f.name}: expected a string property and pattern")
            return f"{'NOT ' if node.not_ else ''}{f.sql} LIKE {self.bind(node.pattern)}"
        if isinstance(node, ast.In):
            return self.in_(node)
        if isinstance(node, ast.Between):
            f = self.plain(node.lhs, "BETWEEN")
            return (f"{f.sql} {'NOT ' if node.not_ else ''}BETWEEN {self.value(f, node.low)} "
                    f"AND {self.value(f, node.high)}")
        if isinstance(node, ast.IsNull):
            f = self.plain(node.lhs, "IS NULL")
            return f"{f.sql} IS {'NOT ' if node.not_ else ''}NULL"
        if type(node) in SPATIAL or isinstance(node, ast.GeometryDisjoint | ast.DistanceWithin):
            return self.spatial(node)
        if isinstance(node, ast.TemporalPredicate):
            return self.temporal(node)
        raise _bad(f"{type(node).__name__} is not supported; see /ogc/conformance")

    def plain(self, node, op: str) -> cols.Field:
        f = self.field(node)
        if f.match is not None:
            raise _bad(f"{f.name} is compared with = or IN only, not {op}")
        return f

    def comparison(self, node) -> str:
        lhs, rhs, op = node.lhs, node.rhs, COMPARISONS[type(node)]
        if not isinstance(lhs, ast.Attribute) and isinstance(rhs, ast.Attribute):
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}
            lhs, rhs, op = rhs, lhs, flipped.get(op, op)
        f = self.field(lhs)
        if f.match is not None:
            if op != "=":
                raise _bad(f"{f.name} is compared with = or IN only")
            return f.match.format(value=self.value(f, rhs))
        return f"{f.sql} {op} {self.value(f, rhs)}"

    def in_(self, node) -> str:
        f = self.field(node.lhs)
        items = ", ".join(self.value(f, v) for v in node.sub_nodes)
        if f.match is not None:
            found = "(" + " OR ".join(f.match.format(value=self.value(f, v))
                                      for v in node.sub_nodes) + ")"
            return f"NOT {found}" if node.not_ else found
        return f"{f.sql} {'NOT ' if node.not_ else ''}IN ({items})"

    def spatial(self, node) -> str:
        if not (isinstance(node.lhs, ast.Attribute) and node.lhs.name in GEOMETRY):
            node.lhs, node.rhs = node.rhs, node.lhs
        if not (isinstance(node.lhs, ast.Attribute) and node.lhs.name in GEOMETRY):
            raise _bad(f"{type(node).__name__}: one argument must be the property geometry")
        geom = self.geometry(node.rhs)
        if isinstance(node, ast.GeometryDisjoint):
            return f"NOT ST_Intersects(t.geom, {geom})"
        if isinstance(node, ast.DistanceWithin):
            metres = self.bind(float(node.distance))
            # An index box first: 1° of longitude is ≥ 55.6 km below 60°N (all of China).
            return (f"(t.geom && ST_Expand({geom}, {metres} / 55000.0) AND "
                    f"ST_DWithin(t.geom::geography, ({geom})::geography, {metres}))")
        return f"{SPATIAL[type(node)]}(t.geom, {geom})"

    def period(self, node) -> tuple[str, str]:
        """(start, end) SQL of a temporal argument: validity, a date property or a literal."""
        if isinstance(node, ast.Attribute):
            if node.name == VALIDITY:
                return f"COALESCE(t.valid_from, {LOW})", f"COALESCE(t.valid_to, {HIGH})"
            f = self.field(node)
            if f.format != "date":
                raise _bad(f"{f.name} is not a date; temporal predicates take validity, "
                           "valid_from, valid_to or another date property")
            return f.sql, f.sql
        if isinstance(node, values.Interval):
            return tuple(self._instant(v, edge) for v, edge in ((node.start, LOW),
                                                               (node.end, HIGH)))
        instant = self._instant(node, None)
        return instant, instant

    def _instant(self, value, open_edge: str | None) -> str:
        if value is None and open_edge:
            return open_edge
        if isinstance(value, datetime):
            value = value.date()
        if not isinstance(value, date):
            raise _bad(f"expected a date, an interval or a date property, found {value!r}")
        return self.bind(value)

    def temporal(self, node) -> str:
        (s1, e1), (s2, e2) = self.period(node.lhs), self.period(node.rhs)
        rules = {
            ast.TimeAfter: f"{s1} > {e2}", ast.TimeBefore: f"{e1} < {s2}",
            ast.TimeDisjoint: f"({e1} < {s2} OR {s1} > {e2})",
            ast.TimeDuring: f"({s1} > {s2} AND {e1} < {e2})",
            ast.TimeContains: f"({s1} < {s2} AND {e1} > {e2})",
            ast.TimeEquals: f"({s1} = {s2} AND {e1} = {e2})",
            ast.TimeMeets: f"{e1} = {s2}", ast.TimeMetBy: f"{s1} = {e2}",
            ast.TimeOverlaps: f"({s1} < {s2} AND {e1} > {s2} AND {e1} < {e2})",
            ast.TimeOverlappedBy: f"({s1} > {s2} AND {s1} < {e2} AND {e1} > {e2})",
            ast.TimeBegins: f"({s1} = {s2} AND {e1} < {e2})",
            ast.TimeBegunBy: f"({s1} = {s2} AND {e1} > {e2})",
            ast.TimeEnds: f"({s1} > {s2} AND {e1} = {e2})",
            ast.TimeEndedBy: f"({s1} < {s2} AND {e1} = {e2})",
        }
        if type(node) not in rules:
            raise _bad(f"{type(node).__name__} is not supported")
        return rules[type(node)]


def to_sql(raw: str, lang: str | None, ref: RefSystem, c: cols.Collection) -> tuple[str, dict]:
    """(the SQL condition, its parameters) of a filter on collection c."""
    if len(raw) > 20_000:
        raise _bad("longer than 20000 characters")
    sql, params = _written(raw, lang, ref, c)
    return sql, dict(params)  # a copy: the cached one is shared


@lru_cache(maxsize=256)
def _written(raw: str, lang: str | None, ref: RefSystem, c: cols.Collection):
    # Parsing with lark costs more than the statement of a small filtered page; clients page
    # through one filter, so each worker writes a filter's SQL once. A malformed filter
    # raises and is not cached.
    writer = Writer(c, ref)
    return writer.write(_parse(raw, lang)), writer.params
