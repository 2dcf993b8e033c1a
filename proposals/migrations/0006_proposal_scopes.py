"""The scopes a proposal's name is checked in (code prefixes), kept for the clashes with
other open proposals: filled for existing proposals from their declared division."""

import django.contrib.postgres.fields
from django.db import migrations, models

FILL = """
UPDATE proposals_proposal p SET scopes = ARRAY[CASE c.scope
    WHEN 'country' THEN '' WHEN 'city' THEN left(p.division_code, 4)
    WHEN 'county' THEN left(p.division_code, 6) ELSE left(p.division_code, 9) END]
FROM gazetteer_placeclass c WHERE c.id = p.place_class_id AND p.kind <> 'cancellation'
"""


class Migration(migrations.Migration):

    dependencies = [
        ('proposals', '0005_division_code_12'),
    ]

    operations = [
        migrations.AddField(
            model_name='proposal',
            name='scopes',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=12), blank=True, default=list, size=None),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
