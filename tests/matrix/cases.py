"""Permission-matrix rows for cases (see tests/matrix/__init__.py)."""

ROWS = {}
