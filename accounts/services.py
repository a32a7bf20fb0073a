"""Writes for accounts: creating users and keeping their profile."""

from django.db import transaction

from .models import Profile, User


@transaction.atomic
def user_create(*, username: str, password: str | None, email: str = "", **extra) -> User:
    user = User(username=username, email=email, **extra)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    Profile.objects.create(user=user)
    return user


def profile_for(*, user: User) -> Profile:
    """The user's profile, created on first use for users made outside ``user_create``."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def profile_update(*, user: User, extra_time_minutes: int) -> Profile:
    profile = profile_for(user=user)
    profile.extra_time_minutes = extra_time_minutes
    profile.full_clean()
    profile.save(update_fields=["extra_time_minutes"])
    return profile
