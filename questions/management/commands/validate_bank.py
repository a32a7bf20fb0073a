from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.bankfile import GUIDE_FILE, read_bank


class Command(BaseCommand):
    help = "Check every question-bank file; print each problem as file:line [id]: message."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="bank folder (default: QUESTION_BANK_DIR)")
        parser.add_argument(
            "--files-only",
            action="store_true",
            help="skip the rules of the bank as a whole (bank_requirements) while a bank is being written",
        )

    def handle(self, *args, path=None, files_only=False, **options):
        root = Path(path or settings.QUESTION_BANK_DIR)
        bank, problems = read_bank(root)
        if files_only:  # the whole-bank rules are reported against guide.yaml with no line
            problems = [p for p in problems if p.line or not p.file.endswith(GUIDE_FILE)]
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {root}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{root}: {len(bank.guides)} guide(s), {len(bank.questions)} questions, no problems"
            )
        )
