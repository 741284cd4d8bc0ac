"""The smallest split set as a 0-1 program: a hitting set of cycles' breaker sets.

When it is used: branch and bound (:mod:`.branching`) proves most problems in a few
nodes, but where the packing bound is several detours below the optimum (random
problems of 100 blocks and more) its tree grows fast. Past its node cap the same
question comes here; HiGHS (through scipy's ``milp``) answers it in seconds where
branch and bound took minutes.

Why it is exact: every cycle of the event graph needs one of its breakers split
(:mod:`.events`), and a cycle's breaker set is a valid constraint for *every* split set
(splitting a block that is not a breaker keeps the cycle's path). So a smallest set
hitting the breaker sets of *some* cycles is a lower bound on the optimum; when
splitting it leaves no cycle it is also feasible, hence optimal. Start from the cycles
the packing and the root graph show, solve, add the cycles the answer leaves, repeat.
Each solve of the program counts as one search node.
"""

from __future__ import annotations

from planbench.world.solve.cycles import cyclic_nodes, shortest_cycle_breakers
from planbench.world.solve.events import EventGraph
from planbench.world.solve.limits import Limits, SolverLimit


def minimum_by_hitting_sets(events: EventGraph, limits: Limits, scope: frozenset[int],
                            packing: list[frozenset[int]]) -> frozenset[int]:
    """The smallest split set, exactly: add the cycles each answer leaves until none is
    left (the module docstring says why that is optimal)."""
    constraints: set[frozenset[int]] = set(packing) | cycle_breakers(events, limits, frozenset(), scope)
    while True:
        limits.check_time()
        if frozenset() in constraints:
            raise AssertionError("internal error: a cycle no split can break")
        chosen = smallest_hitting_set(constraints, limits)
        found = cycle_breakers(events, limits, chosen, scope)
        if not found:
            return chosen
        constraints |= found


def cycle_breakers(events: EventGraph, limits: Limits, split: frozenset[int],
                   scope: frozenset[int]) -> set[frozenset[int]]:
    """Breaker sets of a shortest cycle through each cyclic node, with ``split``."""
    graph = events.graph(split, scope)
    out = set()
    for start in cyclic_nodes(graph):
        limits.check_time()
        breakers = shortest_cycle_breakers(graph, events.n, start, split, frozenset(), 1 << 30)
        if breakers is not None:
            out.add(frozenset(breakers[0]))
    return out


def smallest_hitting_set(constraints: set[frozenset[int]], limits: Limits) -> frozenset[int]:
    """A smallest set of blocks meeting every breaker set (HiGHS, proven optimal: relative
    gap 0), within the time the solve has left."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp
    from scipy.sparse import lil_matrix

    blocks = sorted(set().union(*constraints))
    column = {b: i for i, b in enumerate(blocks)}
    rows = lil_matrix((len(constraints), len(blocks)))
    for row, breakers in enumerate(constraints):
        for b in breakers:
            rows[row, column[b]] = 1
    remaining = limits.seconds_left()
    result = milp(np.ones(len(blocks)), constraints=LinearConstraint(rows.tocsr(), lb=1, ub=np.inf),
                  integrality=np.ones(len(blocks)), bounds=Bounds(0, 1),
                  options={"mip_rel_gap": 0.0, "time_limit": max(remaining, 0.01)})
    if result.status != 0 or result.x is None:
        raise SolverLimit(f"the integer program stopped: {result.message}")
    limits.nodes += 1
    return frozenset(b for b, value in zip(blocks, result.x) if value > 0.5)
