"""Permission-matrix rows for follow_ups (see tests/matrix/__init__.py)."""

ROWS = {}
