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

The search is branch and bound over which blocks to detour (see "the search" below); it
returns a plan together with the proof that its length is optimal (the bound met).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from planbench.errors import InputError
from planbench.world.problem import Problem

TABLE = -1  # on the table / goal: on the table
FREE = -2  # goal: unconstrained

Action = tuple


class SolverLimit(Exception):
    """The search hit its node or time limit before proving an optimal plan."""


class _Escalate(Exception):
    """Branch and bound needs more nodes than it is good at: hand over to the integer program."""


# Branch and bound proves most problems in a few nodes; past this many, the 0-1 program
# (HiGHS) is faster (random problems of 100 blocks: seconds instead of minutes).
BRANCH_AND_BOUND_NODES = 300


@dataclass(frozen=True)
class Unsolvable:
    """Why no plan reaches a goal: the goal atoms that cannot hold together.

    ``kind``: ``self`` (a block on itself), ``two_places`` (a block required on two
    supports, the table counting as one), ``two_on_one`` (two blocks required on one), or
    ``loop`` (the goal stacks blocks in a cycle). PlanBench's labels call the middle two
    ``split``."""

    kind: str
    atoms: tuple[tuple, ...]  # the conflicting goal atoms, canonical

    def describe(self, atom_text) -> str:
        """The reason in words, atoms rendered by ``atom_text`` (an encoding's)."""
        atoms = [atom_text(a) for a in self.atoms]
        joined = " and ".join(atoms)
        return {
            "self": f"the goal puts a block on itself: {joined}",
            "two_places": f"the goal puts one block in two places: {joined}",
            "two_on_one": f"the goal puts two blocks on one: {joined}",
            "loop": f"the goal stacks blocks in a cycle: {joined}",
        }[self.kind]


class UnsolvableGoal(InputError):
    """A goal no plan reaches (see :class:`Unsolvable`); the CLI exits with status 3."""

    def __init__(self, source: str, reason: Unsolvable):
        super().__init__(source, 0, f"unsolvable goal: {reason.describe(lambda a: '(' + ' '.join(a) + ')')}")
        self.reason = reason


def unsolvable_reason(problem: Problem) -> Unsolvable | None:
    """Why the goal's ``on``/``ontable`` atoms cannot all hold, or None when some state has
    them all (then a plan exists: every Blocksworld state is reachable from every other).
    Exact: goals of such atoms are satisfiable iff no block is on itself, none is on two
    supports, no support carries two blocks, and the ``on`` atoms make no cycle."""
    support: dict[str, tuple] = {}
    carried: dict[str, tuple] = {}
    for atom in problem.goal:
        if atom[0] not in ("on", "ontable"):
            continue
        block = atom[1]
        if atom[0] == "on" and atom[2] == block:
            return Unsolvable("self", (atom,))
        if block in support and support[block] != atom:
            return Unsolvable("two_places", (support[block], atom))
        support[block] = atom
        if atom[0] == "on":
            if atom[2] in carried and carried[atom[2]] != atom:
                return Unsolvable("two_on_one", (carried[atom[2]], atom))
            carried[atom[2]] = atom
    for start in support:
        path, block = [], start
        while block in support and support[block][0] == "on":
            path.append(support[block])
            block = support[block][2]
            if block == start:
                return Unsolvable("loop", tuple(sorted(path)))
            if len(path) > len(support):
                break
    return None


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


# ---------------------------------------------------------------- reading a problem


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


# ---------------------------------------------------------------- the search
#
# Events: every misplaced block x makes a final move F(x); a detoured block (x in D)
# first makes a table move T(x). Precedences (earlier -> later), on the initial state:
#   a: y directly on x:          first(y) -> first(x)   (x must be clear to move at all)
#   b: y directly on x's goal t: first(y) -> F(x)       (t must be clear)
#   c: t = x's goal, misplaced:  F(t)     -> F(x)       (t must be final first)
#   split: x in D:               T(x)     -> F(x)
# where first(x) = T(x) for x in D, else F(x). (A chain of blocks stands for "every block
# above": paths through it carry the same constraints.) These conditions are necessary
# and sufficient, so D is feasible iff the event graph is acyclic, and the optimal number
# of moves is (misplaced blocks) + min |D|. A cycle is broken only by splitting a block
# that it enters on the F side (edge b or c) and leaves from the T side (edge a or b):
# its *breakers*. Branch and bound over the breakers of short cycles finds min |D|.

EDGE_A, EDGE_B, EDGE_C, EDGE_SPLIT = 0, 1, 2, 3
ENTERS_F = (False, True, True, True)  # does an edge of this type arrive at the F side
LEAVES_T = (True, True, False, True)  # does it leave from the T side


class _Search:
    def __init__(self, task: Task, max_nodes: int, max_seconds: float):
        self.task = task
        self.n = len(task.blocks)
        self.max_nodes = max_nodes
        self.started = time.perf_counter()
        self.deadline = self.started + max_seconds
        self.nodes = 0
        below = list(task.below)
        above = [-1] * self.n
        for x, y in enumerate(below):
            if y >= 0:
                above[y] = x
        self.below, self.above = below, above
        self.wp = self.well_placed(below, above)
        self.misplaced = self.n - sum(self.wp)
        # (source, target, type): the source block's event comes before the target's.
        self.edges: list[tuple[int, int, int]] = []
        self.misplaced_blocks = frozenset(x for x in range(self.n) if not self.wp[x])
        self._out_edges: list[list[tuple[int, int]]] | None = None
        for x in range(self.n):
            if self.wp[x]:
                continue
            if above[x] >= 0:
                self.edges.append((above[x], x, EDGE_A))
            t = task.target[x]
            if t >= 0:
                if above[t] >= 0:
                    self.edges.append((above[t], x, EDGE_B))
                if not self.wp[t]:
                    self.edges.append((t, x, EDGE_C))

    @property
    def out_edges(self) -> list[list[tuple[int, int]]]:
        """The edges leaving each block: (target block, edge type)."""
        if self._out_edges is None:
            self._out_edges = [[] for _ in range(self.n)]
            for source, target, kind in self.edges:
                self._out_edges[source].append((target, kind))
        return self._out_edges

    def well_placed(self, below: list[int], above: list[int]) -> list[bool]:
        """Blocks that are where the goal wants them, on blocks that are too."""
        target, wanted_by = self.task.target, self.task.wanted_by
        wp = [False] * self.n
        for bottom in range(self.n):
            if below[bottom] != TABLE:
                continue
            ok = target[bottom] in (TABLE, FREE)
            x = bottom
            while True:
                wp[x] = ok
                y = above[x]
                if y < 0:
                    break
                ok = ok and (target[y] == x or (target[y] == FREE and wanted_by[x] == -1))
                x = y
        return wp

    # -- cycles in the event graph of a split set
    def _graph(self, split: set[int] | frozenset[int], scope: frozenset[int] | None = None) -> dict[int, list]:
        """Adjacency over event nodes: block x is node x (its T side, or its only event)
        and, when split, node n + x (its F side). Entries: (to node, edge type). Only
        edges between blocks of ``scope`` (all blocks if None); only nodes with an edge
        out are keys (the search builds this graph at every step: it stays small)."""
        n = self.n
        graph: dict[int, list[tuple[int, int]]] = {}
        for source in (self.misplaced_blocks if scope is None else scope):
            for target, kind in self.out_edges[source]:
                if scope is not None and target not in scope:
                    continue
                u = source + n if (not LEAVES_T[kind] and source in split) else source
                v = target + n if (ENTERS_F[kind] and target in split) else target
                edges = graph.get(u)
                if edges is None:
                    graph[u] = [(v, kind)]
                else:
                    edges.append((v, kind))
        for x in split:
            if scope is None or x in scope:
                edges = graph.get(x)
                if edges is None:
                    graph[x] = [(x + n, EDGE_SPLIT)]
                else:
                    edges.append((x + n, EDGE_SPLIT))
        return graph

    def _cycle(self, graph: dict[int, list[tuple[int, int]]], split: set[int],
               forbidden: frozenset[int] = frozenset()) -> list[int] | None:
        """The breakers of a cycle with as few breakers as found (shortest cycle through
        each cyclic node), [] for a cycle none may break, None if the graph is acyclic.
        ``forbidden`` blocks may not be split (the search decided so): they break nothing."""
        best: list[int] | None = None
        best_length = 1 << 30
        for start in self._cyclic_nodes(graph):
            self._check_time()
            found = self._shortest_cycle_breakers(graph, start, split, forbidden, best_length)
            if found is None:
                continue
            breakers, depth = found
            if best is None or len(breakers) < len(best) or (len(breakers) == len(best) and depth < best_length):
                best, best_length = breakers, depth
                if len(best) <= 1:
                    break
        return best

    def _shortest_cycle_breakers(self, graph: dict[int, list[tuple[int, int]]], start: int, split,
                                 forbidden: frozenset[int], longest: int) -> tuple[list[int], int] | None:
        """(breakers, length) of a shortest cycle through ``start`` (breadth-first, up to
        ``longest`` edges), or None."""
        n = self.n
        parent: dict[int, tuple[int, int]] = {start: (-1, -1)}
        frontier = [start]
        closing = None
        depth = 0
        while frontier and closing is None and depth < longest:
            depth += 1
            following = []
            for u in frontier:
                for v, kind in graph.get(u, ()):
                    if v == start:
                        closing = (u, kind)
                        break
                    if v not in parent:
                        parent[v] = (u, kind)
                        following.append(v)
                if closing is not None:
                    break
            frontier = following
        if closing is None:
            return None
        cycle = [start]
        entering = [closing[1]]  # entering[i]: type of the edge into cycle[i]
        u = closing[0]
        while u != start:
            cycle.append(u)
            entering.append(parent[u][1])
            u = parent[u][0]
        # cycle runs backwards: the edge leaving cycle[i] is the one entering cycle[i - 1].
        breakers = [
            node for i, node in enumerate(cycle)
            if node < n and node not in split and node not in forbidden
            and ENTERS_F[entering[i]] and LEAVES_T[entering[i - 1]]
        ]
        return breakers, depth

    def _cyclic_nodes(self, graph: dict[int, list[tuple[int, int]]]) -> list[int]:
        return [node for component in self._cyclic_components(graph) for node in component]

    @staticmethod
    def _cyclic_components(graph: dict[int, list[tuple[int, int]]]) -> list[list[int]]:
        """Strongly connected components with an edge inside (Tarjan, iterative)."""
        index: dict[int, int] = {}
        low: dict[int, int] = {}
        on_stack: set[int] = set()
        stack: list[int] = []
        out: list[list[int]] = []
        counter = 0
        empty: list = []
        for root in graph:
            if root in index:
                continue
            work = [(root, 0)]
            while work:
                v, i = work.pop()
                if i == 0:
                    index[v] = low[v] = counter
                    counter += 1
                    stack.append(v)
                    on_stack.add(v)
                edges = graph.get(v, empty)
                descended = False
                while i < len(edges):
                    w = edges[i][0]
                    i += 1
                    if w not in index:
                        work.append((v, i))
                        work.append((w, 0))
                        descended = True
                        break
                    if w in on_stack and index[w] < low[v]:
                        low[v] = index[w]
                if descended:
                    continue
                if work:
                    parent = work[-1][0]
                    if low[v] < low[parent]:
                        low[parent] = low[v]
                if low[v] == index[v]:
                    component = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        component.append(w)
                        if w == v:
                            break
                    if len(component) > 1 or any(e[0] == v for e in edges):
                        out.append(component)
        return out

    def _check_time(self) -> None:
        """The time limit holds everywhere, not only between search nodes: one step of
        the search on a thousand blocks can take seconds."""
        if time.perf_counter() > self.deadline:
            raise SolverLimit(f"gave up after {time.perf_counter() - self.started:.1f} s ({self.nodes} search nodes)")

    def _extend_packing(self, split: frozenset[int], scope: frozenset[int], packing: list[frozenset[int]],
                        forbidden: frozenset[int] = frozenset()) -> list[frozenset[int]] | None:
        """Breaker sets of cycles with pairwise disjoint breakers, valid for ``split``.

        Each such cycle needs a split of its own, so their number is a lower bound. The
        given packing (inherited from the parent node) is extended: assume its breakers
        split and look for another cycle. None if a cycle has no breaker left (this split
        set cannot be completed)."""
        packing = [c - forbidden for c in packing]
        if any(not c for c in packing):
            return None  # a packed cycle whose breakers are all forbidden: no completion
        assumed = set(split).union(*packing)
        while True:
            breakers = self._cycle(self._graph(assumed, scope), assumed, forbidden)
            if breakers is None:
                return packing
            if not breakers:
                return None  # a cycle no split can break: this split set cannot be completed
            packing.append(frozenset(breakers))
            assumed.update(breakers)

    def minimum_split(self) -> tuple[set[int], int]:
        """(a smallest feasible set of detoured blocks, the root lower bound on its size).

        Branch and bound first: most problems (every one under a few dozen blocks) need a
        handful of nodes. When it needs more than ``BRANCH_AND_BOUND_NODES`` (a gap
        between the packing bound and the optimum of several detours, as on random
        problems of 100 blocks) the same question goes to an integer program instead."""
        everything = frozenset(x for x in range(self.n) if not self.wp[x])
        self.memo: dict[tuple, frozenset[int] | int] = {}
        packing = self._extend_packing(frozenset(), everything, [])
        assert packing is not None
        self.node_cap = min(self.max_nodes, BRANCH_AND_BOUND_NODES)
        try:
            found = self._minimum(frozenset(), everything, 1 << 20, packing)
        except _Escalate:
            found = self._minimum_by_hitting_sets(everything, packing)
        assert found is not None
        return set(found), len(packing)

    # -- the integer program: a hitting set of cycles, cycles added until none is left
    def _minimum_by_hitting_sets(self, scope: frozenset[int], packing: list[frozenset[int]]) -> frozenset[int]:
        """The smallest split set, exactly: every cycle of the event graph needs one of its
        breakers split, so a smallest set hitting the breaker sets of *some* cycles is a
        lower bound; when splitting it leaves no cycle it is also feasible, hence optimal.
        Start from the cycles the packing and the root graph show, solve the 0-1 program
        (HiGHS through scipy), add the cycles its answer leaves, repeat.

        A cycle's breaker set is a valid constraint for every split set: splitting a block
        that is not a breaker of a cycle (entered on its F side, left on its T side) keeps
        the cycle's path, so only its breakers can break it."""
        constraints: set[frozenset[int]] = set(packing) | self._cycle_breakers(frozenset(), scope)
        while True:
            self._check_time()
            if frozenset() in constraints:
                raise AssertionError("internal error: a cycle no split can break")
            chosen = self._smallest_hitting_set(constraints)
            found = self._cycle_breakers(chosen, scope)
            if not found:
                return chosen
            constraints |= found

    def _cycle_breakers(self, split: frozenset[int], scope: frozenset[int]) -> set[frozenset[int]]:
        """Breaker sets of a shortest cycle through each cyclic node, with ``split``."""
        graph = self._graph(split, scope)
        out = set()
        for start in self._cyclic_nodes(graph):
            self._check_time()
            breakers = self._shortest_cycle_breakers(graph, start, split, frozenset(), 1 << 30)
            if breakers is not None:
                out.add(frozenset(breakers[0]))
        return out

    def _smallest_hitting_set(self, constraints: set[frozenset[int]]) -> frozenset[int]:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import lil_matrix

        blocks = sorted(set().union(*constraints))
        column = {b: i for i, b in enumerate(blocks)}
        rows = lil_matrix((len(constraints), len(blocks)))
        for row, breakers in enumerate(constraints):
            for b in breakers:
                rows[row, column[b]] = 1
        remaining = self.deadline - time.perf_counter()
        result = milp(np.ones(len(blocks)), constraints=LinearConstraint(rows.tocsr(), lb=1, ub=np.inf),
                      integrality=np.ones(len(blocks)), bounds=Bounds(0, 1),
                      options={"mip_rel_gap": 0.0, "time_limit": max(remaining, 0.01)})
        if result.status != 0 or result.x is None:
            raise SolverLimit(f"the integer program stopped: {result.message}")
        self.nodes += 1
        return frozenset(b for b, value in zip(blocks, result.x) if value > 0.5)

    def _components(self, split: frozenset[int], scope: frozenset[int]) -> list[frozenset[int]]:
        """The blocks of each cyclic component of the event graph within ``scope``."""
        n = self.n
        graph = self._graph(split, scope)
        return [frozenset(v - n if v >= n else v for v in component) for component in self._cyclic_components(graph)]

    def _minimum(self, split: frozenset[int], scope: frozenset[int], budget: int,
                 packing: list[frozenset[int]], forbidden: frozenset[int] = frozenset()) -> frozenset[int] | None:
        """A smallest set of further blocks of ``scope`` to split so that the event graph
        within ``scope`` is acyclic, if one of at most ``budget`` blocks exists; else None.

        Cycles never cross components, so each component is solved on its own, by
        iterative deepening from its lower bound; results are memoised by (component,
        splits inside it), which is all a component's graph depends on."""
        components = self._components(split, scope)
        if not components:
            return frozenset()
        parts = []
        for component in components:
            inherited = [c for c in packing if c <= component]
            extended = self._extend_packing(split & component, component, inherited, forbidden & component)
            if extended is None:
                return None
            parts.append((component, extended))
        remaining = sum(len(p) for _, p in parts)
        if remaining > budget:
            return None
        total: frozenset[int] = frozenset()
        for component, component_packing in sorted(parts, key=lambda part: len(part[0])):
            remaining -= len(component_packing)
            part = self._component_minimum(split & component, component, budget - len(total) - remaining,
                                           component_packing, forbidden & component)
            if part is None:
                return None
            total |= part
        return total

    def _component_minimum(self, split: frozenset[int], component: frozenset[int], budget: int,
                           packing: list[frozenset[int]], forbidden: frozenset[int]) -> frozenset[int] | None:
        key = (split, component, forbidden)
        known = self.memo.get(key)
        if isinstance(known, frozenset):
            return known if len(known) <= budget else None
        low = max(len(packing), known if isinstance(known, int) else 0)
        for limit in range(low, budget + 1):
            found = self._branch(split, component, limit, packing, forbidden)
            if found is not None:
                self.memo[key] = found
                return found
            self.memo[key] = limit + 1  # proven: more than ``limit`` splits are needed
        return None

    def _branch(self, split: frozenset[int], component: frozenset[int], limit: int,
                packing: list[frozenset[int]], forbidden: frozenset[int]) -> frozenset[int] | None:
        """Splits of at most ``limit`` blocks for one component: one breaker of each cycle
        must be split, so branch on the breakers of the packed cycle with fewest. The
        branches partition the choices: the i-th splits breaker i and forbids breakers
        1..i-1 (the earlier branches covered every set that splits one of them)."""
        self.nodes += 1
        if self.nodes > self.node_cap:
            if self.node_cap < self.max_nodes:
                raise _Escalate()
            raise SolverLimit(f"gave up after {self.nodes} search nodes")
        if self.nodes & 63 == 0 and time.perf_counter() > self.deadline:
            raise SolverLimit(f"gave up after {self.nodes} search nodes")
        if limit <= 0 or not packing:
            return None
        cycle = sorted(min(packing, key=len))
        for i, b in enumerate(cycle):
            child_packing = [c for c in packing if b not in c]
            rest = self._minimum(split | {b}, component, limit - 1, child_packing, forbidden.union(cycle[:i]))
            if rest is not None:
                return rest | {b}
        return None

    # -- building the plan
    def plan(self, split: set[int]) -> list[tuple[int, int, int]]:
        """Moves: constructive whenever possible, else a detour of a clear block in ``split``."""
        below, above, wp = self.below[:], self.above[:], self.wp[:]
        target = self.task.target
        pending = set(split)
        moves: list[tuple[int, int, int]] = []
        while True:
            moved = False
            for x in range(self.n):
                if wp[x] or above[x] >= 0:
                    continue
                t = target[x]
                if t < 0:
                    destination = TABLE
                elif above[t] < 0 and wp[t] and t != x:
                    destination = t
                else:
                    continue
                self._move(below, above, x, destination, moves)
                wp[x] = True
                pending.discard(x)
                moved = True
            if moved:
                continue
            ready = sorted(x for x in pending if above[x] < 0)
            if not ready:
                break
            self._move(below, above, ready[0], TABLE, moves)
            pending.discard(ready[0])
        if not all(wp):
            raise AssertionError("internal error: the detour set did not lead to the goal")
        return moves

    @staticmethod
    def _move(below: list[int], above: list[int], x: int, destination: int, moves: list) -> None:
        source = below[x]
        moves.append((x, source, destination))
        if source >= 0:
            above[source] = -1
        below[x] = destination
        if destination >= 0:
            above[destination] = x


def moves_to_actions(blocks: tuple[str, ...], moves: list) -> list[Action]:
    plan: list[Action] = []
    for x, source, destination in moves:
        plan.append(("pick-up", blocks[x]) if source == TABLE else ("unstack", blocks[x], blocks[source]))
        plan.append(("put-down", blocks[x]) if destination == TABLE else ("stack", blocks[x], blocks[destination]))
    return plan


def solve(problem: Problem, max_nodes: int = 5_000_000, max_seconds: float = 600.0, source: str = "") -> Solution:
    """An optimal plan with its proof: the length meets the bound (misplaced blocks plus the
    minimum detour set, found by exhaustive branch and bound). SolverLimit or InputError
    otherwise."""
    start = time.perf_counter()
    task = task_from_problem(problem, source)
    search = _Search(task, max_nodes, max_seconds)
    split, root_bound = search.minimum_split()
    moves = search.plan(split)
    if len(moves) != search.misplaced + len(split):
        raise AssertionError("internal error: the plan does not meet the proven bound")
    plan = tuple(moves_to_actions(task.blocks, moves))
    return Solution(plan, len(moves), search.misplaced + root_bound, search.nodes, time.perf_counter() - start, len(split))


def optimal_length(problem: Problem, **limits) -> int:
    return solve(problem, **limits).length
