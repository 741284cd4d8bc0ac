"""When the solver gives up: one node count and one deadline for every part of the search.

Branch and bound and the 0-1 program both spend the same allowance (``max_nodes``,
``max_seconds`` of :func:`~planbench.world.solve.solve`), so the counter and the clock
live in one object that each part is handed, and the node count a solution reports is
the sum of both parts' work.
"""

from __future__ import annotations

import time


class SolverLimit(Exception):
    """The search hit its node or time limit before proving an optimal plan."""


class Limits:
    """The node count so far, the node limit and the deadline of one solve."""

    def __init__(self, max_nodes: int, max_seconds: float):
        self.max_nodes = max_nodes
        self.started = time.perf_counter()
        self.deadline = self.started + max_seconds
        self.nodes = 0

    def check_time(self) -> None:
        """The time limit holds everywhere, not only between search nodes: one step of
        the search on a thousand blocks can take seconds."""
        if time.perf_counter() > self.deadline:
            raise SolverLimit(f"gave up after {time.perf_counter() - self.started:.1f} s ({self.nodes} search nodes)")

    def seconds_left(self) -> float:
        return self.deadline - time.perf_counter()
