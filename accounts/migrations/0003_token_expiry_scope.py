"""Tokens expire and have a scope. Existing tokens expire a year after they were made
(the default lifetime) and keep writing (read-write, what every token could do before)."""

from django.db import migrations, models
from django.db.models import Q


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_apitoken"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunSQL(
            "UPDATE proposals_apitoken SET expires_at = created_at + interval '1 year' "
            "WHERE expires_at IS NULL",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "read only (GET, HEAD, OPTIONS)"),
                         ("read-write", "read and write")],
                default="read-write", max_length=10),
        ),
        migrations.AddConstraint(
            model_name="apitoken",
            constraint=models.CheckConstraint(condition=Q(scope__in=["read", "read-write"]),
                                              name="apitoken_scope"),
        ),
    ]
