"""URLs of the access log viewer (administrators)."""

from django.urls import path

from casework.audit import views

urlpatterns = [
    path("verwaltung/zugriffsprotokoll/", views.access_log, name="access_log"),
]
