from django.urls import include, path

from . import views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("profile/", views.profile, name="profile"),
]

# Django's own login, logout, password change and reset views, under their standard names.
auth_urlpatterns = [path("", include("django.contrib.auth.urls"))]
