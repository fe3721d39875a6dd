"""URL patterns for cases; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.cases import views

urlpatterns = [
    path("prozesse/", views.case_list, name="case_list"),
    path("prozesse/neu/", views.case_create, name="case_create"),
    path("prozesse/<int:pk>/", views.case_detail, name="case_detail"),
    path("prozesse/<int:pk>/bearbeiten/", views.case_edit, name="case_edit"),
    path("prozesse/<int:pk>/abschliessen/", views.case_close, name="case_close"),
    path("prozesse/<int:pk>/wieder-oeffnen/", views.case_reopen, name="case_reopen"),
]
