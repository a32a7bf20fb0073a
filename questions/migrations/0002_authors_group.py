"""The "Authors" group: may write, version and review questions, but not administer the site.

Its permissions are listed once, in questions/permissions.py (applied again after every migrate).
"""

from django.db import migrations

from accounts.roles import AUTHORS_GROUP
from questions.permissions import authors_group_sync


def create_group(apps, schema_editor):
    authors_group_sync(apps)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=AUTHORS_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
