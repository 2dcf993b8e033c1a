"""Transitions and hazard changes are append-only in the database, whoever writes.

A voided signature or a reopened hazard is a new row; an old row is never edited.
"""

from django.db import migrations

TABLES = ["inspections_inspectiontransition", "inspections_hazardchange"]

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION inspections_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % of row % refused (record a new row)',
        TG_TABLE_NAME, TG_OP, OLD.id USING ERRCODE = '23001';
END $$;
""" + "".join(f"""
CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
FOR EACH ROW EXECUTE FUNCTION inspections_append_only();
""" for table in TABLES)

DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};\n"
               for table in TABLES) + "DROP FUNCTION IF EXISTS inspections_append_only();"


class Migration(migrations.Migration):

    dependencies = [
        ("inspections", "0001_inspections"),
    ]

    operations = [migrations.RunSQL(APPEND_ONLY, DROP)]
