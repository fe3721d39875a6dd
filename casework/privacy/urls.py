from django.urls import path  # noqa: F401

# Each part of the data-protection feature adds its own lines (erasure, information export, the DPO page).
urlpatterns = []
