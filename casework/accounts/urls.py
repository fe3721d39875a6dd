"""URLs of the accounts feature."""

urlpatterns = []
