"""The app's database role cannot rewrite history: no UPDATE, DELETE or TRUNCATE on the
history tables, no switching triggers off, no session_replication_role; the database
closes a marker state itself when the next one begins."""

from pathlib import Path

import psycopg2
import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from psycopg2 import errors, sql

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def granted(app_role_granted):
    return app_role_granted


@pytest.fixture
def app(granted):
    """A connection to the test database as the app role, rolled back afterwards."""
    db = connection.settings_dict
    password_file = ROOT / ".local" / "db_app_password"
    conn = psycopg2.connect(host=db["HOST"] or None, port=db["PORT"] or None,
                            dbname=db["NAME"], user=settings.DATABASE_APP_ROLE,
                            password=password_file.read_text().strip()
                            if password_file.exists() else None)
    yield conn
    conn.rollback()
    conn.close()


def refused(conn, statement) -> bool:
    """Whether the statement is refused for want of privilege (the transaction goes on)."""
    with conn.cursor() as cur:
        cur.execute("SAVEPOINT s")
        try:
            cur.execute(statement)
        except errors.InsufficientPrivilege:
            cur.execute("ROLLBACK TO SAVEPOINT s")
            return True
        cur.execute("ROLLBACK TO SAVEPOINT s")
        return False


HISTORY = ["boundaries_divisionevent", "boundaries_divisionevent_input",
           "boundaries_markerstate", "gazetteer_namingevent", "gazetteer_placename",
           "proposals_transition", "proposals_vote", "proposals_expertopinion",
           "proposals_comment", "inspections_inspectiontransition", "inspections_hazardchange"]


def test_it_covers_every_history_table(granted):
    assert set(HISTORY) <= set(granted["history"])


@pytest.mark.parametrize("table", HISTORY)
def test_it_refuses_the_app_role_any_rewrite_of_history(app, table):
    t = sql.Identifier(table)
    assert refused(app, sql.SQL("UPDATE {} SET id = id").format(t))
    assert refused(app, sql.SQL("DELETE FROM {}").format(t))
    assert refused(app, sql.SQL("TRUNCATE {}").format(t))
    assert refused(app, sql.SQL("ALTER TABLE {} DISABLE TRIGGER ALL").format(t))


@pytest.mark.parametrize("table", HISTORY)
def test_it_lets_the_app_role_read_and_append_history(app, table):
    with app.cursor() as cur:
        cur.execute("SELECT has_table_privilege(current_user, %s, 'SELECT'), "
                    "has_table_privilege(current_user, %s, 'INSERT')", [table, table])
        assert cur.fetchone() == (True, True)


def test_it_lets_the_app_role_rekey_former_names_and_nothing_else(app):
    """Search keys of former names are derived (manage.py rekey_search), not the record."""
    assert not refused(app, "UPDATE gazetteer_placename SET pinyin = pinyin, "
                            "initials = initials, grams = grams WHERE false")
    assert refused(app, "UPDATE gazetteer_placename SET name = name WHERE false")
    assert refused(app, "UPDATE gazetteer_placename SET valid_to = valid_to WHERE false")


def test_it_refuses_the_app_role_session_replication_role(app):
    assert refused(app, "SET session_replication_role = replica")


def test_it_lets_the_app_role_edit_ordinary_records(app):
    assert not refused(app, "UPDATE boundaries_divisionversion SET name = name WHERE false")
    assert refused(app, "TRUNCATE boundaries_divisionversion")


def test_it_closes_the_state_in_force_when_the_app_appends_the_next(app):
    with app.cursor() as cur:
        cur.execute("INSERT INTO boundaries_boundarymarker (number, type, created_at) "
                    "VALUES ('测试01', 'single', now()) RETURNING id")
        marker = cur.fetchone()[0]
        for day in ("2010-05-01", "2021-06-01"):
            cur.execute("""INSERT INTO boundaries_markerstate (marker_id, position, status,
                               material, valid_from, note, actor_id, recorded_at)
                           VALUES (%s, ST_SetSRID(ST_MakePoint(104.8, 26.6), 4490), 'intact',
                                   '', %s, '', (SELECT id FROM auth_user
                                                WHERE username = 'system'), now())""",
                        [marker, day])
        cur.execute("SELECT valid_from::text, valid_to::text FROM boundaries_markerstate "
                    "WHERE marker_id = %s ORDER BY valid_from", [marker])
        assert cur.fetchall() == [("2010-05-01", "2021-06-01"), ("2021-06-01", None)]


@pytest.mark.as_owner
def test_it_refuses_even_the_owner_an_edit_of_a_state(db):
    with connection.cursor() as cur:
        cur.execute("INSERT INTO boundaries_boundarymarker (number, type, created_at) "
                    "VALUES ('测试02', 'single', now()) RETURNING id")
        marker = cur.fetchone()[0]
        cur.execute("""INSERT INTO boundaries_markerstate (marker_id, position, status, material,
                           valid_from, note, actor_id, recorded_at)
                       VALUES (%s, ST_SetSRID(ST_MakePoint(104.8, 26.6), 4490), 'intact', '',
                               '2010-05-01', '', (SELECT id FROM auth_user
                                                  WHERE username = 'system'), now())
                       RETURNING id""", [marker])
        state = cur.fetchone()[0]
        with pytest.raises(Exception, match="append-only"):
            cur.execute("UPDATE boundaries_markerstate SET note = 'rewritten' WHERE id = %s",
                        [state])


@pytest.mark.as_owner
def test_it_refuses_a_rewrite_of_any_guarded_table_with_the_registrys_message(db):
    # a history table without valid_to (as proposal transitions, votes, triage)
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE guarded (id int, note text)")
        cur.execute("CREATE TRIGGER guarded_append_only BEFORE UPDATE OR DELETE ON guarded "
                    "FOR EACH ROW EXECUTE FUNCTION history_append_only()")
        cur.execute("INSERT INTO guarded VALUES (7, 'as recorded')")
        for statement in ("UPDATE guarded SET note = 'rewritten'", "DELETE FROM guarded"):
            with pytest.raises(IntegrityError, match="guarded is append-only: .* row 7"), \
                    transaction.atomic():
                cur.execute(statement)
        cur.execute("SELECT note FROM guarded")
        assert cur.fetchall() == [("as recorded",)]
