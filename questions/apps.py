from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate

from .permissions import authors_group_sync


def _sync_authors(sender, apps=global_apps, **kwargs):
    # migrate sends the registry it migrated to; a flush sends none (the project's)
    authors_group_sync(apps)


class QuestionsConfig(AppConfig):
    name = "questions"
    verbose_name = "Question bank"

    def ready(self):
        # After every migrate (and a test flush): the Authors group as questions.permissions lists it.
        post_migrate.connect(_sync_authors, sender=self, dispatch_uid="questions.authors_group")
