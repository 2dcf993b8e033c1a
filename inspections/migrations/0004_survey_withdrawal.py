"""A side may withdraw its confirmed survey or replace it by a new one until the inspection
is accepted: the upload records who withdrew it, when and why, and its replacement.

Surveys are never deleted: the database refuses to delete a confirmed upload or its
features, to unconfirm it, to change what it was, or to rewrite its withdrawal
(triggers inspections_surveyupload_kept and inspections_surveyfeature_kept).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

KEPT = """
CREATE OR REPLACE FUNCTION inspections_surveyupload_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.confirmed THEN
            RAISE EXCEPTION 'inspections_surveyupload: upload % was confirmed and is kept: '
                'DELETE refused (withdraw or replace it)', OLD.id USING ERRCODE = '23001';
        END IF;
        RETURN OLD;
    END IF;
    IF (OLD.confirmed AND (NEW.confirmed, NEW.confirmed_at, NEW.confirmed_by_id,
                           NEW.inspection_id, NEW.side, NEW.file_name, NEW.findings,
                           NEW.feature_count)
            IS DISTINCT FROM (OLD.confirmed, OLD.confirmed_at, OLD.confirmed_by_id,
                              OLD.inspection_id, OLD.side, OLD.file_name, OLD.findings,
                              OLD.feature_count))
       OR (OLD.withdrawn_at IS NOT NULL
           AND (NEW.withdrawn_at, NEW.withdrawn_by_id, NEW.withdrawal_reason, NEW.replaced_by_id)
               IS DISTINCT FROM (OLD.withdrawn_at, OLD.withdrawn_by_id, OLD.withdrawal_reason,
                                 OLD.replaced_by_id)) THEN
        RAISE EXCEPTION 'inspections_surveyupload: upload % is kept as it was confirmed and '
            'withdrawn: UPDATE refused', OLD.id USING ERRCODE = '23001';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER inspections_surveyupload_kept BEFORE UPDATE OR DELETE
ON inspections_surveyupload FOR EACH ROW EXECUTE FUNCTION inspections_surveyupload_kept();

CREATE OR REPLACE FUNCTION inspections_surveyfeature_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM inspections_surveyupload u
               WHERE u.id = OLD.upload_id AND u.confirmed) THEN
        RAISE EXCEPTION 'inspections_surveyfeature: upload % was confirmed and is kept: '
            '% of feature % refused', OLD.upload_id, TG_OP, OLD.id USING ERRCODE = '23001';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;
CREATE TRIGGER inspections_surveyfeature_kept BEFORE UPDATE OR DELETE
ON inspections_surveyfeature FOR EACH ROW EXECUTE FUNCTION inspections_surveyfeature_kept();
"""

DROP = """
DROP TRIGGER IF EXISTS inspections_surveyfeature_kept ON inspections_surveyfeature;
DROP FUNCTION IF EXISTS inspections_surveyfeature_kept();
DROP TRIGGER IF EXISTS inspections_surveyupload_kept ON inspections_surveyupload;
DROP FUNCTION IF EXISTS inspections_surveyupload_kept();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('inspections', '0003_actors_required'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='surveyupload',
            name='replaced_by',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='replaces', to='inspections.surveyupload'),
        ),
        migrations.AddField(
            model_name='surveyupload',
            name='withdrawal_reason',
            field=models.TextField(blank=True, default=''),
        ),
        migrations.AddField(
            model_name='surveyupload',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='surveyupload',
            name='withdrawn_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddConstraint(
            model_name='surveyupload',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('withdrawn_at__isnull', True), ('withdrawn_by__isnull', True)), models.Q(('withdrawn_at__isnull', False), ('withdrawn_by__isnull', False)), _connector='OR'), name='upload_withdrawal_whole'),
        ),
        migrations.AddConstraint(
            model_name='surveyupload',
            constraint=models.CheckConstraint(condition=models.Q(('replaced_by__isnull', True), models.Q(('confirmed', True), ('withdrawn_at__isnull', False), models.Q(('replaced_by', models.F('id')), _negated=True)), _connector='OR'), name='upload_replaced_when_withdrawn'),
        ),
        migrations.RunSQL(KEPT, DROP),
    ]
