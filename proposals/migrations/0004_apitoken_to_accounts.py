"""API tokens moved to the accounts app; the table stays (accounts.ApiToken keeps its name)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0003_pinyin"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
