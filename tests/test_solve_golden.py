"""The solver's behaviour pinned on a fixed seeded sample: plan, length, root bound, node
count and detours of every problem, compared with tests/data/solve_golden.json.

The file was written by the solver as it stood before it was split into modules
(commit ead0bb0, one 697-line solve.py), so a refactor that changes a plan, a proof or
the search's path shows here as a changed digest or node count. The sample covers each
way through the solver: PlanBench's hard set, random problems of 6-100 blocks (the
larger escalate from branch and bound to the 0-1 program), goals with ontable and
unconstrained blocks, branch and bound alone, and the 0-1 program alone.

Regenerate only from a commit whose behaviour is the reference:
``python tests/test_solve_golden.py --write``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from pathlib import Path

import pytest

from planbench.sets.generate import random_problem
from planbench.sets.instances import load_set
from planbench.world import solve as solver
from planbench.world.problem import Problem

GOLDEN = Path(__file__).resolve().parent / "data" / "solve_golden.json"

# (label, size, seeds, BRANCH_AND_BOUND_NODES or None for the default)
RANDOM_GROUPS = [
    ("random", 6, 20, None), ("random", 12, 20, None), ("random", 20, 15, None),
    ("random", 30, 10, None), ("random", 40, 10, None), ("random", 60, 8, None),
    ("random", 100, 4, None),
    ("partial", 8, 20, None), ("partial", 25, 10, None), ("partial", 50, 6, None),
    ("branch-and-bound", 40, 6, 10**9), ("branch-and-bound", 60, 4, 10**9),
    ("integer-program", 12, 10, 0), ("integer-program", 40, 6, 0), ("integer-program", 60, 3, 0),
]


def partial(problem: Problem, rng: random.Random) -> Problem:
    """The same start with some goal atoms dropped and some blocks wanted on the table:
    targets of TABLE and FREE, which generated problems (full goals of on atoms) lack."""
    goal = [atom for atom in problem.goal if rng.random() < 0.6]
    named = {atom[1] for atom in goal}
    goal += [("ontable", b) for b in problem.blocks if b not in named and rng.random() < 0.25]
    return Problem(problem.name, problem.blocks, problem.init, tuple(goal) or problem.goal)


def sample() -> list[tuple[str, Problem, int | None]]:
    """(key, problem, node budget before the 0-1 program or None) for every case."""
    cases: list[tuple[str, Problem, int | None]] = []
    for instance in load_set("planbench-hard-110").scored():
        cases.append((f"hard-{instance.id}", instance.problem, None))
    for label, size, seeds, budget in RANDOM_GROUPS:
        for seed in range(seeds):
            rng = random.Random(f"golden-{label}-{size}-{seed}")
            problem = None
            while problem is None:
                problem = random_problem(size, rng)
            if label == "partial":
                problem = partial(problem, rng)
            cases.append((f"{label}-{size}-{seed}", problem, budget))
    return cases


def fingerprint(problem: Problem, budget: int | None) -> dict:
    """What the solver found and how: the plan's digest and the search's figures."""
    saved = solver.BRANCH_AND_BOUND_NODES
    if budget is not None:
        solver.BRANCH_AND_BOUND_NODES = budget
    try:
        solution = solver.solve(problem, max_nodes=10**9)
    finally:
        solver.BRANCH_AND_BOUND_NODES = saved
    plan_text = "\n".join(" ".join(action) for action in solution.plan)
    return {"blocks": len(problem.blocks), "length": solution.length, "moves": solution.moves,
            "lower_bound": solution.lower_bound, "nodes": solution.nodes, "detours": solution.detours,
            "plan_sha256": hashlib.sha256(plan_text.encode()).hexdigest()}


def test_solver_matches_the_recorded_sample() -> None:
    golden = json.loads(GOLDEN.read_text())
    cases = sample()
    assert sorted(key for key, _, _ in cases) == sorted(golden), "the sample and the golden file disagree"
    changed = {}
    for key, problem, budget in cases:
        found = fingerprint(problem, budget)
        if found != golden[key]:
            changed[key] = {field: (golden[key][field], value) for field, value in found.items()
                            if golden[key][field] != value}
    assert not changed, f"{len(changed)} of {len(cases)} changed (recorded, now): {changed}"


def test_the_sample_reaches_every_part_of_the_solver() -> None:
    """The golden file is only worth its name if the sample takes each road: detours,
    escalation past branch and bound's node budget, and searches of more than one node."""
    golden = json.loads(GOLDEN.read_text())
    assert any(r["detours"] > 0 for r in golden.values())
    assert any(r["nodes"] > solver.BRANCH_AND_BOUND_NODES for k, r in golden.items() if k.startswith("random"))
    assert any(r["nodes"] > 100 for k, r in golden.items() if k.startswith("branch-and-bound"))
    assert any(r["lower_bound"] < r["moves"] for r in golden.values()), "no case where the root bound was not tight"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        pytest.exit("usage: python tests/test_solve_golden.py --write")
    records = {key: fingerprint(problem, budget) for key, problem, budget in sample()}
    GOLDEN.write_text(json.dumps(records, indent=0, sort_keys=True) + "\n")
    print(f"wrote {len(records)} cases to {GOLDEN}")
