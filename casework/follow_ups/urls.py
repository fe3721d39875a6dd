"""URL patterns for follow_ups; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.follow_ups import views

urlpatterns = [
    path("wiedervorlagen/", views.follow_up_list, name="follow_up_list"),
    path("wiedervorlagen/fachstellen/", views.follow_up_unit_list, name="follow_up_unit_list"),
    path("wiedervorlagen/<int:pk>/erledigt/", views.follow_up_done, name="follow_up_done"),
    path("wiedervorlagen/<int:pk>/wieder-oeffnen/", views.follow_up_reopen, name="follow_up_reopen"),
    path("wiedervorlagen/<int:pk>/bearbeiten/", views.follow_up_edit, name="follow_up_edit"),
    path("wiedervorlagen/<int:pk>/verschieben/", views.follow_up_postpone, name="follow_up_postpone"),
    path("beratungen/<int:pk>/wiedervorlage-neu/", views.follow_up_add_consultation, name="follow_up_add_consultation"),
    path("prozesse/<int:pk>/wiedervorlage-neu/", views.follow_up_add_case, name="follow_up_add_case"),
    path("wiedervorlagen/kalender-abo/", views.calendar_feed_settings, name="calendar_feed_settings"),
    path("kalender/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
