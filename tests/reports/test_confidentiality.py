"""Consistent suppression for the publication variant, on hand-made tables (no database).

A reader who knows the rules sees: shown numbers, "< 3" (1 or 2), "x" (3 or more; any value, zero
included, where every cell of the table is hidden) and the total. No hidden cell may follow from
that, and no count of 1 or 2 may be shown.
"""

import itertools

import pytest

from reports.confidentiality import exact_figures, follow, is_exact, protect, protect_total, protect_with_total
from reports.document import SMALL, SUPPRESSED

X, S = SUPPRESSED, SMALL


def determined(cells, total):
    """The hidden cells whose value a reader can compute from the shown cells and the total."""
    hidden = [i for i, c in enumerate(cells) if c in (S, X)]
    if not hidden:
        return []
    shown_sum = sum(c for c in cells if c not in (S, X))
    everything_hidden = len(hidden) == len(cells)
    if total == S:
        low_sum, high_sum = 1, 2
    else:
        low_sum = high_sum = total - shown_sum
    bound = max(high_sum, 0)

    def domain(cell):
        if cell == S:
            return 1, 2
        return (0, bound) if everything_hidden else (3, bound)

    found = []
    for i in hidden:
        lo, hi = domain(cells[i])
        others = [domain(cells[j]) for j in hidden if j != i]
        others_lo, others_hi = sum(d[0] for d in others), sum(d[1] for d in others)
        first, last = max(lo, low_sum - others_hi), min(hi, high_sum - others_lo)
        if first == last:
            found.append(i)
    return found


def shows_a_small_count(cells, total):
    return any(isinstance(v, int) and 0 < v < 3 for v in [*cells, total])


@pytest.mark.parametrize(
    ("values", "cells", "total"),
    [
        ([5, 7, 0], [5, 7, 0], 12),
        ([1, 7, 9], [S, X, 9], 17),  # a single hidden cell beside a shown total forces a second one
        ([2, 0, 5], [S, 0, X], 7),
        ([1, 2, 9], [S, S, 9], 12),  # 3 = 1 + 2 = 2 + 1: neither follows
        ([1, 1, 9, 4], [S, S, 9, X], 15),  # the two ones alone would sum to 2, i.e. both 1
        ([1, 3, 3], [X, X, X], 7),  # the 3s cannot be smaller, so the 1 would follow: hide all
        ([1, 0, 0], [X, X, X], S),  # a total of 1: the total is small, and every cell is hidden
        ([1, 1], [X, X], S),  # "< 3" twice under a total of "< 3" would make both 1
        ([0, 0], [0, 0], 0),
    ],
)
def test_hand_made_tables(values, cells, total):
    assert protect_with_total(values) == (cells, total)
    assert determined(cells, total) == []
    assert not shows_a_small_count(cells, total)


def test_the_check_itself_catches_a_recomputable_cell():
    assert determined([S, 9], 10) == [0]  # 10 − 9 = 1
    assert determined([S, S], 2) == [0, 1]
    assert determined([X, 0], S) == []  # hidden alike: 1 or 2


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_nothing_hidden_can_be_recomputed_in_any_small_table(size):
    for values in itertools.product(range(7), repeat=size):
        cells, total = protect_with_total(list(values))
        assert determined(cells, total) == [], values
        assert not shows_a_small_count(cells, total), values


def test_a_companion_column_is_hidden_where_the_counts_are():
    cells, _total = protect_with_total([1, 7, 9])
    assert follow(cells, [0.5, 3.5, 4.0]) == [X, X, 4.0]


def test_exact_figures_for_the_funder():
    assert not is_exact()
    with exact_figures():
        assert is_exact()
        assert protect([1, 7, 9], additive=True) == [1, 7, 9]
        assert protect_with_total([1, 0, 0]) == ([1, 0, 0], 1)
        assert protect_total(2) == 2
        assert follow([1, 7], [0.5, 3.5]) == [0.5, 3.5]
    with exact_figures(False):
        assert protect_total(2) == S
    assert not is_exact()
