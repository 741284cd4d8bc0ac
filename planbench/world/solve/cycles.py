"""Cycles of an event graph and their breakers.

Every part of the search asks the same two questions of a graph (:mod:`.events`): which
nodes lie on a cycle (strongly connected components, Tarjan's algorithm, iterative
because a component can hold thousands of blocks), and which blocks could break a short
cycle. Short cycles are wanted because a cycle with few breakers constrains the search
most: one breaker is a forced split, two a binary branch.
"""

from __future__ import annotations

from typing import Callable

from planbench.world.solve.events import ENTERS_F, LEAVES_T, Graph


def cyclic_components(graph: Graph) -> list[list[int]]:
    """Strongly connected components with an edge inside (Tarjan, iterative)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    out: list[list[int]] = []
    counter = 0
    empty: list = []
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = counter
                counter += 1
                stack.append(v)
                on_stack.add(v)
            edges = graph.get(v, empty)
            descended = False
            while i < len(edges):
                w = edges[i][0]
                i += 1
                if w not in index:
                    work.append((v, i))
                    work.append((w, 0))
                    descended = True
                    break
                if w in on_stack and index[w] < low[v]:
                    low[v] = index[w]
            if descended:
                continue
            if work:
                parent = work[-1][0]
                if low[v] < low[parent]:
                    low[parent] = low[v]
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1 or any(e[0] == v for e in edges):
                    out.append(component)
    return out


def cyclic_nodes(graph: Graph) -> list[int]:
    """Every node on some cycle."""
    return [node for component in cyclic_components(graph) for node in component]


def shortest_cycle_breakers(graph: Graph, n: int, start: int, split, forbidden: frozenset[int],
                            longest: int) -> tuple[list[int], int] | None:
    """(breakers, length) of a shortest cycle through ``start`` (breadth-first, up to
    ``longest`` edges), or None. ``n`` is the number of blocks (nodes from n on are F
    sides); blocks already in ``split`` or ``forbidden`` break nothing more."""
    parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
    frontier = [start]
    closing = None
    depth = 0
    while frontier and closing is None and depth < longest:
        depth += 1
        following = []
        for u in frontier:
            for v, kind in graph.get(u, ()):
                if v == start:
                    closing = (u, kind)
                    break
                if v not in parent:
                    parent[v] = (u, kind)
                    following.append(v)
            if closing is not None:
                break
        frontier = following
    if closing is None:
        return None
    cycle = [start]
    entering = [closing[1]]  # entering[i]: type of the edge into cycle[i]
    u = closing[0]
    while u != start:
        cycle.append(u)
        entering.append(parent[u][1])
        u = parent[u][0]
    # cycle runs backwards: the edge leaving cycle[i] is the one entering cycle[i - 1].
    breakers = [
        node for i, node in enumerate(cycle)
        if node < n and node not in split and node not in forbidden
        and ENTERS_F[entering[i]] and LEAVES_T[entering[i - 1]]
    ]
    return breakers, depth


def fewest_breakers(graph: Graph, n: int, split: set[int], forbidden: frozenset[int],
                    check_time: Callable[[], None]) -> list[int] | None:
    """The breakers of a cycle with as few breakers as found (shortest cycle through
    each cyclic node), [] for a cycle none may break, None if the graph is acyclic.
    ``forbidden`` blocks may not be split (the search decided so): they break nothing."""
    best: list[int] | None = None
    best_length = 1 << 30
    for start in cyclic_nodes(graph):
        check_time()
        found = shortest_cycle_breakers(graph, n, start, split, forbidden, best_length)
        if found is None:
            continue
        breakers, depth = found
        if best is None or len(breakers) < len(best) or (len(breakers) == len(best) and depth < best_length):
            best, best_length = breakers, depth
            if len(best) <= 1:
                break
    return best
