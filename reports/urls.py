from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("vorschau/", views.report_preview, name="report_preview"),
    path("erzeugen/", views.report_create, name="report_create"),
    path("ziele/", views.targets, name="targets"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/<str:fmt>/", views.report_download, name="report_download"),
]
