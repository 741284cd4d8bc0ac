"""One answer per prompt and sample (``vote`` runs this K times and decides when scoring)."""

from planbench.run.strategies.base import Strategy


class Single(Strategy):
    name = "single"
