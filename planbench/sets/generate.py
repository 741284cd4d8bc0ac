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

import itertools
import math
import random
import time
from dataclasses import dataclass
from typing import Iterator

from planbench.world import blocks as world
from planbench.errors import InputError
from planbench.world.problem import Problem
from planbench.world.solve import SolverLimit, solve


def lah(n: int, k: int) -> int:
    """Unsigned Lah number: ways to split n labelled blocks into k non-empty ordered towers."""
    if k < 1 or k > n:
        return 0
    return math.comb(n - 1, k - 1) * math.factorial(n) // math.factorial(k)


def lah_numbers(n: int, deadline: float | None = None) -> list[int]:
    """L(n,1), ..., L(n,n), each from the one before (L(n,k+1) = L(n,k)(n-k)/(k(k+1)),
    exact): thousands of blocks make numbers of millions of digits, so past ``deadline``
    (time.monotonic) it stops with TimeoutError."""
    weights = [math.factorial(n)] if n >= 1 else []
    for k in range(1, n):
        if deadline is not None and k % 64 == 0 and time.monotonic() > deadline:
            raise TimeoutError(f"counting the states of {n} blocks")
        weights.append(weights[-1] * (n - k) // (k * (k + 1)))
    return weights


def random_towers(n: int, rng: random.Random, deadline: float | None = None) -> list[list[int]]:
    """A uniformly random state of n blocks as towers, bottom first."""
    weights = lah_numbers(n, deadline)
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


def random_problem(n: int, rng: random.Random, name: str = "", deadline: float | None = None) -> Problem | None:
    """One random instance of n blocks, or None when the goal already holds (PlanBench drops those)."""
    blocks = tuple(world.block_name(i) for i in range(n))
    start = towers_to_below(random_towers(n, rng, deadline), n)
    end = towers_to_below(random_towers(n, rng, deadline), n)
    goal = goal_atoms(end, blocks)
    if not goal or all(start[blocks.index(x)] == blocks.index(y) for _, x, y in goal):
        return None
    return Problem(name or f"BW-rand-{n}", blocks, init_atoms(start, blocks), goal)


def canonical_key(problem: Problem, max_orders: int = 40_320) -> tuple:
    """A key equal for two problems exactly when they are the same up to renaming blocks.

    Blocks are coloured by name-free features (height, tower size, has a goal) and the
    colours refined by the goal links until stable; towers are then ordered by their
    colour sequences, and the key is the smallest encoding over the orders of towers
    whose sequences tie (renaming can only permute those). Past ``max_orders`` orders
    the refined order alone is used (a duplicate could then slip through).
    """
    n = len(problem.blocks)
    index = {b: i for i, b in enumerate(problem.blocks)}
    below = [-1] * n
    for atom in problem.init:
        if atom[0] == "on":
            below[index[atom[1]]] = index[atom[2]]
    target = [-1] * n
    for atom in problem.goal:
        target[index[atom[1]]] = index[atom[2]]
    source = [-1] * n
    for x, t in enumerate(target):
        if t >= 0:
            source[t] = x
    above = {y: x for x, y in enumerate(below) if y >= 0}
    towers = []
    for bottom in (x for x, y in enumerate(below) if y < 0):
        tower, x = [], bottom
        while x is not None:
            tower.append(x)
            x = above.get(x)
        towers.append(tower)
    tower_of = {x: t for t, tower in enumerate(towers) for x in tower}
    height = {x: h for tower in towers for h, x in enumerate(tower)}
    colour = [(height[x], len(towers[tower_of[x]]), target[x] >= 0, source[x] >= 0) for x in range(n)]
    for _ in range(n):
        refined = [(colour[x], colour[target[x]] if target[x] >= 0 else None,
                    colour[source[x]] if source[x] >= 0 else None,
                    tuple(colour[y] for y in towers[tower_of[x]])) for x in range(n)]
        ranks = {c: r for r, c in enumerate(sorted(set(refined), key=repr))}
        new = [ranks[c] for c in refined]
        if len(set(new)) == len(set(colour)):
            colour = new
            break
        colour = new
    signature = [tuple(colour[x] for x in tower) for tower in towers]
    order = sorted(range(len(towers)), key=lambda t: signature[t])
    groups: list[list[int]] = []
    for t in order:
        if groups and signature[groups[-1][0]] == signature[t]:
            groups[-1].append(t)
        else:
            groups.append([t])

    def encode(tower_order: list[int]) -> tuple:
        position = {x: (i, h) for i, t in enumerate(tower_order) for h, x in enumerate(towers[t])}
        return tuple(tuple(position[target[x]] if target[x] >= 0 else None for x in towers[t]) for t in tower_order)

    orders = 1
    for group in groups:
        orders *= math.factorial(len(group))
    if orders > max_orders:
        return encode(order)
    best = None
    for choice in itertools.product(*(itertools.permutations(g) for g in groups)):
        key = encode([t for group in choice for t in group])
        if best is None or key < best:
            best = key
    return best


# Instances there are to draw from, by number of blocks (counted by enumerating every pair
# of states: tests/test_generate.py): all, and distinct up to renaming the blocks; and by
# optimal length. Larger sizes have millions.
INSTANCES = {1: 0, 2: 4, 3: 132, 4: 4_968, 5: 246_640}
DISTINCT = {1: 0, 2: 2, 3: 22, 4: 210}
BY_LENGTH = {2: {2: 2, 4: 2}, 3: {2: 24, 4: 36, 6: 48, 8: 24},
             4: {2: 324, 4: 600, 6: 1_164, 8: 1_464, 10: 1_056, 12: 360}}


def longest_optimal(n: int) -> int:
    """The longest optimal plan n blocks can need: exact up to 4 blocks; above, 4n - 2 (every
    block moves at most twice, and the bottom of a goal tower at most once)."""
    return max(BY_LENGTH[n]) if n in BY_LENGTH else max(0, 4 * n - 2)


def blocks_for_lengths(lengths: tuple[int, int]) -> tuple[int, int]:
    """Block counts whose random problems have optimal plans of about these lengths: a
    random problem of n blocks needs about 2.8n steps (20 blocks: 34-68, median 50; 50
    blocks: 114-156, median 140), so n from lengths[0] / 3.5 to lengths[1] / 2.4."""
    low = max(2, int(lengths[0] / 3.5))
    high = max(low + 1, math.ceil(lengths[1] / 2.4) + 1, lengths[1] // 4 + 2)
    return low, high


def check_feasible(blocks: tuple[int, int], count: int, lengths: tuple[int, int] | None = None,
                   per_length: int | None = None, unique_up_to_renaming: bool = False) -> None:
    """Refuse, before any drawing, what no amount of drawing can give; say what can."""
    low, high = blocks
    if high < 2:
        raise InputError("--blocks", 0, "1 block has no goal to reach (goals are 'on' atoms): use 2 or more")
    sizes = range(max(low, 2), high + 1)
    if lengths is None:
        table = DISTINCT if unique_up_to_renaming else INSTANCES
        if all(n in table for n in sizes):
            available = sum(table[n] for n in sizes)
            if count > available:
                kind = "distinct up to renaming" if unique_up_to_renaming else "distinct"
                raise InputError("--count", 0, f"{blocks[0]}-{blocks[1]} blocks allow {available} {kind} instances, "
                                 f"not {count}; use more blocks")
        return
    wanted = [n for n in range(lengths[0], lengths[1] + 1) if n % 2 == 0]
    if not wanted or lengths[0] < 2:
        raise InputError("--lengths", 0, "optimal lengths are even numbers from 2 (each move is two actions)")
    longest = longest_optimal(high)
    impossible = [n for n in wanted if n > longest]
    if impossible:
        raise InputError("--lengths", 0, f"with at most {high} blocks an optimal plan has at most {longest} steps "
                         f"(asked for {impossible[0]}); use about {impossible[-1] // 2 + 2} blocks or more")
    if not unique_up_to_renaming and all(n in BY_LENGTH for n in sizes):
        for length in wanted:
            available = sum(BY_LENGTH[n].get(length, 0) for n in sizes)
            if available < (per_length or 1):
                raise InputError("--per-length", 0, f"{available} instances of {blocks[0]}-{blocks[1]} blocks have "
                                 f"optimal length {length}, not {per_length}")


def generate(
    blocks: tuple[int, int],
    count: int,
    seed: int,
    lengths: tuple[int, int] | None = None,
    per_length: int | None = None,
    unique_up_to_renaming: bool = False,
    max_attempts: int = 10_000_000,
    max_seconds: float | None = None,
) -> Iterator[Generated]:
    """Yield ``count`` distinct instances (or ``per_length`` per even optimal length in
    ``lengths``), block counts drawn uniformly from ``blocks`` (inclusive), reproducibly.
    Past ``max_seconds`` it stops with RuntimeError saying how far it got."""
    rng = random.Random(seed)
    seen: set = set()
    made = 0
    wanted_lengths = None
    if lengths is not None:
        wanted_lengths = {length: per_length or 1 for length in range(lengths[0], lengths[1] + 1) if length % 2 == 0}
        count = sum(wanted_lengths.values())
    attempts = 0
    deadline = time.monotonic() + max_seconds if max_seconds else None

    def stop(why: str) -> RuntimeError:
        missing = "" if wanted_lengths is None else " (still wanted: " + ", ".join(
            f"{k} steps x{v}" for k, v in sorted(wanted_lengths.items()) if v) + ")"
        return RuntimeError(f"{why}: made {made} of {count} instances in {attempts:,} draws{missing}; "
                            "relax the constraints (more blocks, other lengths) or allow more time")

    while made < count:
        if attempts >= max_attempts:
            raise stop(f"stopped after {max_attempts:,} draws")
        if deadline and time.monotonic() > deadline:
            raise stop(f"stopped at the time limit ({max_seconds:g} s)")
        attempts += 1
        n = rng.randint(blocks[0], blocks[1])
        try:
            problem = random_problem(n, rng, deadline=deadline)
            if problem is None:
                continue
            key = canonical_key(problem) if unique_up_to_renaming else (problem.init, problem.goal)
            if key in seen:
                continue
            solution = solve(problem, max_seconds=max(deadline - time.monotonic(), 0.001)) if deadline \
                else solve(problem)
        except TimeoutError:
            raise stop(f"stopped at the time limit ({max_seconds:g} s)") from None
        except SolverLimit as error:
            late = deadline and time.monotonic() > deadline
            raise stop(f"stopped at the time limit ({max_seconds:g} s)" if late else f"the solver {error}") from None
        if wanted_lengths is not None:
            if wanted_lengths.get(solution.length, 0) == 0:
                continue
            wanted_lengths[solution.length] -= 1
        seen.add(key)
        made += 1
        yield Generated(problem, solution.plan, seed)


def make_unsolvable(problem: Problem, rng: random.Random, choice: str | None = None) -> tuple[Problem, dict]:
    """PlanBench's construction of a problem with no plan: one ``on`` atom added to a goal.
    ``split`` requires a block on two blocks, or two blocks on one; ``loop`` closes a cycle
    (the last block of a goal tower on the first). Returns the problem and how it was made
    (choice, the atom added, the reason :func:`~planbench.world.solve.unsolvable_reason` finds)."""
    from planbench.world.solve import unsolvable_reason

    goal = [atom for atom in problem.goal if atom[0] == "on"]
    if not goal:
        raise ValueError("a goal without 'on' atoms cannot be made unsolvable this way")
    choice = choice or rng.choice(["split", "loop"])
    support = {atom[1]: atom[2] for atom in goal}
    if choice == "split":
        x, y = rng.choice(goal)[1:]
        others = [b for b in problem.blocks if b not in (x, y)]
        if others and rng.random() < 0.5:
            added = ("on", x, rng.choice(others))  # x in two places
        else:
            added = ("on", rng.choice([b for b in problem.blocks if b not in (x, y)] or [y]), y)  # two on y
            if added[1] == y:
                added = ("on", x, x)
    else:
        top = rng.choice(goal)[1]
        bottom = top
        while bottom in support:
            bottom = support[bottom]
        added = ("on", bottom, top)  # the tower's bottom on its top: a cycle
    made = Problem(problem.name, problem.blocks, problem.init, (*problem.goal, added))
    reason = unsolvable_reason(made)
    assert reason is not None
    return made, {"choice": choice, "added": list(added[1:]), "reason": reason.kind}
