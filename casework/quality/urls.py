"""URL patterns for quality; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.quality import views

urlpatterns = [
    path("qualitaet/katalog/", views.quality_catalogue, name="quality_catalogue"),
    path("qualitaet/katalog/bereiche/neu/", views.quality_area_create, name="quality_area_create"),
    path("qualitaet/katalog/bereiche/<int:pk>/bearbeiten/", views.quality_area_edit, name="quality_area_edit"),
    path("qualitaet/katalog/bereiche/<int:pk>/ausmustern/", views.quality_area_retire, name="quality_area_retire"),
    path(
        "qualitaet/katalog/bereiche/<int:pk>/kriterien/neu/",
        views.quality_criterion_create,
        name="quality_criterion_create",
    ),
    path(
        "qualitaet/katalog/kriterien/<int:pk>/bearbeiten/", views.quality_criterion_edit, name="quality_criterion_edit"
    ),
    path(
        "qualitaet/katalog/kriterien/<int:pk>/ausmustern/",
        views.quality_criterion_retire,
        name="quality_criterion_retire",
    ),
    path("qualitaet/projekte/<int:pk>/", views.quality_profile, name="quality_profile"),
    path("qualitaet/projekte/<int:pk>/standortbestimmung/neu/", views.assessment_create, name="assessment_create"),
    path("qualitaet/standortbestimmungen/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path("qualitaet/standortbestimmungen/<int:pk>/bearbeiten/", views.assessment_edit, name="assessment_edit"),
    path("qualitaet/standortbestimmungen/<int:pk>/loeschen/", views.assessment_delete, name="assessment_delete"),
]
