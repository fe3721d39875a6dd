"""Models of the Lots*innen figures (imported by casework/models.py)."""

from django.db import models  # noqa: F401
