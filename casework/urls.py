from django.urls import path

from casework import urls_cases, urls_dashboard, urls_events, urls_follow_ups, urls_quality, views

app_name = "casework"
urlpatterns = [
    path("", views.home, name="home"),
    path("beratungen/", views.consultation_list, name="consultation_list"),
    path("beratungen/neu/", views.consultation_create, name="consultation_create"),
    path("beratungen/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("beratungen/<int:pk>/bearbeiten/", views.consultation_edit, name="consultation_edit"),
    path("beratungen/<int:pk>/loeschen/", views.consultation_delete, name="consultation_delete"),
    *urls_cases.urlpatterns,
    *urls_quality.urlpatterns,
    *urls_follow_ups.urlpatterns,
    *urls_events.urlpatterns,
    *urls_dashboard.urlpatterns,
]
