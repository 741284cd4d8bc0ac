"""Families of problems built by one rule, which a task can ask to generalize over.

PlanBench's plan-generalization task (t5) shows one problem of a family and its plan, and
asks for another of the same family: its generator put every block on the table and asked
for one tower of them all, in a random order, over a few of twelve block names (FACTS-tasks
§6). The only optimal plan of such a problem builds the tower bottom up, two actions per
block above the bottom one, so the pattern of the example is the whole answer.
"""

from __future__ import annotations

import random

from planbench.sets.generate import init_atoms
from planbench.world import blocks as world
from planbench.world.problem import Problem

GENERALIZATION = "generalization"
PLANBENCH_NAMES = 12  # PlanBench's generator drew block names among its config's twelve (a..l)


def is_generalization_problem(problem: Problem) -> bool:
    """Every block on the table (hand empty) and the goal one tower of all of them."""
    if any(atom[0] == "on" for atom in problem.init) or not problem.goal:
        return False
    if set(problem.init) != set(init_atoms((-1,) * len(problem.blocks), problem.blocks)):
        return False
    if any(atom[0] != "on" for atom in problem.goal) or len(problem.goal) != len(problem.blocks) - 1:
        return False
    under = {atom[1]: atom[2] for atom in problem.goal}
    over = {atom[2]: atom[1] for atom in problem.goal}
    if len(under) != len(problem.goal) or len(over) != len(problem.goal):
        return False
    bottoms = [b for b in problem.blocks if b not in under]
    if len(bottoms) != 1:
        return False
    height, block = 1, bottoms[0]
    while block in over:  # a cycle cannot reach every block from the one bottom
        block, height = over[block], height + 1
    return height == len(problem.blocks)


def generalization_problem(n: int, rng: random.Random) -> Problem:
    """A problem of PlanBench's generalization family over ``n`` blocks: names drawn among
    the first twelve (more when n is larger), listed in a random order, the goal tower in
    another random order."""
    if n < 2:
        raise ValueError("a tower needs at least 2 blocks")
    names = rng.sample([world.block_name(i) for i in range(max(n, PLANBENCH_NAMES))], n)
    tower = rng.sample(names, n)  # bottom first
    blocks = tuple(names)
    goal = tuple(("on", upper, lower) for lower, upper in zip(tower, tower[1:]))[::-1]  # top first, as PlanBench lists it
    return Problem(f"BW-generalization-{n}", blocks, init_atoms((-1,) * n, blocks), goal)


def generalization_family(blocks: tuple[int, int], count: int, seed: int,
                          max_attempts: int = 1_000_000) -> list[tuple[Problem, tuple]]:
    """``count`` distinct problems of the generalization family, block counts drawn
    uniformly from ``blocks`` (inclusive), each with its (only) optimal plan: the tower
    built bottom up. Same seed, same family, on any machine."""
    if blocks[0] < 2:
        raise ValueError("a tower needs at least 2 blocks (--blocks 2-... or more)")
    rng = random.Random(f"generalization-{seed}")
    seen: set = set()
    made: list[tuple[Problem, tuple]] = []
    for _ in range(max_attempts):
        if len(made) == count:
            return made
        problem = generalization_problem(rng.randint(blocks[0], blocks[1]), rng)
        key = (frozenset(problem.blocks), problem.goal)
        if key in seen:
            continue
        seen.add(key)
        made.append((problem, tower_plan(problem)))
    raise ValueError(f"made {len(made)} of {count} distinct problems of {blocks[0]}-{blocks[1]} blocks; "
                     "allow more blocks or ask for fewer")


def tower_plan(problem: Problem) -> tuple:
    """The only optimal plan of a generalization problem: pick up each block above the
    bottom one, bottom up, and stack it on the one below it."""
    below = {atom[1]: atom[2] for atom in problem.goal}
    above = {lower: upper for upper, lower in below.items()}
    block = next(b for b in problem.blocks if b not in below)
    plan = []
    while block in above:
        upper = above[block]
        plan += [("pick-up", upper), ("stack", upper, block)]
        block = upper
    return tuple(plan)
