"""Permission-matrix rows for the global search (see tests/matrix/__init__.py).

The page is open to every member; what it finds is scoped per kind (tests/casework/search/test_search_leaks.py).
"""

from tests.matrix import EVERYONE

ROWS = {
    "casework:search": (None, {"-": EVERYONE}),
}
