"""PlanBench's eight tasks, one module each, registered by name (see :mod:`.base`).

Names: ``t1`` ... ``t8_3``, or the words PlanBench's paper uses (``verification``,
``execution``, ...). Task 1 (plan generation) is the default everywhere.
"""

from __future__ import annotations

from planbench.errors import InputError
from planbench.tasks.base import Task, TaskOptions, TaskPrompt

NAMES = ("t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8_1", "t8_2", "t8_3")
WORDS = {
    "plan-generation": "t1", "optimality": "t2", "verification": "t3", "reuse": "t4", "generalization": "t5",
    "replanning": "t6", "execution": "t7", "goal-shuffling": "t8_1", "full-to-partial": "t8_2",
    "partial-to-full": "t8_3",
}
REGISTRY: dict[str, Task] = {}


def register(task: Task) -> Task:
    """Add a task to the registry (each task module calls this once, at import)."""
    REGISTRY[task.name] = task
    return task


def canonical(name: str) -> str:
    """``t3``, ``T3``, ``verification`` or ``task_3`` -> ``t3``; anything else is one clear line."""
    key = str(name).strip().lower().replace("task_", "t").replace("task", "t").replace(" ", "-")
    key = WORDS.get(key, key).replace(".", "_")
    if key not in NAMES:
        choices = ", ".join(f"{n} ({w})" for w, n in WORDS.items())
        raise InputError("--task", 0, f"unknown task {name!r}; choose one of: {choices}")
    return key


__all__ = ["NAMES", "REGISTRY", "WORDS", "Task", "TaskOptions", "TaskPrompt", "canonical", "register"]

# Each task module registers its Task at import (one line per module).
from planbench.tasks import t1_generation  # noqa: E402,F401
from planbench.tasks import t2_optimality  # noqa: E402,F401
from planbench.tasks import t3_verification  # noqa: E402,F401
from planbench.tasks import t4_reuse  # noqa: E402,F401
from planbench.tasks import t5_generalization  # noqa: E402,F401
from planbench.tasks import t6_replanning  # noqa: E402,F401
from planbench.tasks import t7_execution  # noqa: E402,F401
from planbench.tasks import t8_goal_reformulation  # noqa: E402,F401
