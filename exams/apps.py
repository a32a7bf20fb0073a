from django.apps import AppConfig
from django.db.backends.signals import connection_created

from . import sql


class ExamsConfig(AppConfig):
    name = "exams"
    verbose_name = "Exams"

    def ready(self):
        connection_created.connect(sql.sqlite_parameter_limit, dispatch_uid="exams.sqlite_parameter_limit")
