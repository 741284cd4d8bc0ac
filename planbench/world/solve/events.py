"""The event graph: which moves must come before which, and which detours break a deadlock.

A block is *well placed* when it and everything under it are where the goal wants them
(or unconstrained and in nobody's way); well-placed blocks never move. Every other
(*misplaced*) block x makes a final move F(x); a detoured block (x in D, the *split*
set) first makes a table move T(x). Precedences (earlier -> later), on the initial state:

  a: y directly on x:          first(y) -> first(x)   (x must be clear to move at all)
  b: y directly on x's goal t: first(y) -> F(x)       (t must be clear)
  c: t = x's goal, misplaced:  F(t)     -> F(x)       (t must be final first)
  split: x in D:               T(x)     -> F(x)

where first(x) = T(x) for x in D, else F(x). (A chain of blocks stands for "every block
above": paths through it carry the same constraints.) These conditions are necessary
and sufficient, so D is feasible iff the event graph is acyclic, and the optimal number
of moves is (misplaced blocks) + min |D|.

Why detours, and which: a cycle is broken only by splitting a block that it enters on
the F side (edge b or c) and leaves from the T side (edge a or b): its *breakers*.
Splitting any other block keeps the cycle's path, so every cycle needs one of its own
breakers split. That one fact is what the lower bound (:mod:`.bounds`), the branch and
bound (:mod:`.branching`) and the 0-1 program (:mod:`.hitting_sets`) all build on.

Nodes of the graph: block x is node x (its T side, or its only event) and, when x is
split, node n + x is its F side.
"""

from __future__ import annotations

from planbench.world.solve.arrays import FREE, TABLE, Task

EDGE_A, EDGE_B, EDGE_C, EDGE_SPLIT = 0, 1, 2, 3
ENTERS_F = (False, True, True, True)  # does an edge of this type arrive at the F side
LEAVES_T = (True, True, False, True)  # does it leave from the T side

Graph = dict[int, list[tuple[int, int]]]  # node -> [(to node, edge type)]


def well_placed(task: Task, below: list[int], above: list[int]) -> list[bool]:
    """Blocks that are where the goal wants them, on blocks that are too."""
    n = len(task.blocks)
    target, wanted_by = task.target, task.wanted_by
    wp = [False] * n
    for bottom in range(n):
        if below[bottom] != TABLE:
            continue
        ok = target[bottom] in (TABLE, FREE)
        x = bottom
        while True:
            wp[x] = ok
            y = above[x]
            if y < 0:
                break
            ok = ok and (target[y] == x or (target[y] == FREE and wanted_by[x] == -1))
            x = y
    return wp


class EventGraph:
    """The initial state's precedence edges between misplaced blocks, and the graph of
    events they make for any split set."""

    def __init__(self, task: Task):
        self.task = task
        self.n = len(task.blocks)
        below = list(task.below)
        above = [-1] * self.n
        for x, y in enumerate(below):
            if y >= 0:
                above[y] = x
        self.below, self.above = below, above
        self.wp = well_placed(task, below, above)
        self.misplaced = self.n - sum(self.wp)
        # (source, target, type): the source block's event comes before the target's.
        self.edges: list[tuple[int, int, int]] = []
        self.misplaced_blocks = frozenset(x for x in range(self.n) if not self.wp[x])
        self._out_edges: list[list[tuple[int, int]]] | None = None
        for x in range(self.n):
            if self.wp[x]:
                continue
            if above[x] >= 0:
                self.edges.append((above[x], x, EDGE_A))
            t = task.target[x]
            if t >= 0:
                if above[t] >= 0:
                    self.edges.append((above[t], x, EDGE_B))
                if not self.wp[t]:
                    self.edges.append((t, x, EDGE_C))

    @property
    def out_edges(self) -> list[list[tuple[int, int]]]:
        """The edges leaving each block: (target block, edge type)."""
        if self._out_edges is None:
            self._out_edges = [[] for _ in range(self.n)]
            for source, target, kind in self.edges:
                self._out_edges[source].append((target, kind))
        return self._out_edges

    def graph(self, split: set[int] | frozenset[int], scope: frozenset[int] | None = None) -> Graph:
        """Adjacency over event nodes (see the module docstring). Entries: (to node, edge
        type). Only edges between blocks of ``scope`` (all blocks if None); only nodes
        with an edge out are keys (the search builds this graph at every step: it stays
        small)."""
        n = self.n
        graph: Graph = {}
        for source in (self.misplaced_blocks if scope is None else scope):
            for target, kind in self.out_edges[source]:
                if scope is not None and target not in scope:
                    continue
                u = source + n if (not LEAVES_T[kind] and source in split) else source
                v = target + n if (ENTERS_F[kind] and target in split) else target
                edges = graph.get(u)
                if edges is None:
                    graph[u] = [(v, kind)]
                else:
                    edges.append((v, kind))
        for x in split:
            if scope is None or x in scope:
                edges = graph.get(x)
                if edges is None:
                    graph[x] = [(x + n, EDGE_SPLIT)]
                else:
                    edges.append((x + n, EDGE_SPLIT))
        return graph
