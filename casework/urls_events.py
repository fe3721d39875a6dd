"""URL patterns for events; included by casework/urls.py under the casework namespace."""

urlpatterns = []
