from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from questions.models import ExamGuide
from questions.rules import DIFFICULTIES, QUESTION_TYPES
from questions.selectors import bank_coverage

# Every type and difficulty, from the one definition of each (a new type is a new column).
COLUMNS = ("total", *QUESTION_TYPES, *DIFFICULTIES)
HEADINGS = ("total", *(label.lower() for label in QUESTION_TYPES.values()), *DIFFICULTIES)


class Command(BaseCommand):
    help = "Print the published bank's coverage per domain and task statement as Markdown tables."

    def add_arguments(self, parser):
        parser.add_argument("--guide", help="one exam guide's code (default: every loaded guide)")

    def handle(self, *args, guide, **options):
        guides = ExamGuide.objects.filter(code=guide) if guide else ExamGuide.objects.all()
        if not guides:
            raise CommandError(
                f"No exam guide {guide!r} is loaded; run load_bank first."
                if guide
                else "No exam guide is loaded."
            )
        self.stdout.write("\n\n".join(self.table(g) for g in guides))

    def table(self, exam_guide: ExamGuide) -> str:
        rows = bank_coverage(guide=exam_guide)
        out = [
            f"Published questions in {exam_guide.code} by task statement",
            "",
            "| task statement | " + " | ".join(HEADINGS) + " |",
            "|---|" + "---:|" * len(COLUMNS),
        ]
        domains: dict[int, dict] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
        for row in rows:
            out.append(
                f"| {row['code']} {row['title']} | " + " | ".join(str(row.get(c, 0)) for c in COLUMNS) + " |"
            )
            for c in COLUMNS:
                domains[row["domain"]][c] += row.get(c, 0)
        total = dict.fromkeys(COLUMNS, 0)
        for number, sums in sorted(domains.items()):
            out.append(f"| **Domain {number}** | " + " | ".join(f"**{sums[c]}**" for c in COLUMNS) + " |")
            for c in COLUMNS:
                total[c] += sums[c]
        out.append("| **All** | " + " | ".join(f"**{total[c]}**" for c in COLUMNS) + " |")
        count = max(1, total["total"])
        arranged = total.get("ordering", 0) + total.get("matching", 0)
        out += [
            "",
            f"Multiple response: {100 * total['multiple'] / count:.0f}% of {total['total']}; "
            f"ordering or matching: {100 * arranged / count:.0f}%; "
            f"case studies: {exam_guide.case_studies.count()}.",
        ]
        return "\n".join(out)
