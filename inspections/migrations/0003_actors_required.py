"""Every transition and hazard change names its actor: rows written from the command line
before (actor NULL) get the system actor, and the column becomes NOT NULL.

The tables are append-only (trigger inspections_append_only), so the owner's migration
turns the trigger off for its own backfill, inside this migration's transaction.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SYSTEM = "system"  # accounts.roles.SYSTEM, created by accounts 0001
TABLES = ["inspections_inspectiontransition", "inspections_hazardchange"]


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id FROM auth_user WHERE username = %s", [SYSTEM])
        (system_id,) = cur.fetchone()
        for table in TABLES:
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only")
            cur.execute(f"UPDATE {table} SET actor_id = %s WHERE actor_id IS NULL", [system_id])
            # the deferred foreign-key checks must run before the table is altered again
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only")


def actor():
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                             to=settings.AUTH_USER_MODEL)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_system_actor"),
        ("inspections", "0002_append_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(model_name="inspectiontransition", name="actor", field=actor()),
        migrations.AlterField(model_name="hazardchange", name="actor", field=actor()),
    ]
