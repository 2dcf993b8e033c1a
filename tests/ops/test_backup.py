"""A backup restores into a fresh database with the same rows, triggers and grants."""

import psycopg2
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from ops.backup import Server, drop_database

COUNTS = """
SELECT string_agg(format('SELECT %L, count(*) FROM %I', tablename, tablename), ' UNION ALL ')
FROM pg_tables WHERE schemaname = 'public'
"""
TRIGGERS = """
SELECT c.relname, t.tgname, t.tgenabled FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE NOT t.tgisinternal ORDER BY 1, 2
"""
GRANTS = """
SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants
WHERE table_schema = 'public' ORDER BY 1, 2, 3
"""


def facts(cur) -> dict:
    cur.execute(COUNTS)
    cur.execute(cur.fetchone()[0])
    counts = dict(cur.fetchall())
    cur.execute(TRIGGERS)
    triggers = cur.fetchall()
    cur.execute(GRANTS)
    return {"counts": counts, "triggers": triggers, "grants": cur.fetchall()}


@pytest.fixture
def restored_name():
    name = connection.settings_dict["NAME"] + "_restored"
    drop_database(name)
    yield name
    drop_database(name)


@pytest.mark.as_owner
def test_it_restores_a_dump_with_the_same_rows_triggers_and_grants(
        divisions_db, restored_name, tmp_path, db):
    dump = tmp_path / "registry.dump"
    call_command("backup", "--output", str(dump))
    call_command("restore", str(dump), "--database", restored_name)
    with connection.cursor() as cur:
        original = facts(cur)
    server = Server.from_settings()
    conn = psycopg2.connect(host=server.host or None, port=server.port or None,
                            user=server.user or None, dbname=restored_name)
    try:
        with conn.cursor() as cur:
            copy = facts(cur)
            cur.execute("SHOW lc_ctype")
            ctype = cur.fetchone()[0]
    finally:
        conn.close()
    assert original["counts"]["boundaries_divisionversion"] > 0
    assert copy["counts"] == original["counts"]
    assert copy["triggers"] == original["triggers"]
    assert copy["grants"] == original["grants"]
    assert ctype == "C.UTF-8"


def test_it_refuses_to_restore_over_an_existing_database(tmp_path, restored_name, db):
    dump = tmp_path / "registry.dump"
    call_command("backup", "--output", str(dump))
    call_command("restore", str(dump), "--database", restored_name)
    with pytest.raises(CommandError, match="exists"):
        call_command("restore", str(dump), "--database", restored_name)
