"""Permission-matrix rows for quality (see tests/matrix/__init__.py)."""

ROWS = {}
