# Merger scenarios: a planner's operations for a county or prefecture and their computed metrics.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):


    dependencies = [
        ('mergers', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Scenario',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('scope_code', models.CharField(max_length=12)),
                ('scope_level', models.PositiveSmallIntegerField()),
                ('as_of', models.DateField()),
                ('operations', models.JSONField(default=list)),
                ('metrics', models.JSONField(blank=True, null=True)),
                ('computed_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='merger_scenarios', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('scope_level__in', [2, 3])), name='scenario_scope_county_or_prefecture'), models.CheckConstraint(condition=models.Q(('scope_code__regex', '^[0-9]{12}$')), name='scenario_scope_code_12')],
            },
        ),
    ]
