# MarkerStatus.HISTORICAL: the state of a marker whose line a division change ended.

from django.db import migrations, models

STATUSES = ["intact", "damaged", "missing", "displaced", "newly_set", "restored", "relocated",
            "historical"]


class Migration(migrations.Migration):

    dependencies = [
        ('boundaries', '0010_marker_register'),
    ]

    operations = [
        migrations.AlterField(
            model_name='markerstate',
            name='status',
            field=models.CharField(choices=[
                ('intact', '完好'), ('damaged', '损坏'), ('missing', '丢失'), ('displaced', '移位'),
                ('newly_set', '新设'), ('restored', '恢复'), ('relocated', '迁移'),
                ('historical', '历史')], max_length=10),
        ),
        migrations.RemoveConstraint(model_name='markerstate', name='marker_state_status'),
        migrations.AddConstraint(
            model_name='markerstate',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', STATUSES)),
                                              name='marker_state_status'),
        ),
    ]
