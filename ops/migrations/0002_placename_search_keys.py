"""The search keys of former names and variants (gazetteer_placename: pinyin, initials,
grams) may be recomputed: they are derived from the recorded name by the place-name
reading table, not part of the record. The append-only trigger lets an UPDATE through
when it changes those columns and nothing else; every other rewrite is refused as before.
The app role is granted UPDATE on those columns only (ops.roles.DERIVED_COLUMNS).
"""

from django.db import migrations

BODY = """
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'boundaries_markerstate'
       AND OLD.valid_to IS NULL AND NEW.valid_to IS NOT NULL
       AND to_jsonb(NEW) - 'valid_to' = to_jsonb(OLD) - 'valid_to' THEN
        RETURN NEW;  -- closing the state in force, as the next state begins
    END IF;{extra}
    RAISE EXCEPTION '% is append-only: % of row % refused (record a new row)',
        TG_TABLE_NAME, TG_OP, OLD.id USING ERRCODE = '23001';
END $$;
"""

KEYS = """
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'gazetteer_placename'
       AND to_jsonb(NEW) - 'pinyin' - 'initials' - 'grams'
           = to_jsonb(OLD) - 'pinyin' - 'initials' - 'grams' THEN
        RETURN NEW;  -- search keys re-derived from the recorded name
    END IF;"""


class Migration(migrations.Migration):

    dependencies = [("ops", "0001_history_append_only")]

    operations = [
        migrations.RunSQL(BODY.format(extra=KEYS), BODY.format(extra="")),
    ]
