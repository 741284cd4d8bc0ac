"""From a split set to a plan: constructive moves whenever possible, else a detour.

A *constructive* move puts a block where it will be well placed for good (onto its
well-placed, clear goal support; or onto the table when its goal is the table or it has
no goal). Making one is always part of some optimal plan (Gupta and Nau 1992), so they
are made greedily, never chosen. When none exists the state is stuck and some block of
the split set goes to the table (its detour; some optimal plan moves each block at most
twice, the first time to the table). With a feasible split set this never runs dry, and
the plan has exactly (misplaced blocks + detours) moves: the bound it was proven against.
"""

from __future__ import annotations

from planbench.world.solve.arrays import TABLE
from planbench.world.solve.events import EventGraph

Action = tuple
Move = tuple[int, int, int]  # (block, from, to): block indices or TABLE


def plan_moves(events: EventGraph, split: set[int]) -> list[Move]:
    """Moves: constructive whenever possible, else a detour of a clear block in ``split``."""
    below, above, wp = events.below[:], events.above[:], events.wp[:]
    target = events.task.target
    pending = set(split)
    moves: list[Move] = []
    while True:
        moved = False
        for x in range(events.n):
            if wp[x] or above[x] >= 0:
                continue
            t = target[x]
            if t < 0:
                destination = TABLE
            elif above[t] < 0 and wp[t] and t != x:
                destination = t
            else:
                continue
            _move(below, above, x, destination, moves)
            wp[x] = True
            pending.discard(x)
            moved = True
        if moved:
            continue
        ready = sorted(x for x in pending if above[x] < 0)
        if not ready:
            break
        _move(below, above, ready[0], TABLE, moves)
        pending.discard(ready[0])
    if not all(wp):
        raise AssertionError("internal error: the detour set did not lead to the goal")
    return moves


def _move(below: list[int], above: list[int], x: int, destination: int, moves: list[Move]) -> None:
    source = below[x]
    moves.append((x, source, destination))
    if source >= 0:
        above[source] = -1
    below[x] = destination
    if destination >= 0:
        above[destination] = x


def moves_to_actions(blocks: tuple[str, ...], moves: list[Move]) -> list[Action]:
    """Each move as the domain's two actions: pick-up or unstack, then put-down or stack."""
    plan: list[Action] = []
    for x, source, destination in moves:
        plan.append(("pick-up", blocks[x]) if source == TABLE else ("unstack", blocks[x], blocks[source]))
        plan.append(("put-down", blocks[x]) if destination == TABLE else ("stack", blocks[x], blocks[destination]))
    return plan
