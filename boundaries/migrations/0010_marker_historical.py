# MarkerStatus.HISTORICAL: the state of a marker whose line a division change ended.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0009_actors'),
    ]

    operations = [
        migrations.AlterField(
            model_name='markerstate',
            name='status',
            field=models.CharField(choices=[('intact', '完好'), ('damaged', '损坏'), ('missing', '丢失'), ('displaced', '移位'), ('newly_set', '新设'), ('historical', '历史')], max_length=10),
        ),
    ]
