"""Naming events are append-only in the database; place classes and naming bans are loaded.

The trigger refuses UPDATE and DELETE row by row, whoever asks (the ORM, raw SQL,
the admin): history is corrected by a new event, never by editing an old one.
Classes and bans come from fixtures/place_classes.json and fixtures/naming_bans.json.
"""

import json
from pathlib import Path

from django.db import migrations

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION gazetteer_namingevent_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'naming events are append-only: % of event % refused (record a new event)',
        TG_OP, OLD.id USING ERRCODE = '23001';
END $$;
CREATE TRIGGER gazetteer_namingevent_append_only
BEFORE UPDATE OR DELETE ON gazetteer_namingevent
FOR EACH ROW EXECUTE FUNCTION gazetteer_namingevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS gazetteer_namingevent_append_only ON gazetteer_namingevent;
DROP FUNCTION IF EXISTS gazetteer_namingevent_append_only();
"""


def load(apps, schema_editor):
    PlaceClass = apps.get_model("gazetteer", "PlaceClass")
    NamingBan = apps.get_model("gazetteer", "NamingBan")
    classes = json.loads((FIXTURES / "place_classes.json").read_text(encoding="utf-8"))
    for row in classes["classes"]:
        PlaceClass.objects.update_or_create(code=row["code"], defaults=row)
    bans = json.loads((FIXTURES / "naming_bans.json").read_text(encoding="utf-8"))
    for row in bans["bans"]:
        NamingBan.objects.update_or_create(pattern=row["pattern"], defaults=row)


class Migration(migrations.Migration):

    dependencies = [
        ("gazetteer", "0001_places"),
    ]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP),
        migrations.RunPython(load, migrations.RunPython.noop),
    ]
