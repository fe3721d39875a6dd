"""Permission-matrix rows for events (see tests/matrix/__init__.py)."""

ROWS = {}
