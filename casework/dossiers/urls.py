"""Printable dossiers of an organisation and of a consultation: print view and PDF download."""

from django.urls import path

from casework.dossiers import views

urlpatterns = [
    path("organisationen/<int:pk>/dossier/", views.organisation_dossier, name="organisation_dossier"),
    path("organisationen/<int:pk>/dossier.pdf", views.organisation_dossier_pdf, name="organisation_dossier_pdf"),
    path("beratungen/<int:pk>/dossier/", views.consultation_dossier, name="consultation_dossier"),
    path("beratungen/<int:pk>/dossier.pdf", views.consultation_dossier_pdf, name="consultation_dossier_pdf"),
]
