"""A problem as arrays over block indices: who is under whom, now and in the goal.

The search asks "what is under x", "where does the goal want x" and "who wants to sit
on x" millions of times; tuples of small integers answer in one index. Reading the
problem into them is also where a problem the solver cannot take is refused, with one
line that says why: a hand that is not empty, a state that is not physical (a block in
two places, two on one, a cycle), a goal no state satisfies, or a goal atom the
move-based search does not model.
"""

from __future__ import annotations

from dataclasses import dataclass

from planbench.errors import InputError
from planbench.world.problem import Problem
from planbench.world.solve.unsolvable import UnsolvableGoal, unsolvable_reason

TABLE = -1  # on the table / goal: on the table
FREE = -2  # goal: unconstrained


@dataclass(frozen=True)
class Task:
    """A problem as arrays over block indices: who is under whom, now and in the goal."""

    blocks: tuple[str, ...]
    below: tuple[int, ...]  # TABLE or block index
    target: tuple[int, ...]  # TABLE, FREE or block index
    wanted_by: tuple[int, ...]  # the block the goal puts on this one, or -1


def task_from_problem(problem: Problem, source: str = "") -> Task:
    """Check that the problem is a physical Blocksworld state and a satisfiable goal."""
    source = source or problem.name
    blocks = problem.blocks
    index = {b: i for i, b in enumerate(blocks)}
    n = len(blocks)
    below = [None] * n
    clear = set()
    hand_empty = False
    for atom in problem.init:
        kind = atom[0]
        if kind == "handempty":
            hand_empty = True
        elif kind == "holding":
            raise InputError(source, 0, f"the hand holds {atom[1]} in the initial state; the solver needs an empty hand")
        elif kind == "clear":
            clear.add(index[atom[1]])
        else:
            x = index[atom[1]]
            support = TABLE if kind == "ontable" else index[atom[2]]
            if below[x] is not None and below[x] != support:
                raise InputError(source, 0, f"block {atom[1]} is in two places in the initial state")
            below[x] = support
    if not hand_empty:
        raise InputError(source, 0, "the initial state lacks (handempty)")
    for x, support in enumerate(below):
        if support is None:
            raise InputError(source, 0, f"block {blocks[x]} is neither on the table nor on a block in the initial state")
        if support == x:
            raise InputError(source, 0, f"block {blocks[x]} is on itself in the initial state")
    holders: dict[int, int] = {}
    for x, support in enumerate(below):
        if support >= 0:
            if support in holders:
                raise InputError(source, 0, f"two blocks ({blocks[holders[support]]}, {blocks[x]}) are on {blocks[support]} in the initial state")
            holders[support] = x
    for x in range(n):  # cycles: walking down must reach the table within n steps
        y, steps = x, 0
        while y != TABLE:
            y, steps = below[y], steps + 1
            if steps > n:
                raise InputError(source, 0, f"the initial state has a cycle of blocks on each other (through {blocks[x]})")
    for x in range(n):
        if (x in clear) == (x in holders):
            state = "clear" if x in clear else "not clear"
            raise InputError(source, 0, f"block {blocks[x]} is said to be {state} in the initial state, which contradicts the on atoms")
    return Task(tuple(blocks), tuple(below), *_goal_arrays(problem, index, source))


def _goal_arrays(problem: Problem, index: dict[str, int], source: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    reason = unsolvable_reason(problem)
    if reason is not None:
        raise UnsolvableGoal(source, reason)
    blocks = problem.blocks
    n = len(blocks)
    target = [FREE] * n
    wanted_by = [-1] * n
    for atom in problem.goal:
        kind = atom[0]
        if kind == "handempty":
            continue  # every optimal plan ends with the hand empty
        if kind not in ("on", "ontable"):
            # A clear goal can be met by ending with a block in the hand (one action less
            # than putting it down); the move-based search does not model that, so say so.
            raise InputError(source, 0, f"the solver handles goals of on, ontable and handempty atoms, not {kind}")
        x = index[atom[1]]
        support = TABLE if kind == "ontable" else index[atom[2]]
        if support == x:
            raise InputError(source, 0, f"unsolvable goal: {blocks[x]} on itself")
        if target[x] != FREE and target[x] != support:
            raise InputError(source, 0, f"unsolvable goal: {blocks[x]} must be in two places")
        target[x] = support
        if support >= 0:
            if wanted_by[support] >= 0 and wanted_by[support] != x:
                raise InputError(source, 0, f"unsolvable goal: {blocks[wanted_by[support]]} and {blocks[x]} both on {blocks[support]}")
            wanted_by[support] = x
    for x in range(n):
        y, steps = x, 0
        while y >= 0:
            y, steps = target[y], steps + 1
            if steps > n:
                raise InputError(source, 0, f"unsolvable goal: the goal stacks blocks in a cycle (through {blocks[x]})")
    return tuple(target), tuple(wanted_by)
