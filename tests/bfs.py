"""A plain breadth-first search over the 4-operator world: the slow, obvious reference."""

from __future__ import annotations

from collections import deque

from planbench.world.problem import Problem


def bfs_length(problem: Problem, limit: int = 200_000) -> int:
    w = problem.world
    blocks = problem.blocks
    actions = [(n, x) for n in ("pick-up", "put-down") for x in blocks]
    actions += [(n, x, y) for n in ("stack", "unstack") for x in blocks for y in blocks if x != y]
    masks = [w.masks(a) for a in actions]
    goal = problem.goal_mask
    start = problem.init_state
    if start & goal == goal:
        return 0
    seen = {start}
    frontier = deque([(start, 0)])
    while frontier:
        state, depth = frontier.popleft()
        for pre, add, delete in masks:
            if state & pre == pre:
                nxt = (state & ~delete) | add
                if nxt in seen:
                    continue
                if nxt & goal == goal:
                    return depth + 1
                seen.add(nxt)
                if len(seen) > limit:
                    raise RuntimeError("BFS limit")
                frontier.append((nxt, depth + 1))
    raise RuntimeError("unsolvable")
