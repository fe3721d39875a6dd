"""URL patterns for dashboard; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework import views_dashboard

urlpatterns = [
    path("dashboard/", views_dashboard.dashboard, name="dashboard"),
]
