"""Why a goal has no plan: the goal atoms that cannot hold together.

Every Blocksworld state is reachable from every other, so a goal of ``on``/``ontable``
atoms has a plan exactly when some state satisfies it. That is a question about the
goal alone, answered here before any search (the solver refuses such goals, the
generator writes PlanBench's unsolvable sets with it, the answer reader recognises a
correct refusal by it).
"""

from __future__ import annotations

from dataclasses import dataclass

from planbench.errors import InputError
from planbench.world.problem import Problem


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
