from django.urls import path

from reports import narrative_views, views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("vorschau/", views.report_preview, name="report_preview"),
    path("erzeugen/", views.report_create, name="report_create"),
    path("ziele/", views.targets, name="targets"),
    path("texte/", narrative_views.narrative_edit, name="narrative_edit"),
    path("texte/speichern/", narrative_views.narrative_autosave, name="narrative_autosave"),
    path("texte/uebernehmen/", narrative_views.narrative_take_over, name="narrative_take_over"),
    path("titelseite/", narrative_views.title_page_settings, name="title_page_settings"),
    path("titelseite/logos/", narrative_views.logo_upload, name="logo_upload"),
    path("titelseite/logos/<int:pk>/entfernen/", narrative_views.logo_delete, name="logo_delete"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/<str:fmt>/", views.report_download, name="report_download"),
]
