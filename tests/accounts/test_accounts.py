import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from accounts.models import AUTHORS_GROUP, Profile, User
from questions.permissions import AUTHOR_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_user_with_a_profile_and_logs_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "username": "newbie",
            "email": "n@example.com",
            "password1": "a-long-pass-phrase",
            "password2": "a-long-pass-phrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="newbie")
    assert Profile.objects.get(user=user).extra_time_minutes == 0
    assert client.get(reverse("home")).context["user"] == user


def test_sign_up_with_mismatched_passwords_changes_nothing(client):
    response = client.post(
        reverse("accounts:signup"),
        {"username": "newbie", "password1": "a-long-pass-phrase", "password2": "another-pass-phrase"},
    )
    assert response.status_code == 200
    assert "password fields didn" in response.content.decode().replace("’", "'")
    assert not User.objects.filter(username="newbie").exists()


def test_log_in_and_out(client, candidate):
    response = client.post(reverse("login"), {"username": candidate.username, "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_profile_sets_extra_time(client_a, candidate):
    response = client_a.post(reverse("accounts:profile"), {"extra_time_minutes": 30})
    assert response.status_code == 302
    assert Profile.objects.get(user=candidate).extra_time_minutes == 30


def test_profile_refuses_absurd_extra_time(client_a, candidate):
    response = client_a.post(reverse("accounts:profile"), {"extra_time_minutes": 100000})
    assert response.status_code == 200
    assert Profile.objects.get(user=candidate).extra_time_minutes == 0


def test_password_change(client_a, candidate):
    response = client_a.post(
        reverse("password_change"),
        {
            "old_password": "pass-word-123",
            "new_password1": "fresh-pass-phrase-9",
            "new_password2": "fresh-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password("fresh-pass-phrase-9")


def test_password_reset_sends_a_working_link(client, candidate):
    client.post(reverse("password_reset"), {"email": candidate.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # Django redirects to the set-password form
    response = client.post(
        form_url, {"new_password1": "reset-pass-phrase-7", "new_password2": "reset-pass-phrase-7"}
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.check_password("reset-pass-phrase-7")


def test_authors_group_may_author_questions_but_not_administer():
    group = Group.objects.get(name=AUTHORS_GROUP)
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert {"add_question", "change_question", "add_choice", "view_questionversion"} <= codenames
    assert not any(c.endswith("_user") or c.endswith("_group") for c in codenames)


def test_the_authors_group_holds_exactly_the_one_list_and_migrate_restores_it():
    group = Group.objects.get(name=AUTHORS_GROUP)
    assert set(group.permissions.values_list("codename", flat=True)) == set(AUTHOR_PERMISSIONS)
    group.permissions.clear()
    call_command("migrate", verbosity=0)  # nothing to migrate: post_migrate still applies the list
    assert set(group.permissions.values_list("codename", flat=True)) == set(AUTHOR_PERMISSIONS)
