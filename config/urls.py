from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from casework.accounts.forms import LoginForm
from casework.accounts.people import password_reset
from config.health import healthz

urlpatterns = [
    path("", include("casework.urls")),
    path("organisationen/", include("organisations.urls")),
    path("berichte/", include("reports.urls")),
    path(
        "anmelden/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's views keep the session valid after the change (update_session_auth_hash); they check the
    # old password directly, not through authenticate(), so django-axes counts no failures here.
    path("passwort/aendern/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("passwort/geaendert/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    *password_reset.urlpatterns,
    path("konto/zweiter-faktor/", include(("casework.accounts.two_factor.urls", "two_factor"))),
    path("konto/passkeys/", include(("casework.accounts.two_factor.passkeys", "otp_webauthn"))),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
