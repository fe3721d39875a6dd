"""URLs of the search feature."""

from django.urls import path

from casework.search import views

urlpatterns = [
    path("suche/", views.search_results, name="search"),
]
