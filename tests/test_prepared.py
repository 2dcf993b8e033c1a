"""config.prepared: statements prepared once per connection, run with their generic plan
when asked, and nothing of that left behind in the caller's transaction."""

from datetime import date

import pytest
from django.db import connection, transaction

from config import prepared

pytestmark = pytest.mark.django_db

STATEMENT = prepared.Statement(
    "test_prepared_pairs",
    "SELECT x.a, x.b, %(on)s::date FROM unnest(%(a)s::text[], %(b)s::float8[]) AS x(a, b) "
    "ORDER BY x.a",
    (("a", "text[]"), ("b", "float8[]"), ("on", "date")), generic=True)


def run(values: dict) -> list[tuple]:
    with connection.cursor() as cur:
        prepared.execute(connection, cur, STATEMENT, values)
        return cur.fetchall()


def plans() -> tuple[int, int]:
    with connection.cursor() as cur:
        cur.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                    "WHERE name = %s", [STATEMENT.name])
        return cur.fetchone()


def setting() -> str:
    with connection.cursor() as cur:
        cur.execute("SHOW plan_cache_mode")
        return cur.fetchone()[0]


def test_it_answers_as_the_statement_with_its_named_values():
    on = date(2024, 5, 1)
    assert run({"a": ["y", "x"], "b": [2.5, None], "on": on}) == [("x", None, on),
                                                                    ("y", 2.5, on)]
    # an array of nulls only: a text[] to psycopg2, cast to the declared float8[]
    assert run({"a": ["z"], "b": [None], "on": on}) == [("z", None, on)]


def test_it_prepares_once_per_connection_and_keeps_the_generic_plan():
    values = {"a": ["a"], "b": [1.0], "on": date(2024, 1, 1)}
    run(values)
    before = plans()
    for _ in range(3):
        run(values)
    generic, custom = plans()
    assert (generic - before[0], custom - before[1]) == (3, 0)


def test_it_leaves_the_transactions_plan_cache_mode_as_it_was():
    with transaction.atomic():
        mode = setting()
        run({"a": ["a"], "b": [1.0], "on": date(2024, 1, 1)})
        assert setting() == mode


def test_it_refuses_a_statement_with_an_undeclared_parameter():
    with pytest.raises(ValueError, match="not declared"):
        prepared.Statement("bad", "SELECT %(a)s, %(b)s", (("a", "int"),)).prepare_sql()
