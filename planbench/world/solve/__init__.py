"""An exact optimal solver for Blocksworld that uses the domain's structure.

Why not a generic planner: Fast Downward A*/LM-cut needs up to ~1000 s on PlanBench's
hard set. Blocksworld has structure that makes optimal planning a small search:

* A plan is a sequence of *moves* (take a clear block, put it on the table or on a clear
  block); in the 4-operator domain each move is two actions, so length = 2 x moves.
* A block is *well placed* when it and everything under it are where the goal wants them
  (or unconstrained and in nobody's way). Well-placed blocks never need to move; every
  other block moves at least once. That count is the first part of the lower bound.
* A *constructive* move puts a block where it will be well placed for good (onto its
  well-placed, clear goal support; or onto the table when its goal is the table or it
  has no goal). Making one is always part of some optimal plan (Gupta and Nau 1992), so
  we make them greedily and never branch on them.
* When no constructive move exists the state is *stuck*: some block must go to the table
  first and be moved twice (a *detour*). Some optimal plan moves each block at most twice,
  the first time to the table (Gupta and Nau; Slaney and Thiebaux 2001), so the only
  choice is which clear block to detour. That choice is NP-hard in general; we search it.
* Detours come from deadlocks: cycles in the *waits-for* graph, where x -> y means y must
  have moved before x can make its final move (y is on x; y is on x's goal support; or
  y is x's goal support and not yet well placed). The first block of a cycle to move
  cannot be making its final move, so each cycle costs a detour, and vertex-disjoint
  cycles cost distinct detours: their number is the second part of the lower bound.
  A block above its own goal support is a cycle of one: a forced detour, made at once.

The search returns a plan together with the proof that its length is optimal (the bound
met). Its pieces, in the order :func:`solve` uses them:

* :mod:`.unsolvable`: why a goal has no plan (checked first);
* :mod:`.arrays`: the problem as index arrays, refusing what the solver cannot take;
* :mod:`.events`: the event graph of moves and the breakers of its cycles;
* :mod:`.cycles`: strongly connected components and short cycles of that graph;
* :mod:`.bounds`: the admissible lower bound (misplaced blocks + packed cycles);
* :mod:`.branching`: branch and bound over which blocks to detour;
* :mod:`.hitting_sets`: the same question as a 0-1 program, when branch and bound needs
  many nodes;
* :mod:`.plan`: the moves, constructive first, and their actions;
* :mod:`.limits`: the node and time limits every part shares.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from planbench.world.problem import Problem
from planbench.world.solve.arrays import FREE, TABLE, Task, task_from_problem
from planbench.world.solve.bounds import extend_packing
from planbench.world.solve.branching import BranchAndBound, Escalate
from planbench.world.solve.events import EDGE_A, EDGE_B, EDGE_C, EDGE_SPLIT, ENTERS_F, LEAVES_T, EventGraph
from planbench.world.solve.hitting_sets import minimum_by_hitting_sets
from planbench.world.solve.limits import Limits, SolverLimit
from planbench.world.solve.plan import Action, moves_to_actions, plan_moves
from planbench.world.solve.unsolvable import Unsolvable, UnsolvableGoal, unsolvable_reason

__all__ = [
    "BRANCH_AND_BOUND_NODES", "EDGE_A", "EDGE_B", "EDGE_C", "EDGE_SPLIT", "ENTERS_F", "FREE", "LEAVES_T",
    "TABLE", "Action", "Solution", "SolverLimit", "Task", "Unsolvable", "UnsolvableGoal", "moves_to_actions",
    "optimal_length", "solve", "task_from_problem", "unsolvable_reason",
]

# Branch and bound proves most problems in a few nodes; past this many, the 0-1 program
# (HiGHS) is faster (random problems of 100 blocks: seconds instead of minutes). Read by
# :func:`solve` at each call, so a test can set it here to force either part.
BRANCH_AND_BOUND_NODES = 300


@dataclass(frozen=True)
class Solution:
    plan: tuple[Action, ...]  # canonical 4-operator actions
    moves: int
    lower_bound: int  # moves: the bound at the root (the proof starts from it)
    nodes: int  # stuck states expanded
    seconds: float
    detours: int = field(default=0)

    @property
    def length(self) -> int:
        """Plan length in actions: two per move."""
        return len(self.plan)


def solve(problem: Problem, max_nodes: int = 5_000_000, max_seconds: float = 600.0, source: str = "") -> Solution:
    """An optimal plan with its proof: the length meets the bound (misplaced blocks plus the
    minimum detour set, found by exhaustive branch and bound). SolverLimit or InputError
    otherwise."""
    start = time.perf_counter()
    task = task_from_problem(problem, source)
    limits = Limits(max_nodes, max_seconds)
    events = EventGraph(task)
    split, root_bound = minimum_split(events, limits, BRANCH_AND_BOUND_NODES)
    moves = plan_moves(events, split)
    if len(moves) != events.misplaced + len(split):
        raise AssertionError("internal error: the plan does not meet the proven bound")
    plan = tuple(moves_to_actions(task.blocks, moves))
    return Solution(plan, len(moves), events.misplaced + root_bound, limits.nodes, time.perf_counter() - start,
                    len(split))


def minimum_split(events: EventGraph, limits: Limits, branch_and_bound_nodes: int) -> tuple[set[int], int]:
    """(a smallest feasible set of detoured blocks, the root lower bound on its size).

    Branch and bound first: most problems (every one under a few dozen blocks) need a
    handful of nodes. When it needs more than ``branch_and_bound_nodes`` (a gap between
    the packing bound and the optimum of several detours, as on random problems of 100
    blocks) the same question goes to the 0-1 program instead."""
    everything = frozenset(x for x in range(events.n) if not events.wp[x])
    packing = extend_packing(events, limits, frozenset(), everything, [])
    assert packing is not None
    search = BranchAndBound(events, limits, min(limits.max_nodes, branch_and_bound_nodes))
    try:
        found = search.minimum(frozenset(), everything, 1 << 20, packing)
    except Escalate:
        found = minimum_by_hitting_sets(events, limits, everything, packing)
    assert found is not None
    return set(found), len(packing)


def optimal_length(problem: Problem, **limits) -> int:
    return solve(problem, **limits).length
