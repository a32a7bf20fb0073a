"""Authors read and close problem reports (candidates create them; nobody deletes them)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Authors"
CODENAMES = ("view_problemreport", "change_problemreport")


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure the new model's exist now.
    app_config = apps.get_app_config("questions")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="questions", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="questions", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [("questions", "0003_problem_report")]

    operations = [migrations.RunPython(grant, revoke)]
