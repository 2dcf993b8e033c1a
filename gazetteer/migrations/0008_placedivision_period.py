# PlaceDivision periods: a division change ends a reference and starts its successor.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('gazetteer', '0007_heritage_events'),
    ]

    operations = [
        migrations.AddField(
            model_name='placedivision',
            name='valid_from',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='placedivision',
            name='valid_to',
            field=models.DateField(blank=True, null=True),
        ),
    ]
