"""The system actor and the roles as Django groups.

The system actor is the user management commands and the demo loader act as: inactive,
without a usable password, so it is never signed in. History rows written before actors
were recorded are attributed to it. The role names are frozen here (accounts.roles.Role).
"""

from django.contrib.auth.hashers import make_password
from django.db import migrations

SYSTEM = "system"
ROLES = ["applicant", "clerk", "expert", "member", "chair", "admin", "planner", "approver"]


def create(apps, schema_editor):
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    User.objects.get_or_create(username=SYSTEM, defaults={
        "is_active": False, "first_name": "registry", "last_name": "system",
        "password": make_password(None)})  # unusable
    for role in ROLES:
        Group.objects.get_or_create(name=role)


def remove(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=["planner", "approver"], user=None).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, remove)]
