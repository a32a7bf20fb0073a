from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.functional import cached_property

from .roles import AUTHORS_GROUP


class User(AbstractUser):
    """The site's user. Custom from the first migration so that it can grow without pain."""

    @cached_property
    def is_author(self) -> bool:
        return self.is_staff or self.groups.filter(name=AUTHORS_GROUP).exists()


class Profile(models.Model):
    """What a candidate tells us about themselves that changes how they sit exams."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    extra_time_minutes = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(240)],
        help_text="Extra time added to every timed exam, e.g. 30 for the 'ESL +30' accommodation.",
    )

    def __str__(self) -> str:
        return f"Profile of {self.user}"


class Session(AbstractBaseSession):
    """A signed-in browser's session (accounts/sessions.py): Django's session row with the
    signed-in user's id as a column, so that every request reads its session and its user in
    one statement, and deleting a user ends their sessions."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "accounts_session"
