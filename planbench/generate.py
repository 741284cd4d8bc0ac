"""Seeded random instances: uniform random Blocksworld states, PlanBench-style goals.

A state of n labelled blocks is a set of towers. The number with k towers is the Lah
number L(n,k) = C(n-1,k-1) n!/k!. Drawing k with probability L(n,k)/sum, shuffling the
blocks and cutting the sequence at k-1 random gaps gives every state the same chance
(each k-tower state arises from exactly k! shuffle-and-cut pairs): the method of Slaney
and Thiebaux's bwstates, which PlanBench's generator runs. As in PlanBench, the goal is
a second random state with only its ``on`` atoms kept; instances whose goal already holds
are dropped.

Everything is drawn from one ``random.Random(seed)``, whose integer methods are stable
across Python versions and machines: the same seed gives the same set anywhere.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Iterator

from planbench import world
from planbench.problem import Problem
from planbench.solve import solve


def lah(n: int, k: int) -> int:
    """Unsigned Lah number: ways to split n labelled blocks into k non-empty ordered towers."""
    if k < 1 or k > n:
        return 0
    return math.comb(n - 1, k - 1) * math.factorial(n) // math.factorial(k)


def random_towers(n: int, rng: random.Random) -> list[list[int]]:
    """A uniformly random state of n blocks as towers, bottom first."""
    weights = [lah(n, k) for k in range(1, n + 1)]
    pick = rng.randrange(sum(weights))
    k = 1
    while pick >= weights[k - 1]:
        pick -= weights[k - 1]
        k += 1
    order = list(range(n))
    rng.shuffle(order)
    cuts = sorted(rng.sample(range(1, n), k - 1))
    bounds = [0, *cuts, n]
    return [order[bounds[i]:bounds[i + 1]] for i in range(k)]


def towers_to_below(towers: list[list[int]], n: int) -> tuple[int, ...]:
    below = [-1] * n
    for tower in towers:
        for lower, upper in zip(tower, tower[1:]):
            below[upper] = lower
    return tuple(below)


def init_atoms(below: tuple[int, ...], blocks: tuple[str, ...]) -> tuple[tuple, ...]:
    """The complete initial state in PlanBench's order: handempty, on/ontable per block, clear."""
    return tuple(world.Towers(below).atoms(blocks))


def goal_atoms(below: tuple[int, ...], blocks: tuple[str, ...]) -> tuple[tuple, ...]:
    """The ``on`` atoms of a state, by upper block, as PlanBench's 2pddl writes the goal."""
    return tuple(("on", blocks[x], blocks[y]) for x, y in enumerate(below) if y >= 0)


@dataclass(frozen=True)
class Generated:
    problem: Problem
    plan: tuple[tuple, ...]
    seed: int  # the seed of the run that made it


def random_problem(n: int, rng: random.Random, name: str = "") -> Problem | None:
    """One random instance of n blocks, or None when the goal already holds (PlanBench drops those)."""
    blocks = tuple(world.block_name(i) for i in range(n))
    start = towers_to_below(random_towers(n, rng), n)
    end = towers_to_below(random_towers(n, rng), n)
    goal = goal_atoms(end, blocks)
    if not goal or all(start[blocks.index(x)] == blocks.index(y) for _, x, y in goal):
        return None
    return Problem(name or f"BW-rand-{n}", blocks, init_atoms(start, blocks), goal)


def canonical_key(problem: Problem) -> tuple:
    """A key equal for problems that are the same up to renaming the blocks.

    Towers of the initial state with each block tagged by its goal support's position
    in the initial state, so the key does not depend on names; sorted so order does not
    matter either.
    """
    index = {b: i for i, b in enumerate(problem.blocks)}
    below = [-1] * len(problem.blocks)
    for atom in problem.init:
        if atom[0] == "on":
            below[index[atom[1]]] = index[atom[2]]
    target = [-1] * len(problem.blocks)
    for atom in problem.goal:
        target[index[atom[1]]] = index[atom[2]]
    above = {y: x for x, y in enumerate(below) if y >= 0}
    position: dict[int, tuple[int, int]] = {}
    towers = []
    for bottom in (x for x, y in enumerate(below) if y < 0):
        tower, x = [], bottom
        while x is not None:
            tower.append(x)
            x = above.get(x)
        towers.append(tower)
    # Name-free coordinates: towers sorted by a name-free signature, then positions.
    def signature(tower: list[int]) -> tuple:
        return (len(tower), tuple(target[x] >= 0 for x in tower))
    towers.sort(key=signature)
    for t, tower in enumerate(towers):
        for h, x in enumerate(tower):
            position[x] = (t, h)
    # Towers with equal signatures can still be ordered differently; try all orders of
    # each group of equal signatures would be exponential, so refine by the goal links.
    key = tuple(
        tuple(position[target[x]] if target[x] >= 0 else None for x in tower) for tower in towers
    )
    return key


def generate(
    blocks: tuple[int, int],
    count: int,
    seed: int,
    lengths: tuple[int, int] | None = None,
    per_length: int | None = None,
    unique_up_to_renaming: bool = False,
    max_attempts: int = 10_000_000,
) -> Iterator[Generated]:
    """Yield ``count`` distinct instances (or ``per_length`` per even optimal length in
    ``lengths``), block counts drawn uniformly from ``blocks`` (inclusive), reproducibly."""
    rng = random.Random(seed)
    seen: set = set()
    made = 0
    wanted_lengths = None
    if lengths is not None:
        wanted_lengths = {length: per_length or 1 for length in range(lengths[0], lengths[1] + 1) if length % 2 == 0}
        count = sum(wanted_lengths.values())
    attempts = 0
    while made < count:
        attempts += 1
        if attempts > max_attempts:
            raise RuntimeError(f"could not make {count} instances in {max_attempts} attempts; relax the constraints")
        n = rng.randint(blocks[0], blocks[1])
        problem = random_problem(n, rng)
        if problem is None:
            continue
        key = canonical_key(problem) if unique_up_to_renaming else (problem.init, problem.goal)
        if key in seen:
            continue
        solution = solve(problem)
        if wanted_lengths is not None:
            if wanted_lengths.get(solution.length, 0) == 0:
                continue
            wanted_lengths[solution.length] -= 1
        seen.add(key)
        made += 1
        yield Generated(problem, solution.plan, seed)
