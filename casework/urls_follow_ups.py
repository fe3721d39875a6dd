"""URL patterns for follow_ups; included by casework/urls.py under the casework namespace."""

urlpatterns = []
