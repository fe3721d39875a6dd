from django.urls import path

from casework.imports import views

urlpatterns = [
    path("import/", views.import_start, name="import_start"),
    path("import/vorlage/<slug:kind>/", views.import_template, name="import_template"),
    path("import/verlauf/", views.import_history, name="import_history"),
    path("import/verlauf/<int:pk>/rueckgaengig/", views.import_undo, name="import_undo"),
    path("import/<int:pk>/spalten/", views.import_mapping, name="import_mapping"),
    path("import/<int:pk>/spalten/uebernehmen/", views.import_mapping_apply, name="import_mapping_apply"),
    path("import/<int:pk>/werte/", views.import_values, name="import_values"),
    path("import/<int:pk>/probe/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/importieren/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/status/", views.import_status, name="import_status"),
    path("import/<int:pk>/status.json", views.import_progress, name="import_progress"),
]
