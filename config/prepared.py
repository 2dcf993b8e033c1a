"""Server-side prepared statements, prepared once per database connection.

A large statement can cost more to plan than to run (a code lookup's recursive query, the
merger measures); prepared, it is planned once per connection, and connections persist
(CONN_MAX_AGE). After five executions PostgreSQL keeps a generic plan when it costs no
more than the custom ones, and the planning is no longer paid at all.

Statements are written with Django's named parameters (``%(name)s``) and declared with the
type of each; prepared statements outlive a rolled-back transaction, so a set of names per
physical connection (its backend pid) is enough to know what is prepared.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str
    # (parameter name, SQL type), in the order they are numbered ($1, $2 …)
    params: tuple[tuple[str, str], ...]
    # Always the generic plan: for a statement whose generic plan PostgreSQL would cost
    # above its custom plans (an array parameter counts 100 elements, a custom plan the
    # two given), and so plan again on every execution.
    generic: bool = False

    def prepare_sql(self) -> str:
        sql = self.sql
        for i, (param, _) in enumerate(self.params, 1):
            sql = sql.replace(f"%({param})s", f"${i}")
        if "%(" in sql:
            raise ValueError(f"{self.name}: a parameter of the statement is not declared")
        types = ", ".join(t for _, t in self.params)
        return f"PREPARE {self.name} ({types}) AS {sql}"

    def execute_sql(self) -> str:
        # Cast each value: psycopg2 sends [None] as ARRAY[NULL], a text[] that a float8[]
        # parameter would refuse without it.
        sql = f"EXECUTE {self.name} ({', '.join(f'%s::{t}' for _, t in self.params)})"
        # Sent with the EXECUTE as one query, outside a transaction the two run in one
        # implicit transaction, and the setting ends with it.
        return f"SET LOCAL plan_cache_mode = force_generic_plan; {sql}" if self.generic else sql


def execute(connection, cursor, statement: Statement, values: dict) -> None:
    """EXECUTE ``statement`` with ``values`` (by parameter name) on ``cursor``, a cursor of
    ``connection`` (a Django connection), preparing it first on a connection that has not
    prepared it; the rows are left on the cursor."""
    connection.ensure_connection()
    key = (id(connection.connection), connection.connection.get_backend_pid())
    known = getattr(connection, "_prepared_statements", None)
    if known is None or known[0] != key:
        known = connection._prepared_statements = (key, set())
    if statement.name not in known[1]:
        cursor.execute(statement.prepare_sql())
        known[1].add(statement.name)
    cursor.execute(statement.execute_sql(), [values[p] for p, _ in statement.params])
    if statement.generic and connection.in_atomic_block:
        # In a transaction the setting would hold to its end (psycopg2 has the rows already)
        with connection.cursor() as other:
            other.execute("SET LOCAL plan_cache_mode TO DEFAULT")
