"""Naming events record who wrote them (a user, or the system actor for loaders and the
command line); events written before get the system actor.

The events are append-only (trigger gazetteer_namingevent_append_only refuses UPDATE), so
the column is added with the system actor's id as its default in one ALTER TABLE, which
fills existing rows without updating any (no row trigger fires), then the default is
dropped: every new event names its actor (the services require one).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SYSTEM = "system"  # accounts.roles.SYSTEM, created by accounts 0001
TABLE = "gazetteer_namingevent"


def add_actor_column(apps, schema_editor):
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id FROM auth_user WHERE username = %s", [SYSTEM])
        (system_id,) = cur.fetchone()
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN actor_id integer NOT NULL DEFAULT {int(system_id)} "
        "REFERENCES auth_user (id) DEFERRABLE INITIALLY DEFERRED")
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN actor_id DROP DEFAULT")
    schema_editor.execute(f"CREATE INDEX {TABLE}_actor_id_idx ON {TABLE} (actor_id)")


def drop_actor_column(apps, schema_editor):
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN actor_id")


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_system_actor"),
        ("gazetteer", "0004_single_geom_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(add_actor_column, drop_actor_column)],
            state_operations=[
                migrations.AddField(
                    model_name="namingevent", name="actor",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                            related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
