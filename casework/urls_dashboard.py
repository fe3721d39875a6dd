"""URL patterns for dashboard; included by casework/urls.py under the casework namespace."""

urlpatterns = []
