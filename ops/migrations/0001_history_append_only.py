"""Every history table is append-only in the database, whoever writes (the app's role has
no UPDATE or DELETE on them either: ops.roles).

Naming events, inspection transitions and hazard changes had their triggers already
(gazetteer_namingevent_append_only, inspections_append_only); this adds the same to the
committee workflow's transitions, opinions, comments and votes, to division events and
their links, to place names and to marker states. A marker state is closed by the
database when the next one is inserted (boundaries_markerstate_close_previous, run with
the owner's rights): the only change a history row ever sees is that one — its open
valid_to set, nothing else.
"""

from django.db import migrations

TABLES = ["proposals_transition", "proposals_expertopinion", "proposals_comment",
          "proposals_vote", "boundaries_divisionevent", "boundaries_divisionevent_input",
          "boundaries_divisionevent_output", "gazetteer_placename", "boundaries_markerstate"]

FUNCTIONS = """
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'boundaries_markerstate'
       AND OLD.valid_to IS NULL AND NEW.valid_to IS NOT NULL
       AND to_jsonb(NEW) - 'valid_to' = to_jsonb(OLD) - 'valid_to' THEN
        RETURN NEW;  -- closing the state in force, as the next state begins
    END IF;
    RAISE EXCEPTION '% is append-only: % of row % refused (record a new row)',
        TG_TABLE_NAME, TG_OP, OLD.id USING ERRCODE = '23001';
END $$;

CREATE OR REPLACE FUNCTION boundaries_markerstate_close_previous() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    UPDATE boundaries_markerstate SET valid_to = NEW.valid_from
    WHERE marker_id = NEW.marker_id AND valid_to IS NULL AND valid_from < NEW.valid_from;
    RETURN NEW;
END $$;
CREATE TRIGGER boundaries_markerstate_close_previous BEFORE INSERT ON boundaries_markerstate
FOR EACH ROW EXECUTE FUNCTION boundaries_markerstate_close_previous();
""" + "".join(f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION history_append_only();
""" for table in TABLES)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n" for table in TABLES) \
    + """
DROP TRIGGER IF EXISTS boundaries_markerstate_close_previous ON boundaries_markerstate;
DROP FUNCTION IF EXISTS boundaries_markerstate_close_previous();
DROP FUNCTION IF EXISTS history_append_only();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("boundaries", "0008_event_draft"),
        ("gazetteer", "0004_single_geom_index"),
        ("proposals", "0003_pinyin"),
        ("inspections", "0002_append_only"),
    ]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
