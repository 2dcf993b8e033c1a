"""Division events and marker states record who wrote them (a user, or the system actor
for loaders and the command line); rows written before get the system actor.

The column is added with the system actor's id as its default in one ALTER TABLE, which
fills existing rows without updating them row by row, then the default is dropped: every
new row names its actor (the services require one).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SYSTEM = "system"  # accounts.roles.SYSTEM, created by accounts 0001
TABLES = ["boundaries_divisionevent", "boundaries_markerstate"]


def add_actor_columns(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id FROM auth_user WHERE username = %s", [SYSTEM])
        (system_id,) = cur.fetchone()
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN actor_id integer NOT NULL DEFAULT {int(system_id)} "
            "REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED")
        schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN actor_id DROP DEFAULT")
        schema_editor.execute(f"CREATE INDEX {table}_actor_id_idx ON {table} (actor_id)")


def drop_actor_columns(apps, schema_editor):
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN actor_id")


def actor():
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+",
                             to=settings.AUTH_USER_MODEL)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_system_actor"),
        ("boundaries", "0008_event_draft"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_actor_columns, drop_actor_columns)],
            state_operations=[
                migrations.AddField(model_name="divisionevent", name="actor", field=actor()),
                migrations.AddField(model_name="markerstate", name="actor", field=actor()),
            ],
        ),
    ]
