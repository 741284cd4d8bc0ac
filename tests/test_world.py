"""The bitset world against a plain set-of-atoms STRIPS reading of PlanBench's domain file."""

from __future__ import annotations

import random

from planbench import pddl, world
from planbench.world.encodings import get


def strips_actions() -> dict[str, tuple]:
    """(parameters, pre, add, del) per action, read from the shipped domain file itself."""
    spec = pddl.parse_domain(get("blocksworld").domain_pddl)
    return {a.name: (a.parameters, a.precondition, a.add, a.delete) for a in spec.actions}


def ground_atoms(atoms, parameters, args) -> set[tuple]:
    binding = dict(zip(parameters, args))
    return {(a.predicate, *(binding[t] for t in a.args)) for a in atoms}


def test_bitset_semantics_equal_set_semantics_on_random_walks() -> None:
    actions = strips_actions()
    rng = random.Random(1)
    checked = 0
    for n in range(1, 7):
        blocks = [world.block_name(i) for i in range(n)]
        w = world.World(blocks)
        for _ in range(30):
            below = [-1] * n
            order = list(range(n))
            rng.shuffle(order)
            for k in range(1, n):  # random towers
                if rng.random() < 0.5:
                    below[order[k]] = order[k - 1]
            atoms = set(world.Towers(tuple(below)).atoms(blocks))
            state = w.state(atoms)
            for _ in range(40):
                name = rng.choice(world.ACTIONS)
                args = tuple(rng.choice(blocks) for _ in range(world.ACTION_ARITY[name]))
                params, pre, add, delete = actions[name]
                applicable = ground_atoms(pre, params, args) <= atoms
                successor = w.apply(state, (name, *args))
                assert (successor is not None) == applicable, (atoms, name, args)
                unmet = set(w.unmet(state, (name, *args)))
                assert unmet == ground_atoms(pre, params, args) - atoms
                if applicable:
                    atoms = (atoms - ground_atoms(delete, params, args)) | ground_atoms(add, params, args)
                    state = successor
                    assert set(w.atoms(state)) == atoms
                    checked += 1
    assert checked > 500


def test_block_names_round_trip() -> None:
    for i in range(800):
        assert world.block_index(world.block_name(i)) == i
    assert [world.block_name(i) for i in (0, 25, 26, 27)] == ["a", "z", "aa", "ab"]
    assert world.block_index("o1") is None


def test_atom_bits_are_distinct_and_invertible() -> None:
    w = world.World(["a", "b", "c"])
    atoms = [("handempty",)] + [(p, b) for p in ("clear", "ontable", "holding") for b in "abc"]
    atoms += [("on", x, y) for x in "abc" for y in "abc"]
    bits = [w.bit(a) for a in atoms]
    assert len(set(bits)) == len(atoms)
    assert all(w.atom(b.bit_length() - 1) == a for a, b in zip(atoms, bits))
