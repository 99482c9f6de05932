"""Where the import puts the rows of a table or a flowchart: in the document's order, keeping the
positions they have when those already give that order.

The admin lets managers leave gaps (a channel moved to 10) and ties (a service added with the
default 0, placed among the others by its name): the export writes the rows in that order, and
importing it again must not renumber them. A document that adds a row or changes the order is
numbered afresh from 0.
"""

from __future__ import annotations

from collections.abc import Sequence


def kept_positions(current: Sequence[int | None], names: Sequence[str] | None = None) -> list[int]:
    """A position for each row, in the document's order, from the rows' `current` positions
    (None for a new row): those, when they already list the rows in this order, else 0, 1, 2...
    With `names` (a position several rows may share), rows tied on a position are in order
    when their names are, as the rows are listed by position, then name."""
    fresh = list(range(len(current)))
    for index, position in enumerate(current):
        if position is None:
            return fresh
        if index == 0:
            continue
        before = current[index - 1]
        assert before is not None
        tied_in_order = names is not None and names[index - 1] <= names[index]
        if position < before or (position == before and not tied_in_order):
            return fresh
    return [position for position in current if position is not None]
