"""Models of the import feature (imported by casework/models.py)."""

from django.db import models  # noqa: F401


# Saved column mappings (import UI)
