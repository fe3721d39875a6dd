"""Every list taken out as CSV (German Excel) or XLSX: exactly the filtered rows the person may see."""

from django.urls import path

from casework.exports import views

urlpatterns = [
    path(
        "beratungen/export/<str:fmt>/",
        views.list_export,
        {"list_name": "consultations"},
        name="consultation_export",
    ),
    path(
        "organisationen/export/<str:fmt>/",
        views.list_export,
        {"list_name": "organisations"},
        name="organisation_export",
    ),
    path("prozesse/export/<str:fmt>/", views.list_export, {"list_name": "cases"}, name="case_export"),
    path(
        "wiedervorlagen/export/<str:fmt>/",
        views.list_export,
        {"list_name": "follow_ups_mine"},
        name="follow_up_export",
    ),
    path(
        "wiedervorlagen/fachstellen/export/<str:fmt>/",
        views.list_export,
        {"list_name": "follow_ups_units"},
        name="follow_up_unit_export",
    ),
    path("veranstaltungen/export/<str:fmt>/", views.list_export, {"list_name": "events"}, name="event_export"),
]
