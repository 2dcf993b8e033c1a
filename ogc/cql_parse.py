"""CQL2 text and JSON parsed by pygeofilter, with the CQL2 1.0 forms its grammar lacks.

pygeofilter 0.4's cql2-text grammar writes temporal predicates infix (a T_AFTER b) and
has no S_DWITHIN nor date intervals; CQL2 writes them as functions. Its grammar is
extended here (lark ``%extend``) rather than copied, and its transformer reused.
"""

from datetime import date
from pathlib import Path

import pygeofilter.parsers.cql2_text.parser as text_parser
from lark import Lark, v_args
from pygeofilter import ast, values
from pygeofilter.cql2 import TEMPORAL_PREDICATES_MAP
from pygeofilter.parsers.cql2_json import parse as parse_json_ast
from pygeofilter.parsers.cql2_json.parser import walk_cql_json

TEMPORAL = ["T_AFTER", "T_BEFORE", "T_CONTAINS", "T_DISJOINT", "T_DURING", "T_EQUALS",
            "T_FINISHEDBY", "T_FINISHES", "T_INTERSECTS", "T_MEETS", "T_METBY",
            "T_OVERLAPPEDBY", "T_OVERLAPS", "T_STARTEDBY", "T_STARTS"]
EXTENSION = """
%extend predicate: TEMPORAL_FUNC "(" expression "," expression ")" -> temporal_call
    | "S_DWITHIN"i "(" expression "," expression "," full_number "," attribute ")" -> dwithin
    | "S_DWITHIN"i "(" expression "," expression "," full_number ")" -> dwithin
%extend literal: "INTERVAL"i "(" SINGLE_QUOTED "," SINGLE_QUOTED ")" -> text_interval
TEMPORAL_FUNC.3: /(""" + "|".join(TEMPORAL) + """)(?=\\s*\\()/i
"""
UNITS = {"meters": 1.0, "metres": 1.0, "m": 1.0, "kilometers": 1000.0, "km": 1000.0}


def _instant(text: str):
    text = text[1:-1] if text.startswith("'") else text
    return None if text in ("..", "") else date.fromisoformat(text[:10])


@v_args(meta=False, inline=True)
class Transformer(text_parser.CQLTransformer):
    def temporal_call(self, name, lhs, rhs):
        op = "t_" + str(name).lower().removeprefix("t_")
        op = {"t_starts": "t_begins", "t_startedby": "t_begunby", "t_finishes": "t_ends",
              "t_finishedby": "t_endedby"}.get(op, op)
        if op in ("t_disjoint", "t_intersects"):  # pygeofilter maps t_intersects to overlaps
            disjoint = ast.TimeDisjoint(lhs, rhs)
            return disjoint if op == "t_disjoint" else ast.Not(disjoint)
        return TEMPORAL_PREDICATES_MAP[op](lhs, rhs)

    def dwithin(self, lhs, rhs, distance, units=None):
        unit = units.name.lower() if units is not None else "meters"
        if unit not in UNITS:
            raise ValueError(f"S_DWITHIN: unit {unit!r}, expected meters or kilometers")
        return ast.DistanceWithin(lhs, rhs, float(distance) * UNITS[unit], "meters")

    def text_interval(self, start, end):
        return values.Interval(_instant(start), _instant(end))


_grammar = Path(text_parser.__file__).with_name("grammar.lark")
PARSER = Lark(_grammar.read_text() + EXTENSION, parser="lalr", maybe_placeholders=False,
              transformer=Transformer(), source_path=str(_grammar),
              import_paths=[str(_grammar.parent.parent)])


def parse_text(text: str):
    return PARSER.parse(text)


def _pre_walk(node):
    """CQL2-JSON's s_dwithin and date intervals, which pygeofilter's walker does not read,
    turned into AST nodes (the walker passes nodes through untouched)."""
    if isinstance(node, list):
        return [_pre_walk(n) for n in node]
    if not isinstance(node, dict):
        return node
    if node.get("op") == "s_dwithin":
        args = node.get("args") or []
        if len(args) not in (3, 4) or not isinstance(args[2], int | float):
            raise ValueError("s_dwithin: expected [geometry, geometry, distance(, units)]")
        unit = (args[3] if len(args) == 4 else "meters").lower()
        if unit not in UNITS:
            raise ValueError(f"s_dwithin: unit {unit!r}, expected meters or kilometers")
        lhs, rhs = (walk_cql_json(_pre_walk(a)) for a in args[:2])
        return ast.DistanceWithin(lhs, rhs, float(args[2]) * UNITS[unit], "meters")
    if "interval" in node and isinstance(node["interval"], list):
        return values.Interval(*(_instant(v) if isinstance(v, str) else v
                                 for v in node["interval"]))
    if node.get("op") in ("t_disjoint", "t_intersects"):
        lhs, rhs = (walk_cql_json(_pre_walk(a)) for a in node.get("args", [])[:2])
        disjoint = ast.TimeDisjoint(lhs, rhs)
        return disjoint if node["op"] == "t_disjoint" else ast.Not(disjoint)
    return {k: _pre_walk(v) for k, v in node.items()}


def parse_json(body):
    return parse_json_ast(_pre_walk(body))
