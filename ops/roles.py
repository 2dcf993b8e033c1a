"""Least privilege in the database: the app connects as a role that owns nothing.

Two roles besides the administrator who creates them (scripts/ensure_db.sh):
- the owner (``DATABASE_OWNER_ROLE``, registry_owner) owns the database and every table;
  migrations and these grants run as it;
- the app (``DATABASE_APP_ROLE``, registry_app) is what gunicorn, the worker and the
  management commands log in as: SELECT, INSERT, UPDATE, DELETE on ordinary tables, only
  SELECT and INSERT on the history tables below, never TRUNCATE. Not owning a table, it
  cannot disable its triggers; not a superuser, it cannot set session_replication_role.

History is never rewritten: a correction is a new row. Marker states are closed by the
database itself when the next state is inserted (a trigger owned by the owner), so the
app needs no UPDATE there either.
"""

from django.apps import apps
from django.conf import settings
from django.db import connections
from psycopg2 import sql

# The append-only tables: the record of who did what, when.
HISTORY_MODELS = [
    "boundaries.DivisionEvent",      # division changes (and their input/output links)
    "boundaries.MarkerState",        # boundary markers' positions and status
    "gazetteer.NamingEvent",         # naming, renaming, cancellation of places
    "gazetteer.PlaceName",           # former names and variants with their periods
    "gazetteer.SignState",           # place-name signs' states (installed, damaged, removed)
    "proposals.Transition",          # the committee workflow's moves
    "proposals.ExpertOpinion",
    "proposals.Comment",
    "proposals.Vote",
    "inspections.InspectionTransition",
    "inspections.HazardChange",
    "mergers.ChangeTransition",      # division change proposals' moves
    "archives.DocumentVersion",      # archive files: a correction is a new version
    "campaigns.Triage",              # clean-up campaigns: how each finding was triaged
]


def history_tables() -> list[str]:
    """The history models' tables and their many-to-many link tables."""
    out = []
    for label in HISTORY_MODELS:
        model = apps.get_model(label)
        out.append(model._meta.db_table)
        out += [f.remote_field.through._meta.db_table for f in model._meta.local_many_to_many
                if f.remote_field.through._meta.auto_created]
    return out


def app_role() -> str:
    return settings.DATABASE_APP_ROLE


def _public_tables(cur) -> list[str]:
    cur.execute("""
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
        ORDER BY 1""")
    return [row[0] for row in cur.fetchall()]


# Columns of a history table derived from the facts it records, not facts themselves: the
# search keys of former names and variants, recomputed when the place-name reading table
# changes (manage.py rekey_search). The app may UPDATE these columns only, and the
# append-only trigger lets an update through only when nothing else changes.
DERIVED_COLUMNS = {"gazetteer_placename": ["pinyin", "initials", "grams"]}


def grant_statements(role: str, tables: list[str], history: set[str]) -> list[sql.Composed]:
    r = sql.Identifier(role)
    out = [sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r),
           sql.SQL("GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {}").format(r)]
    for table in tables:
        t = sql.Identifier(table)
        out.append(sql.SQL("REVOKE ALL ON {} FROM {}").format(t, r))
        rights = "SELECT, INSERT" if table in history else "SELECT, INSERT, UPDATE, DELETE"
        out.append(sql.SQL(f"GRANT {rights} ON {{}} TO {{}}").format(t, r))
        if table in history and table in DERIVED_COLUMNS:
            columns = sql.SQL(", ").join(map(sql.Identifier, DERIVED_COLUMNS[table]))
            out.append(sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(columns, t, r))
    return out


def role_exists(cur, role: str) -> bool:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cur.fetchone() is not None


def apply_grants(*, using: str = "default", cursor=None) -> dict:
    """(Re)grant the app role its rights on every table; idempotent. Run as the owner
    after each migration (make migrate) — or as a superuser. ``cursor``: on that one."""
    if cursor is None:
        with connections[using].cursor() as cur:
            return apply_grants(cursor=cur)
    role = app_role()
    if not role_exists(cursor, role):
        raise LookupError(f"role {role} does not exist: scripts/ensure_db.sh creates it")
    tables = _public_tables(cursor)
    history = set(history_tables())
    for statement in grant_statements(role, tables, history):
        cursor.execute(statement)
    return {"role": role, "tables": len(tables), "history": sorted(history & set(tables))}
