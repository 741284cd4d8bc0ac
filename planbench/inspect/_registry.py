"""What Inspect loads through planbench's entry point (``[project.entry-points.inspect_ai]``):
importing the modules registers the task ``planbench/planbench``, its scorer, solver and the
``planbench/vote`` reducer."""

from planbench.inspect.scorer import planbench_scorer, vote  # noqa: F401
from planbench.inspect.solver import planbench_solver  # noqa: F401
from planbench.inspect.task import planbench  # noqa: F401
