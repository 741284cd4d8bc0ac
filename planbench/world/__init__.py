"""The world stage: the one Blocksworld and everything exact about it.

``blocks`` (atoms, the four actions, states as bitsets), ``encodings`` (the names a model
sees), ``pddl`` (reading and writing PDDL), ``problem``, ``validate`` (the exact
simulator's verdict on a plan) and ``solve`` (the exact optimal solver). This stage knows
nothing of sets, prompts or models.

The Blocksworld core is re-exported here, so ``from planbench import world`` and
``world.World`` keep working as they did when it was one module.
"""

from planbench.world.blocks import (
    ACTION_ARITY,
    ACTIONS,
    PREDICATE_ARITY,
    PREDICATES,
    SCHEMAS,
    Action,
    Atom,
    Towers,
    World,
    block_index,
    block_name,
    ground,
    shared,
)

__all__ = [
    "ACTION_ARITY", "ACTIONS", "PREDICATE_ARITY", "PREDICATES", "SCHEMAS", "Action", "Atom",
    "Towers", "World", "block_index", "block_name", "ground", "shared",
]
