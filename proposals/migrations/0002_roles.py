"""The workflow's roles as Django groups (proposals.models.Role)."""

from django.db import migrations

ROLES = ["applicant", "clerk", "expert", "member", "chair", "admin"]


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0001_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
