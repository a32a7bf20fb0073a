from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "What `make run` does before it serves, in one process: migrate, load the bank (skipped "
        "when unchanged) and create the demo accounts. One Django start instead of three is a "
        "third of a warm `make run` (docs/performance.md)."
    )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=options["verbosity"])
        call_command("load_bank", stdout=self.stdout, stderr=self.stderr)
        call_command("seed_demo", stdout=self.stdout)
