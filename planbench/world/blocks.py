"""The one Blocksworld: atoms, the four STRIPS actions, states as bitsets.

Every encoding (Blocksworld, Mystery, Randomized, seeded random ones) is a renaming of
this world, so the validator, the solver and the generator all run here, on canonical
names: actions ``pick-up``, ``put-down``, ``stack``, ``unstack``; predicates ``clear``,
``ontable``, ``handempty``, ``holding``, ``on`` (PlanBench's ``blocksworld-4ops``).

A state is a Python ``int`` used as a bitset over the ground atoms of one set of blocks.
That keeps the semantics exactly STRIPS (precondition ⊆ state; state − del + add), with
no assumption that the state is physically consistent, and makes each step a handful
of integer operations: the validator's inner loop.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

ACTIONS: tuple[str, ...] = ("pick-up", "put-down", "stack", "unstack")
ACTION_ARITY: dict[str, int] = {"pick-up": 1, "put-down": 1, "stack": 2, "unstack": 2}
PREDICATES: tuple[str, ...] = ("clear", "ontable", "handempty", "holding", "on")
PREDICATE_ARITY: dict[str, int] = {"clear": 1, "ontable": 1, "handempty": 0, "holding": 1, "on": 2}

Atom = tuple  # ("on", "a", "b"), ("handempty",): predicate name then block names
Action = tuple  # ("stack", "a", "b"): action name then block names

# Preconditions, add and delete lists of PlanBench's domain, in its order, over the
# parameter positions 0 (?ob) and 1 (?underob).
SCHEMAS: dict[str, tuple[tuple, tuple, tuple]] = {
    "pick-up": (
        (("clear", 0), ("ontable", 0), ("handempty",)),
        (("holding", 0),),
        (("clear", 0), ("ontable", 0), ("handempty",)),
    ),
    "put-down": (
        (("holding", 0),),
        (("clear", 0), ("handempty",), ("ontable", 0)),
        (("holding", 0),),
    ),
    "stack": (
        (("clear", 1), ("holding", 0)),
        (("handempty",), ("clear", 0), ("on", 0, 1)),
        (("clear", 1), ("holding", 0)),
    ),
    "unstack": (
        (("on", 0, 1), ("clear", 0), ("handempty",)),
        (("holding", 0), ("clear", 1)),
        (("on", 0, 1), ("clear", 0), ("handempty",)),
    ),
}


def block_name(index: int) -> str:
    """Canonical name of the block with this index: a..z, then aa, ab, ... (PlanBench uses a..o)."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(97 + rest) + name
    return name


@lru_cache(maxsize=4096)
def block_index(name: str) -> int | None:
    """Inverse of :func:`block_name`; None for a name that is not in that scheme."""
    if not name or not name.isascii() or not name.isalpha() or not name.islower():
        return None
    index = 0
    for char in name:
        index = index * 26 + (ord(char) - 96)
    return index - 1


def ground(schema_atoms: Iterable[tuple], args: Sequence[str]) -> list[Atom]:
    """Instantiate schema atoms (predicate, parameter positions...) with block names."""
    return [(atom[0], *(args[i] for i in atom[1:])) for atom in schema_atoms]


class World:
    """The ground atoms of one set of blocks, and the actions over them as bit masks.

    Atom bits: handempty is 0; then clear, ontable and holding for each block; then on
    for each ordered pair. Action masks are computed once per world and cached.
    """

    def __init__(self, blocks: Sequence[str]):
        if len(set(blocks)) != len(blocks):
            raise ValueError(f"duplicate block names in {list(blocks)}")
        self.blocks: tuple[str, ...] = tuple(blocks)
        self.index: dict[str, int] = {b: i for i, b in enumerate(self.blocks)}
        self.n = len(self.blocks)
        self._masks: dict[tuple, tuple[int, int, int]] = {}

    def bit(self, atom: Atom) -> int:
        """The single-bit mask of a ground atom; KeyError for an unknown block or predicate."""
        name = atom[0]
        n = self.n
        if name == "handempty" and len(atom) == 1:
            return 1
        if name == "on" and len(atom) == 3:
            return 1 << (1 + 3 * n + self.index[atom[1]] * n + self.index[atom[2]])
        if len(atom) == 2:
            offset = {"clear": 0, "ontable": 1, "holding": 2}[name]
            return 1 << (1 + offset * n + self.index[atom[1]])
        raise KeyError(atom)

    def atom(self, bit_position: int) -> Atom:
        """The ground atom of one bit position (inverse of :meth:`bit`)."""
        n = self.n
        if bit_position == 0:
            return ("handempty",)
        position = bit_position - 1
        if position < 3 * n:
            kind, block = divmod(position, n)
            return (("clear", "ontable", "holding")[kind], self.blocks[block])
        upper, lower = divmod(position - 3 * n, n)
        return ("on", self.blocks[upper], self.blocks[lower])

    def state(self, atoms: Iterable[Atom]) -> int:
        """The bitset of a collection of ground atoms."""
        mask = 0
        for atom in atoms:
            mask |= self.bit(atom)
        return mask

    def atoms(self, state: int) -> list[Atom]:
        """The ground atoms of a bitset, in bit order (handempty, clear, ontable, holding, on)."""
        out = []
        while state:
            lowest = state & -state
            out.append(self.atom(lowest.bit_length() - 1))
            state ^= lowest
        return out

    def masks(self, action: Action) -> tuple[int, int, int]:
        """(precondition, add, delete) masks of a ground action; KeyError if not one."""
        cached = self._masks.get(action)
        if cached is None:
            pre, add, delete = SCHEMAS[action[0]]
            args = action[1:]
            if len(args) != ACTION_ARITY[action[0]]:
                raise KeyError(action)
            cached = (
                self.state(ground(pre, args)),
                self.state(ground(add, args)),
                self.state(ground(delete, args)),
            )
            self._masks[action] = cached
        return cached

    def unmet(self, state: int, action: Action) -> list[Atom]:
        """Preconditions of ``action`` false in ``state``, in the domain file's order."""
        pre = SCHEMAS[action[0]][0]
        return [atom for atom in ground(pre, action[1:]) if not state & self.bit(atom)]

    def apply(self, state: int, action: Action) -> int | None:
        """The successor state, or None where a precondition is unmet."""
        pre, add, delete = self.masks(action)
        if state & pre != pre:
            return None
        return (state & ~delete) | add


@lru_cache(maxsize=256)
def shared(blocks: tuple[str, ...]) -> World:
    """One World per set of block names: its action masks depend on nothing else, so every
    problem over the same blocks reuses them (scoring validates thousands of problems)."""
    return World(blocks)


@dataclass(frozen=True)
class Towers:
    """A physically consistent state: each block on the table or on one block, nothing held.

    ``below[i]`` is the index of the block under block i, or -1 for the table. This is the
    representation the solver and the generator work with.
    """

    below: tuple[int, ...]

    def atoms(self, blocks: Sequence[str]) -> list[Atom]:
        """The complete STRIPS description: handempty, on/ontable for each block, clear ones."""
        covered = {j for j in self.below if j >= 0}
        atoms: list[Atom] = [("handempty",)]
        for i, j in enumerate(self.below):
            atoms.append(("ontable", blocks[i]) if j < 0 else ("on", blocks[i], blocks[j]))
        atoms.extend(("clear", blocks[i]) for i in range(len(self.below)) if i not in covered)
        return atoms
