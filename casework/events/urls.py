"""URL patterns for events; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.events import views

urlpatterns = [
    path("veranstaltungen/", views.event_list, name="event_list"),
    path("veranstaltungen/neu/", views.event_create, name="event_create"),
    path("veranstaltungen/<int:pk>/", views.event_detail, name="event_detail"),
    path("veranstaltungen/<int:pk>/bearbeiten/", views.event_edit, name="event_edit"),
    path("veranstaltungen/<int:pk>/loeschen/", views.event_delete, name="event_delete"),
]
