from django.db import migrations

# A whole-prefecture scenario's metrics are some 200 kB of JSON (every unit's villages,
# lines and findings): with the default pglz, compressing them on save took 5–7 ms of a
# 50 ms scenario; lz4 takes about a quarter of that (PostgreSQL 14+, built with lz4).
# Rows already stored keep their compression until they are rewritten.


class Migration(migrations.Migration):

    dependencies = [
        ("mergers", "0004_change_scenario"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE mergers_scenario ALTER COLUMN metrics SET COMPRESSION lz4",
            "ALTER TABLE mergers_scenario ALTER COLUMN metrics SET COMPRESSION pglz",
        ),
    ]
