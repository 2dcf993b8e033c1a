# The app's first migration: the scenario and change-proposal tables follow it.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = []
