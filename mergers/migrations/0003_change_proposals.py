"""Division change proposals and their transitions; the transitions are append-only
(trigger mergers_append_only), whoever writes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION mergers_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % of row % refused (record a new row)',
        TG_TABLE_NAME, TG_OP, OLD.id USING ERRCODE = '23001';
END $$;
CREATE TRIGGER mergers_changetransition_append_only
BEFORE UPDATE OR DELETE ON mergers_changetransition
FOR EACH ROW EXECUTE FUNCTION mergers_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS mergers_changetransition_append_only ON mergers_changetransition;
DROP FUNCTION IF EXISTS mergers_append_only();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('mergers', '0002_scenarios'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DivisionChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('kind', models.CharField(choices=[('merge', '合并/撤并'), ('split', '析置'), ('transfer', '隶属变更'), ('rename', '更名'), ('kind_change', '类别变更'), ('establish_street', '增设街道'), ('boundary', '边界调整')], max_length=20)),
                ('subkind', models.CharField(blank=True, default='', max_length=40)),
                ('description', models.TextField(blank=True, default='')),
                ('operations', models.JSONField(default=list)),
                ('effective_date', models.DateField()),
                ('approval_document', models.CharField(blank=True, default='', max_length=200)),
                ('approving_authority', models.CharField(blank=True, default='', max_length=200)),
                ('recode_villages', models.BooleanField(default=True)),
                ('state', models.CharField(choices=[('draft', '草案'), ('approved', '已批准'), ('executed', '已实施'), ('withdrawn', '已撤回')], default='draft', max_length=20)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('executed_at', models.DateTimeField(blank=True, null=True)),
                ('result', models.JSONField(blank=True, default=dict)),
                ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
        migrations.CreateModel(
            name='ChangeTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=30)),
                ('from_state', models.CharField(max_length=20)),
                ('to_state', models.CharField(max_length=20)),
                ('note', models.TextField(blank=True, default='')),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('change', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transitions', to='mergers.divisionchange')),
            ],
        ),
        migrations.AddConstraint(
            model_name='divisionchange',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'approved', 'executed', 'withdrawn'])), name='division_change_state'),
        ),
        migrations.AddConstraint(
            model_name='divisionchange',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('state__in', ['approved', 'executed']), _negated=True), models.Q(models.Q(('approval_document', ''), _negated=True), models.Q(('approving_authority', ''), _negated=True)), _connector='OR'), name='division_change_approved_has_document'),
        ),
        migrations.AddIndex(
            model_name='changetransition',
            index=models.Index(fields=['change', 'at'], name='change_transition_idx'),
        ),
        migrations.RunSQL(APPEND_ONLY, DROP),
    ]
