from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from exams.services import blueprints
from exams.services.blueprints import blueprint_sync
from questions.services import BankInvalid, bank_files_digest, bank_load, bank_load_record, bank_unchanged


class Command(BaseCommand):
    help = (
        "Load the question bank (guides, questions, blueprints) in one transaction: all or nothing. "
        "Loading unchanged files changes nothing; a bank whose files, loader and tables are as the "
        "last load left them is skipped without being read (--force reads it anyway)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="bank folder (default: QUESTION_BANK_DIR)")
        parser.add_argument("--force", action="store_true", help="load even if the fingerprint is unchanged")

    def handle(self, *args, path=None, force=False, **options):
        root = Path(path or settings.QUESTION_BANK_DIR)
        # The blueprints' sync is part of the loader too: a change to it reloads.
        digest = bank_files_digest(root=root, extra_code=(Path(blueprints.__file__),))
        if not force and bank_unchanged(root=root, files_digest=digest):
            self.stdout.write(f"{root}: unchanged since the last load (same files and tables); skipped.")
            return
        try:
            with transaction.atomic():
                report = bank_load(root=root)
                changed = sum(
                    blueprint_sync(guide=g, specs=s.blueprints)
                    for g, s in zip(report.guides, report.specs, strict=True)
                )
                bank_load_record(root=root, files_digest=digest)
        except BankInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{exc}; nothing was loaded") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{root}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged; "
                f"{report.guide_changes} guide record(s) and {changed} blueprint(s) changed"
            )
        )
