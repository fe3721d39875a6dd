"""URL patterns for cases; included by casework/urls.py under the casework namespace."""

urlpatterns = []
