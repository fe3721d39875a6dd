"""Permission-matrix rows for dashboard (see tests/matrix/__init__.py)."""

ROWS = {}
