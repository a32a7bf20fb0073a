from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns
from config.views import healthz
from questions.views import exhibit, home

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include(auth_urlpatterns)),
    path("", include("exams.urls")),
    path("questions/", include("questions.urls")),
    path("admin/", admin.site.urls),
    # Exhibits from the local storage (a bucket serves its own: docs/authoring.md, "Exhibits").
    path("media/exhibits/<str:name>", exhibit, name="exhibit"),
    path("healthz", healthz, name="healthz"),
]

# A lost database raised outside a view is a 503 too (config/middleware.py).
handler500 = "config.middleware.server_error"
# A body Django cannot read is a 4xx that says why, in JSON for the exam script.
handler400 = "config.views.bad_request"
