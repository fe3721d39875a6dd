"""URL pattern of the start page; included by casework/urls.py under the casework namespace."""

from django.urls import path

from casework.home import views

urlpatterns = [
    path("", views.home, name="home"),
]
