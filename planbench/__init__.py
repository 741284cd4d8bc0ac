"""planbench: measure whether large language models can plan.

One world (Blocksworld, :mod:`planbench.world`), many encodings
(:mod:`planbench.encodings`), an exact validator (:mod:`planbench.validate`); the stages of
an evaluation in :mod:`planbench.sets`-like modules (``instances``, ``generate``),
:mod:`planbench.prompts`, :mod:`planbench.run`, :mod:`planbench.answers` and
:mod:`planbench.results`. From a notebook: ``planbench.load``, ``planbench.evaluate``,
``planbench.export`` (:mod:`planbench.results.api`).
"""

__version__ = "0.1.0"

_API = ("load", "evaluate", "export")


def __getattr__(name: str):
    """``planbench.load`` and friends, imported when first used (pandas is not cheap)."""
    if name in _API:
        from planbench.results import api

        return getattr(api, name)
    raise AttributeError(f"module 'planbench' has no attribute {name!r}")
