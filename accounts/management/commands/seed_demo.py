from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.models import AUTHORS_GROUP, User
from accounts.services import user_create

# Development only: these accounts and passwords are printed and written in the README.
DEMO = [
    ("candidate", "candidate-pass", {}),
    ("author", "author-pass", {"is_staff": True}),
    ("admin", "admin-pass", {"is_staff": True, "is_superuser": True}),
]


class Command(BaseCommand):
    help = "Create the demo accounts (candidate, author, admin) for local development. Idempotent."

    def handle(self, *args, **options):
        authors = Group.objects.filter(name=AUTHORS_GROUP).first()
        for username, password, flags in DEMO:
            user = User.objects.filter(username=username).first() or user_create(
                username=username, password=password, email=f"{username}@example.com", **flags
            )
            if username == "author" and authors is not None:
                user.groups.add(authors)
            self.stdout.write(f"  {username:<10} password: {password}")
        self.stdout.write(self.style.WARNING("Demo accounts are for development only."))
