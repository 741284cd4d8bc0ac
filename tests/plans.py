"""Random plans for cross-checks: valid ones, near misses and nonsense, all seeded."""

from __future__ import annotations

import random

from planbench import world
from planbench.world.problem import Problem

Action = tuple


def random_action(rng: random.Random, blocks: tuple[str, ...]) -> Action:
    name = rng.choice(world.ACTIONS)
    return (name, *(rng.choice(blocks) for _ in range(world.ACTION_ARITY[name])))


def applicable_walk(rng: random.Random, problem: Problem, state: int, steps: int) -> tuple[list[Action], int]:
    """Up to ``steps`` random applicable actions from ``state``."""
    w = problem.world
    blocks = problem.blocks
    candidates = [(n, x) for n in ("pick-up", "put-down") for x in blocks]
    candidates += [(n, x, y) for n in ("stack", "unstack") for x in blocks for y in blocks]
    plan = []
    for _ in range(steps):
        options = [a for a in candidates if w.apply(state, a) is not None]
        if not options:
            break
        action = rng.choice(options)
        state = w.apply(state, action)
        plan.append(action)
    return plan, state


def random_plan(rng: random.Random, problem: Problem, gold: list[Action]) -> list[Action]:
    """One of: the gold plan; gold plus an applicable tail (valid); gold with a step
    mutated, dropped or swapped; an applicable walk (usually misses the goal); a walk with
    a random action inserted (usually inapplicable)."""
    kind = rng.randrange(6)
    if kind == 0:
        return list(gold)
    if kind == 1:
        state = problem.init_state
        for action in gold:
            state = problem.world.apply(state, action)
        tail, _ = applicable_walk(rng, problem, state, rng.randrange(1, 6))
        return list(gold) + tail
    if kind == 2 and gold:
        plan = list(gold)
        plan[rng.randrange(len(plan))] = random_action(rng, problem.blocks)
        return plan
    if kind == 3 and len(gold) > 1:
        plan = list(gold)
        i = rng.randrange(len(plan) - 1)
        if rng.random() < 0.5:
            plan[i], plan[i + 1] = plan[i + 1], plan[i]
        else:
            del plan[i]
        return plan
    walk, _ = applicable_walk(rng, problem, problem.init_state, rng.randrange(0, 12))
    if kind == 5:
        walk.insert(rng.randrange(len(walk) + 1), random_action(rng, problem.blocks))
    return walk


def random_problems(rng: random.Random, count: int, low: int, high: int):
    """``count`` random instances of ``low``..``high`` blocks (the generator's drop rule applied)."""
    from planbench.sets.generate import random_problem

    made = 0
    while made < count:
        problem = random_problem(rng.randint(low, high), rng)
        if problem is not None:
            made += 1
            yield problem
