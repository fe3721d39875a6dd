"""URL patterns for consultations; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.consultations import views

urlpatterns = [
    path("beratungen/", views.consultation_list, name="consultation_list"),
    path("beratungen/neu/", views.consultation_create, name="consultation_create"),
    path("beratungen/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("beratungen/<int:pk>/bearbeiten/", views.consultation_edit, name="consultation_edit"),
    path("beratungen/<int:pk>/ich-berate-mit/", views.consultation_join, name="consultation_join"),
    path("beratungen/<int:pk>/loeschen/", views.consultation_delete, name="consultation_delete"),
]
