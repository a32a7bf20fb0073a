from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from exams.services.blueprints import blueprint_sync
from questions.services import BankInvalid, bank_load


class Command(BaseCommand):
    help = (
        "Load the question bank (guides, questions, blueprints) in one transaction: all or nothing. "
        "Loading unchanged files changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="bank folder (default: QUESTION_BANK_DIR)")

    def handle(self, *args, path=None, **options):
        root = Path(path or settings.QUESTION_BANK_DIR)
        try:
            with transaction.atomic():
                report = bank_load(root=root)
                blueprints = sum(
                    blueprint_sync(guide=g, specs=s.blueprints)
                    for g, s in zip(report.guides, report.specs, strict=True)
                )
        except BankInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{exc}; nothing was loaded") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{root}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
                f"{report.guide_changes} guide record(s) and {blueprints} blueprint(s) changed"
            )
        )
