"""URLs of the search feature."""

urlpatterns = []
