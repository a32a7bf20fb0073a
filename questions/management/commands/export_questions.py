from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from questions import selectors
from questions.formats import EXPORTERS, ExportRefused, native
from questions.rules import STATUSES


class Command(BaseCommand):
    help = (
        "Export questions in the native YAML format (default), CSV, GIFT or Moodle XML, to stdout or a "
        "file; "
        "--output-dir writes native files in the bank's layout, one per task statement."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=sorted(EXPORTERS), default="native")
        parser.add_argument("--guide", help="exam guide code (default: every guide)")
        parser.add_argument("--sub-domain", help="only this task statement, e.g. 3.2")
        parser.add_argument("--status", choices=list(STATUSES), help="only this status")
        parser.add_argument("--output", "-o", help="file to write (default: stdout)")
        parser.add_argument("--output-dir", help="native only: write DIR/<guide>/<task statement>.yaml")

    def handle(
        self, *args, format, guide=None, sub_domain=None, status=None, output=None, output_dir=None, **options
    ):
        exam_guide = None
        if guide:
            exam_guide = selectors.guide_for_import(guide)
            if exam_guide is None:
                raise CommandError(f"no exam guide {guide!r}")
        questions = list(
            selectors.questions_for_export(guide=exam_guide, sub_domain=sub_domain, status=status)
        )
        if output_dir:
            if format != "native":
                raise CommandError("--output-dir writes native files only")
            for name, text in native.export_files(questions).items():
                target = Path(output_dir) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(questions)} question(s) written under {output_dir}")
            return
        try:
            text = EXPORTERS[format](questions)
        except ExportRefused as exc:
            raise CommandError(f"nothing was exported: {exc}") from exc
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"{len(questions)} question(s) written to {output}")
        else:
            self.stdout.write(text, ending="")
