"""URL patterns for dashboard; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
]
