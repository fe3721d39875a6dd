"""URL patterns for the Lots*innen figures; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.guides import views

urlpatterns = [
    path("lotsinnen/projekte/<int:pk>/", views.guide_figures, name="guide_figures"),
    path("lotsinnen/projekte/<int:pk>/aktive/neu/", views.guide_count_create, name="guide_count_create"),
    path("lotsinnen/aktive/<int:pk>/bearbeiten/", views.guide_count_edit, name="guide_count_edit"),
    path("lotsinnen/aktive/<int:pk>/loeschen/", views.guide_count_delete, name="guide_count_delete"),
    path("lotsinnen/projekte/<int:pk>/schulungen/neu/", views.guide_training_create, name="guide_training_create"),
    path("lotsinnen/schulungen/<int:pk>/bearbeiten/", views.guide_training_edit, name="guide_training_edit"),
    path("lotsinnen/schulungen/<int:pk>/loeschen/", views.guide_training_delete, name="guide_training_delete"),
]
