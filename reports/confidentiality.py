"""Statistical confidentiality of breakdown cells, for the variant of a report meant for publication.

The funder reads exact figures: `report_figures` computes the funder variant under `exact_figures()`,
where protect() and follow() hand the values back unchanged. Only the variant "zur Veröffentlichung"
is protected, and there consistently: no count of 1 or 2 is shown, and none can be recomputed from
what is shown (totals, other cells, the key figures).

Primary suppression: a cell of 1 or 2 shows SMALL ("< 3"). Where the cells of a breakdown add up to
a total that is shown, a reader could subtract the shown cells from the total; secondary
suppression then hides further cells (SUPPRESSED, "x"), the smallest first, until no small cell's
value follows from the total: with the suppressed cells' sum S, p small cells (1 or 2 each) and
q hidden larger ones (3 or more each), a small cell can be 1 and 2 alike exactly when
- q = 0: p − 1 ≤ S − 2 and S − 1 ≤ 2 (p − 1), i.e. p + 1 ≤ S ≤ 2p − 1 (never for a single cell);
- q > 0: S − 2 ≥ (p − 1) + 3q, the hidden ones can absorb the difference.
So a single hidden cell in a breakdown with a shown total always forces a second one.
Zeros stay visible (they disclose no one). Where even hiding every other cell leaves a small value
derivable, every cell of the breakdown is hidden alike. A total of 1 or 2 is itself shown as SMALL
(`protect_total`); its cells are then all hidden, zeros included (`protect_with_total`).
"""

import contextlib
import contextvars

from reports.document import SMALL, SUPPRESSED

_exact = contextvars.ContextVar("exact_figures", default=False)


@contextlib.contextmanager
def exact_figures(exact: bool = True):
    """Within this block protect(), follow() and protect_total() return the exact figures."""
    token = _exact.set(exact)
    try:
        yield
    finally:
        _exact.reset(token)


def is_exact() -> bool:
    return _exact.get()


def is_small(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 3


def is_hidden(cell) -> bool:
    return cell in (SMALL, SUPPRESSED)


def _ambiguous(small: list[int], hidden: list[int]) -> bool:
    """Whether every small cell could be 1 as well as 2, given the sum of all suppressed cells."""
    if not small:
        return True
    p, q = len(small), len(hidden)
    total = sum(small) + sum(hidden)
    if q == 0:
        return p + 1 <= total <= 2 * p - 1
    return total - 2 >= (p - 1) + 3 * q


def protect(values: list[int], *, additive: bool) -> list:
    """The cells as shown: small ones as SMALL, and for an additive breakdown (its total is shown)
    as many further cells as SUPPRESSED as needed so that no small value can be re-derived.
    Exact figures (the funder variant): the values unchanged."""
    if is_exact():
        return list(values)
    shown = [SMALL if is_small(v) else v for v in values]
    if not additive:
        return shown
    small = [v for v in values if is_small(v)]
    hidden = []
    # Candidates for secondary suppression: the smallest visible non-zero cells first.
    candidates = sorted((v, i) for i, v in enumerate(values) if isinstance(v, int) and v >= 3)
    while not _ambiguous(small, hidden) and candidates:
        value, index = candidates.pop(0)
        hidden.append(value)
        shown[index] = SUPPRESSED
    if not _ambiguous(small, hidden):
        # Hiding the other cells is not enough (say 1, 3, 3: the 3s cannot be smaller, so the 1
        # follows): hide every cell, zeros included, without telling which ones are small.
        shown = [SUPPRESSED] * len(values)
    return shown


def protect_total(value):
    """A shown total or key figure: SMALL for 1 or 2 (publication variant), else the value."""
    if is_exact():
        return value
    return SMALL if is_small(value) else value


def protect_with_total(values: list[int]) -> tuple[list, object]:
    """An additive breakdown and its shown total (the sum), protected together."""
    total = sum(values)
    cells = protect(values, additive=True)
    shown_total = protect_total(total)
    if shown_total == SMALL:
        # A total of 1 or 2: two cells of "< 3" would each be 1, and beside shown zeros a hidden
        # cell would be non-zero; hide every cell alike.
        cells = [SUPPRESSED] * len(values)
    return cells, shown_total


def follow(pattern: list, values: list) -> list:
    """Values of a companion column (hours beside consultations) hidden wherever `pattern` hides a cell."""
    if is_exact():
        return list(values)
    return [SUPPRESSED if is_hidden(p) else v for p, v in zip(pattern, values, strict=True)]
