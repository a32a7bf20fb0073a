"""What the Authors group may do: listed here once. The migrations that made the group apply it,
and so does every ``migrate`` afterwards (``apps.QuestionsConfig``), so a change to the list
reaches existing databases. No model is imported here: the app config loads this module."""

from django.contrib.auth.management import create_permissions

from accounts.roles import AUTHORS_GROUP

AUTHOR_PERMISSIONS = (
    "add_question", "change_question", "view_question", "delete_question",
    "add_choice", "change_choice", "view_choice", "delete_choice",
    "add_casestudy", "change_casestudy", "view_casestudy", "delete_casestudy",
    "add_exhibit", "change_exhibit", "view_exhibit", "delete_exhibit", "add_tag", "view_tag",
    "view_questionversion", "view_subdomain", "view_domain", "view_examguide",
    "view_problemreport", "change_problemreport",
)  # fmt: skip


def authors_group_sync(apps):
    """The Authors group holding exactly ``AUTHOR_PERMISSIONS`` (those whose models exist yet),
    created if missing. ``apps`` is a migration's historical registry or the project's."""
    config = apps.get_app_config("questions")
    if getattr(config, "models_module", None) is None:
        # A migration's registry: Django creates permissions only after migrate; make them now.
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=AUTHORS_GROUP)
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="questions", codename__in=AUTHOR_PERMISSIONS
    )
    group.permissions.set(permissions)
    return group
