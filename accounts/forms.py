from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import Profile, User


class SignUpForm(UserCreationForm):
    class Meta:
        model = User
        fields = ("username", "email")
        help_texts = {"email": "Optional; used only to reset your password."}


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ("extra_time_minutes",)
        labels = {"extra_time_minutes": "Extra time (minutes)"}
