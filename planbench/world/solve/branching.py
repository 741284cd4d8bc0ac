"""Branch and bound over which blocks to detour: the smallest split set, exactly.

Some cycle of the event graph (:mod:`.events`) must lose one of its breakers, so the
search branches on the breakers of the packed cycle with fewest. The branches partition
the choices (the i-th splits breaker i and forbids breakers 1..i-1: the earlier branches
covered every set that splits one of those), so no split set is looked at twice.

Three things keep the tree small:

* cycles never cross strongly connected components, so each component is solved on its
  own and their minima add up;
* each component is deepened iteratively from its packing bound (:mod:`.bounds`), so
  the first split set found is a smallest one;
* results are memoised by (split inside the component, component, forbidden inside it),
  which is all a component's graph depends on; a failed depth is remembered as a bound.

Most problems (every one under a few dozen blocks) need a handful of nodes. Where the
packing bound is several detours below the optimum (random problems of 100 blocks) the
tree grows fast; past ``node_cap`` nodes the search raises :class:`Escalate` and the
same question goes to the 0-1 program (:mod:`.hitting_sets`).
"""

from __future__ import annotations

import time

from planbench.world.solve.bounds import extend_packing
from planbench.world.solve.cycles import cyclic_components
from planbench.world.solve.events import EventGraph
from planbench.world.solve.limits import Limits, SolverLimit


class Escalate(Exception):
    """Branch and bound needs more nodes than it is good at: hand over to the integer program."""


class BranchAndBound:
    """One branch and bound over a problem's event graph, with its memo and node cap."""

    def __init__(self, events: EventGraph, limits: Limits, node_cap: int):
        self.events = events
        self.limits = limits
        self.node_cap = node_cap
        self.memo: dict[tuple, frozenset[int] | int] = {}

    def minimum(self, split: frozenset[int], scope: frozenset[int], budget: int,
                packing: list[frozenset[int]], forbidden: frozenset[int] = frozenset()) -> frozenset[int] | None:
        """A smallest set of further blocks of ``scope`` to split so that the event graph
        within ``scope`` is acyclic, if one of at most ``budget`` blocks exists; else None.

        Cycles never cross components, so each component is solved on its own, by
        iterative deepening from its lower bound; results are memoised by (component,
        splits inside it), which is all a component's graph depends on."""
        components = self._components(split, scope)
        if not components:
            return frozenset()
        parts = []
        for component in components:
            inherited = [c for c in packing if c <= component]
            extended = extend_packing(self.events, self.limits, split & component, component, inherited,
                                      forbidden & component)
            if extended is None:
                return None
            parts.append((component, extended))
        remaining = sum(len(p) for _, p in parts)
        if remaining > budget:
            return None
        total: frozenset[int] = frozenset()
        for component, component_packing in sorted(parts, key=lambda part: len(part[0])):
            remaining -= len(component_packing)
            part = self._component_minimum(split & component, component, budget - len(total) - remaining,
                                           component_packing, forbidden & component)
            if part is None:
                return None
            total |= part
        return total

    def _components(self, split: frozenset[int], scope: frozenset[int]) -> list[frozenset[int]]:
        """The blocks of each cyclic component of the event graph within ``scope``."""
        n = self.events.n
        graph = self.events.graph(split, scope)
        return [frozenset(v - n if v >= n else v for v in component) for component in cyclic_components(graph)]

    def _component_minimum(self, split: frozenset[int], component: frozenset[int], budget: int,
                           packing: list[frozenset[int]], forbidden: frozenset[int]) -> frozenset[int] | None:
        """The component's smallest split set within ``budget``: deepen from the larger of
        its packing bound and the bound a failed earlier search proved."""
        key = (split, component, forbidden)
        known = self.memo.get(key)
        if isinstance(known, frozenset):
            return known if len(known) <= budget else None
        low = max(len(packing), known if isinstance(known, int) else 0)
        for limit in range(low, budget + 1):
            found = self._branch(split, component, limit, packing, forbidden)
            if found is not None:
                self.memo[key] = found
                return found
            self.memo[key] = limit + 1  # proven: more than ``limit`` splits are needed
        return None

    def _branch(self, split: frozenset[int], component: frozenset[int], limit: int,
                packing: list[frozenset[int]], forbidden: frozenset[int]) -> frozenset[int] | None:
        """Splits of at most ``limit`` blocks for one component: one breaker of each cycle
        must be split, so branch on the breakers of the packed cycle with fewest. The
        branches partition the choices: the i-th splits breaker i and forbids breakers
        1..i-1 (the earlier branches covered every set that splits one of them)."""
        self._count_node()
        if limit <= 0 or not packing:
            return None
        cycle = sorted(min(packing, key=len))
        for i, b in enumerate(cycle):
            child_packing = [c for c in packing if b not in c]
            rest = self.minimum(split | {b}, component, limit - 1, child_packing, forbidden.union(cycle[:i]))
            if rest is not None:
                return rest | {b}
        return None

    def _count_node(self) -> None:
        """One more node: escalate past the cap, give up past the limits (the clock is
        read every 64 nodes: a node is cheap, the clock is not free)."""
        limits = self.limits
        limits.nodes += 1
        if limits.nodes > self.node_cap:
            if self.node_cap < limits.max_nodes:
                raise Escalate()
            raise SolverLimit(f"gave up after {limits.nodes} search nodes")
        if limits.nodes & 63 == 0 and time.perf_counter() > limits.deadline:
            raise SolverLimit(f"gave up after {limits.nodes} search nodes")
