from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from questions.services import author_grant


class Command(BaseCommand):
    help = "Make USERNAME an author: staff (authoring is in the admin) and a member of the Authors group."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user {username!r}")
        author_grant(user=user)
        self.stdout.write(self.style.SUCCESS(f"{username} is an author."))
