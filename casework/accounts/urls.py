"""URLs of the accounts feature."""

from django.urls import path

from casework.accounts import views

urlpatterns = [
    path("sitzung/verlaengern/", views.session_keepalive, name="session_keepalive"),
    path("konto/einstellungen/", views.account_settings, name="account_settings"),
]
