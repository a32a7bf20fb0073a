from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from questions import selectors, services
from questions.formats import PARSERS
from questions.rules import STATUSES

BY_EXTENSION = {
    ".yaml": "native",
    ".yml": "native",
    ".gift": "gift",
    ".xml": "moodlexml",
    ".csv": "csv",
    ".txt": "aiken",
}


class Command(BaseCommand):
    help = (
        "Import questions from FILE (native YAML, GIFT, Moodle XML, Aiken or CSV) in one transaction: "
        "all or nothing. "
        "Every problem is printed as file:line [id]: message. Importing the same file twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=sorted(PARSERS), help="default: from the file's extension")
        parser.add_argument("--guide", help="exam guide code (default: the only guide loaded)")
        parser.add_argument(
            "--sub-domain",
            dest="default_sub_domain",
            help="task statement for questions whose file names none, e.g. 3.2",
        )
        parser.add_argument(
            "--status",
            choices=list(STATUSES),
            help="default: the file's, else as now, else draft",
        )
        parser.add_argument(
            "--skip-unsupported",
            action="store_true",
            help="leave out questions of unsupported types (GIFT, Moodle XML)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--user", help="username recorded as the author of the new versions")

    # The options passed to the import service as they are, under its names.
    SERVICE_OPTIONS = ("default_sub_domain", "skip_unsupported", "status", "dry_run")

    def handle(self, *args, file, format=None, guide=None, user=None, **options):
        path = Path(file)
        format = format or BY_EXTENSION.get(path.suffix.lower())
        if format is None:
            raise CommandError(f"{file}: cannot tell the format from the extension; give --format")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError as exc:
            raise CommandError(f"{file}: no such file") from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc.reason}); nothing was imported") from exc
        exam_guide = selectors.guide_for_import(guide)
        if exam_guide is None:
            raise CommandError(
                f"no exam guide {guide!r}" if guide else "several guides are loaded: give --guide"
            )
        author = None
        if user:
            author = User.objects.filter(username=user).first()
            if author is None:
                raise CommandError(f"no user {user!r}")
        options = {name: options[name] for name in self.SERVICE_OPTIONS}
        try:
            report = services.questions_import_text(
                text=text, filename=file, format=format, guide=exam_guide, user=author, **options
            )
        except services.ImportInvalid as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(str(exc)) from exc
        for line in [*report.skipped, *report.notices]:
            self.stdout.write(str(line))
        prefix = "Checked (nothing written): " if report.dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{file}: {report.summary()}"))
