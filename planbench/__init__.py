"""planbench: measure whether large language models can plan.

The stages of an evaluation, each a folder: :mod:`planbench.world` (the one Blocksworld,
its encodings, the exact validator and solver), :mod:`planbench.sets` (bundled and
generated instance sets), :mod:`planbench.prompts`, :mod:`planbench.run`,
:mod:`planbench.answers` and :mod:`planbench.results`. From a notebook:
``planbench.load``, ``planbench.evaluate`` (``await planbench.evaluate_async``),
``planbench.export`` (:mod:`planbench.results.api`).
"""

import importlib

__version__ = "0.1.0"

_API = ("load", "summarise", "evaluate", "evaluate_async", "export")

# Modules that were top-level before the world/ and sets/ folders: still reachable as
# ``from planbench import encodings`` so code written against the flat layout keeps working.
_MOVED = {
    "encodings": "planbench.world.encodings",
    "pddl": "planbench.world.pddl",
    "problem": "planbench.world.problem",
    "validate": "planbench.world.validate",
    "solve": "planbench.world.solve",
    "instances": "planbench.sets.instances",
    "generate": "planbench.sets.generate",
    "reference": "planbench.sets.reference",
}


def __getattr__(name: str):
    """``planbench.load`` and friends, imported when first used (pandas is not cheap)."""
    if name in _API:
        from planbench.results import api

        return getattr(api, name)
    if name in _MOVED:
        return importlib.import_module(_MOVED[name])
    raise AttributeError(f"module 'planbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The API beside the module's own names: ``dir(planbench)`` and tab completion show
    ``load``, ``summarise``, ``evaluate``, ``evaluate_async`` and ``export`` before they are
    first used."""
    return sorted({*globals(), *_API, *_MOVED})
