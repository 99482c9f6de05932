from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from escalation.views.health import HealthView, StatusView

admin.site.site_header = "Escalation portal administration"
admin.site.site_title = "Escalation portal"
admin.site.index_title = "Contacts, rotations and escalation paths"

# Under /api/, a JSON error (503 when the database is down); elsewhere the portal's 500 page.
handler500 = "escalation.api_errors.server_error"

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz/", login_not_required(HealthView.as_view()), name="healthz"),
    path("healthz/status/", login_not_required(StatusView.as_view()), name="healthz_status"),
    path("admin/", admin.site.urls),
    path("", include("escalation.urls")),
]

if settings.OIDC_ENABLED:
    from mozilla_django_oidc import views as oidc_views

    urlpatterns += [
        path(
            "oidc/authenticate/",
            login_not_required(oidc_views.OIDCAuthenticationRequestView.as_view()),
            name="oidc_authentication_init",
        ),
        path(
            "oidc/callback/",
            login_not_required(oidc_views.OIDCAuthenticationCallbackView.as_view()),
            name="oidc_authentication_callback",
        ),
    ]
