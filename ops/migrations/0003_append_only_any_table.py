"""history_append_only() read OLD.valid_to to let a marker state be closed; on a history
table without that column (proposal transitions, votes, triage…) PL/pgSQL then failed with
"record old has no field valid_to" before reaching the registry's own refusal. The column
is now read through to_jsonb, so every guarded table gets the same message and error code.
"""

from django.db import migrations

BODY = """
CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'boundaries_markerstate'
       AND to_jsonb(OLD) ->> 'valid_to' IS NULL AND to_jsonb(NEW) ->> 'valid_to' IS NOT NULL
       AND to_jsonb(NEW) - 'valid_to' = to_jsonb(OLD) - 'valid_to' THEN
        RETURN NEW;  -- closing the state in force, as the next state begins
    END IF;
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'gazetteer_placename'
       AND to_jsonb(NEW) - 'pinyin' - 'initials' - 'grams'
           = to_jsonb(OLD) - 'pinyin' - 'initials' - 'grams' THEN
        RETURN NEW;  -- search keys re-derived from the recorded name
    END IF;
    RAISE EXCEPTION '% is append-only: % of row % refused (record a new row)',
        TG_TABLE_NAME, TG_OP, to_jsonb(OLD) ->> 'id' USING ERRCODE = '23001';
END $$;
"""


class Migration(migrations.Migration):

    dependencies = [("ops", "0002_placename_search_keys")]

    operations = [migrations.RunSQL(BODY, migrations.RunSQL.noop)]
