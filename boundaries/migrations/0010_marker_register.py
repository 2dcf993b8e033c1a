"""Markers: a number unique per line (not nationwide), restored and relocated states,
the source of a state and the synthetic flag of demo markers."""

from django.conf import settings
from django.db import migrations, models

# A number is unique among the markers in service on each line. The number is the marker's,
# the line the link table's, so no unique index can hold it: both tables' triggers check,
# after taking a per-line lock so that two writers at once cannot both find it free.
NUMBER_PER_LINE = """
CREATE OR REPLACE FUNCTION boundaries_marker_number_clash(p_marker bigint, p_line bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    clash record;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('boundaries-marker-line:' || p_line, 0));
    SELECT o.id, o.number, l.name INTO clash
    FROM boundaries_boundarymarker m
    JOIN boundaries_boundarymarker_lines ol ON ol.boundaryline_id = p_line
    JOIN boundaries_boundarymarker o ON o.id = ol.boundarymarker_id
    JOIN boundaries_boundaryline l ON l.id = p_line
    WHERE m.id = p_marker AND m.retired_on IS NULL AND o.retired_on IS NULL
      AND o.number = m.number AND o.id <> m.id
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'marker_number_unique_per_line: % (line %) already has a marker % '
            'in service (marker %)', clash.name, p_line, clash.number, clash.id
            USING ERRCODE = '23505';
    END IF;
END $$;

CREATE OR REPLACE FUNCTION boundaries_marker_link_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM boundaries_marker_number_clash(NEW.boundarymarker_id, NEW.boundaryline_id);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION boundaries_marker_number() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    link record;
BEGIN
    FOR link IN SELECT boundaryline_id FROM boundaries_boundarymarker_lines
                WHERE boundarymarker_id = NEW.id ORDER BY boundaryline_id LOOP
        PERFORM boundaries_marker_number_clash(NEW.id, link.boundaryline_id);
    END LOOP;
    RETURN NULL;
END $$;

CREATE TRIGGER boundaries_marker_number_per_line
AFTER INSERT OR UPDATE ON boundaries_boundarymarker_lines
FOR EACH ROW EXECUTE FUNCTION boundaries_marker_link_number();

CREATE TRIGGER boundaries_marker_number_per_line
AFTER UPDATE OF number, retired_on ON boundaries_boundarymarker
FOR EACH ROW EXECUTE FUNCTION boundaries_marker_number();
"""

DROP_NUMBER_PER_LINE = """
DROP TRIGGER IF EXISTS boundaries_marker_number_per_line ON boundaries_boundarymarker;
DROP TRIGGER IF EXISTS boundaries_marker_number_per_line ON boundaries_boundarymarker_lines;
DROP FUNCTION IF EXISTS boundaries_marker_number();
DROP FUNCTION IF EXISTS boundaries_marker_link_number();
DROP FUNCTION IF EXISTS boundaries_marker_number_clash(bigint, bigint);
"""


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0009_actors'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='boundarymarker',
            name='marker_number_unique_current',
        ),
        migrations.AddField(
            model_name='boundarymarker',
            name='synthetic',
            field=models.BooleanField(db_default=False, default=False),
        ),
        migrations.AddField(
            model_name='markerstate',
            name='source',
            field=models.CharField(blank=True, db_default='', default='', max_length=200),
        ),
        migrations.AlterField(
            model_name='markerstate',
            name='status',
            field=models.CharField(choices=[
                ('intact', '完好'), ('damaged', '损坏'), ('missing', '丢失'), ('displaced', '移位'),
                ('newly_set', '新设'), ('restored', '恢复'), ('relocated', '迁移')], max_length=10),
        ),
        migrations.AddConstraint(
            model_name='boundarymarker',
            constraint=models.CheckConstraint(
                condition=models.Q(('type__in', ['single', 'paired', 'triple'])),
                name='marker_type'),
        ),
        migrations.AddConstraint(
            model_name='markerstate',
            constraint=models.CheckConstraint(
                condition=models.Q(('status__in', [
                    'intact', 'damaged', 'missing', 'displaced', 'newly_set', 'restored',
                    'relocated'])),
                name='marker_state_status'),
        ),
        migrations.RunSQL(NUMBER_PER_LINE, DROP_NUMBER_PER_LINE),
    ]
