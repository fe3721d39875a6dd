"""URL patterns for quality; included by casework/urls.py under the casework namespace."""

urlpatterns = []
