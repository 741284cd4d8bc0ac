"""The lower bound: misplaced blocks plus a packing of cycles with disjoint breakers.

Why it is admissible (never more than the optimum, so a plan that meets it is proven
optimal):

* every misplaced block moves at least once (a well-placed one never needs to): one
  move each;
* every cycle of the event graph needs one of its breakers detoured (:mod:`.events`),
  and a detour is a second move of its block. Cycles whose breaker sets are pairwise
  disjoint cannot share a detour, so however many such cycles are packed, each costs a
  move of its own.

The packing is found greedily (a cycle with the fewest breakers first, then assume its
breakers split and look again), so the bound is not always tight; the search
(:mod:`.branching`, :mod:`.hitting_sets`) closes the gap and proves where the optimum is.
A child node of the search inherits its parent's packing and only extends it.
"""

from __future__ import annotations

from planbench.world.solve.cycles import fewest_breakers
from planbench.world.solve.events import EventGraph
from planbench.world.solve.limits import Limits


def extend_packing(events: EventGraph, limits: Limits, split: frozenset[int], scope: frozenset[int],
                   packing: list[frozenset[int]], forbidden: frozenset[int] = frozenset()) -> list[frozenset[int]] | None:
    """Breaker sets of cycles with pairwise disjoint breakers, valid for ``split``.

    Each such cycle needs a split of its own, so their number is a lower bound. The
    given packing (inherited from the parent node) is extended: assume its breakers
    split and look for another cycle. None if a cycle has no breaker left (this split
    set cannot be completed)."""
    packing = [c - forbidden for c in packing]
    if any(not c for c in packing):
        return None  # a packed cycle whose breakers are all forbidden: no completion
    assumed = set(split).union(*packing)
    while True:
        breakers = fewest_breakers(events.graph(assumed, scope), events.n, assumed, forbidden, limits.check_time)
        if breakers is None:
            return packing
        if not breakers:
            return None  # a cycle no split can break: this split set cannot be completed
        packing.append(frozenset(breakers))
        assumed.update(breakers)
