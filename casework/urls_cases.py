"""URL patterns for cases; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework import views_cases

urlpatterns = [
    path("prozesse/", views_cases.case_list, name="case_list"),
    path("prozesse/neu/", views_cases.case_create, name="case_create"),
    path("prozesse/<int:pk>/", views_cases.case_detail, name="case_detail"),
    path("prozesse/<int:pk>/bearbeiten/", views_cases.case_edit, name="case_edit"),
    path("prozesse/<int:pk>/abschliessen/", views_cases.case_close, name="case_close"),
    path("prozesse/<int:pk>/wieder-oeffnen/", views_cases.case_reopen, name="case_reopen"),
]
