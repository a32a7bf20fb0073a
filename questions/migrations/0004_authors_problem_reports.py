"""Authors read and close problem reports (candidates create them; nobody deletes them).

The group's permissions are listed once, in questions/permissions.py.
"""

from django.db import migrations

from questions.permissions import authors_group_sync


def grant(apps, schema_editor):
    authors_group_sync(apps)


class Migration(migrations.Migration):
    dependencies = [("questions", "0003_problem_report")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
