"""The ``planbench`` command: a thin command per verb, grouped by stage in this folder
(world, sets, prompts, run, batch, results); :mod:`planbench.cli.common` holds the group
and what the commands share."""

from planbench.cli import batch, prompts, results, run, sets, world  # noqa: F401  (they register their commands)
from planbench.cli.common import main

__all__ = ["main"]
