"""The database refuses a division version whose parent is not one level up and
valid across the child's whole period, and refuses ending or deleting a parent
version that still has children relying on it.

Statement-level triggers with transition tables keep the check set-based, so a
COPY of the whole country costs one hash join, not 600k lookups.
"""

from django.db import migrations

CHECK_FUNCTION = """
-- Transition tables carry no statistics: without the SET the planner may pick
-- a nested loop over 600k rows and run for hours.
CREATE OR REPLACE FUNCTION boundaries_parent_violation() RETURNS trigger
LANGUAGE plpgsql SET enable_nestloop = off AS $$
DECLARE
    bad record;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        -- the written rows as children
        WITH spans AS (
            SELECT p.code, p.level, range_agg(daterange(p.valid_from, p.valid_to)) AS span
            FROM boundaries_divisionversion p
            WHERE p.code IN (SELECT DISTINCT parent_code FROM new_rows)
            GROUP BY p.code, p.level
        )
        SELECT c.code, c.name, c.parent_code INTO bad
        FROM new_rows c LEFT JOIN spans s ON s.code = c.parent_code AND s.level = c.level - 1
        WHERE c.parent_code IS NOT NULL
          AND (s.code IS NULL OR NOT s.span @> daterange(c.valid_from, c.valid_to))
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'division % (%): parent % is not one level up and valid across its period',
                bad.code, bad.name, bad.parent_code USING ERRCODE = '23503';
        END IF;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        -- children of the changed or removed rows must still be covered
        WITH spans AS (
            SELECT p.code, p.level, range_agg(daterange(p.valid_from, p.valid_to)) AS span
            FROM boundaries_divisionversion p
            WHERE p.code IN (SELECT code FROM old_rows)
            GROUP BY p.code, p.level
        )
        SELECT c.code, c.name, c.parent_code INTO bad
        FROM boundaries_divisionversion c
        LEFT JOIN spans s ON s.code = c.parent_code AND s.level = c.level - 1
        WHERE c.parent_code IN (SELECT code FROM old_rows)
          AND c.level - 1 IN (SELECT level FROM old_rows)
          AND (s.code IS NULL OR NOT s.span @> daterange(c.valid_from, c.valid_to))
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'division % (%) would lose its parent % for part of its period',
                bad.code, bad.name, bad.parent_code USING ERRCODE = '23503';
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER division_parent_insert AFTER INSERT ON boundaries_divisionversion
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION boundaries_parent_violation();
CREATE TRIGGER division_parent_update AFTER UPDATE ON boundaries_divisionversion
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION boundaries_parent_violation();
CREATE TRIGGER division_parent_delete AFTER DELETE ON boundaries_divisionversion
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION boundaries_parent_violation();
"""

DROP = """
DROP TRIGGER IF EXISTS division_parent_insert ON boundaries_divisionversion;
DROP TRIGGER IF EXISTS division_parent_update ON boundaries_divisionversion;
DROP TRIGGER IF EXISTS division_parent_delete ON boundaries_divisionversion;
DROP FUNCTION IF EXISTS boundaries_parent_violation();
"""


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0002_divisions")]
    operations = [migrations.RunSQL(CHECK_FUNCTION, DROP)]
