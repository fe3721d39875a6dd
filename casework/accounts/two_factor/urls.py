"""URLs of the second factor, in the namespace "two_factor" (config/urls.py); passkeys: `passkeys.urlpatterns`."""

from django.urls import path

from casework.accounts.two_factor import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("pruefen/", views.verify, name="verify"),
    path("pruefen/backup-code/", views.verify_backup, name="verify_backup"),
    path("app/", views.totp_enrol, name="totp_enrol"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("<slug:kind>/<int:pk>/entfernen/", views.device_remove, name="device_remove"),
]
