"""Triages are history: append-only in the database, like every table in
ops.roles.HISTORY_MODELS (the function history_append_only is ops 0001's)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0001_campaigns"),
        ("ops", "0001_history_append_only"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE TRIGGER campaigns_triage_append_only BEFORE UPDATE OR DELETE ON "
            "campaigns_triage FOR EACH ROW EXECUTE FUNCTION history_append_only();",
            "DROP TRIGGER IF EXISTS campaigns_triage_append_only ON campaigns_triage;"),
    ]
