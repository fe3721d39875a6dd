"""URL patterns for events; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework import views_events

urlpatterns = [
    path("veranstaltungen/", views_events.event_list, name="event_list"),
    path("veranstaltungen/neu/", views_events.event_create, name="event_create"),
    path("veranstaltungen/<int:pk>/", views_events.event_detail, name="event_detail"),
    path("veranstaltungen/<int:pk>/bearbeiten/", views_events.event_edit, name="event_edit"),
    path("veranstaltungen/<int:pk>/loeschen/", views_events.event_delete, name="event_delete"),
]
