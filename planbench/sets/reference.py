"""Reference planners, run on the same problem for cross-checks: Fast Downward
(A*/LM-cut through up-fast-downward, as PlanBench computed its optimal plans) and
pyperplan (GPL-3: an optional extra, imported here, never copied).

Both read PDDL files, so a problem is written out in an encoding first; the plan comes
back in canonical names. Neither is needed to use planbench, only to check it.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from planbench.world.encodings import Encoding, get
from planbench.world.problem import Problem, to_pddl


@dataclass(frozen=True)
class ReferenceResult:
    planner: str
    plan: tuple[tuple, ...] | None  # canonical actions; None when not solved in time
    seconds: float

    @property
    def length(self) -> int | None:
        return None if self.plan is None else len(self.plan)


def _write(problem: Problem, encoding: Encoding, folder: Path) -> tuple[Path, Path]:
    domain = folder / "domain.pddl"
    domain.write_text(encoding.domain_pddl)
    instance = folder / "problem.pddl"
    instance.write_text(to_pddl(problem, encoding))
    return domain, instance


def _canonical(encoding: Encoding, name: str, args: list[str]) -> tuple:
    return (encoding.action_from_pddl(name.lower()), *(encoding.object_from_pddl(a.lower()) for a in args))


def fast_downward(problem: Problem, timeout: float = 60.0, encoding: Encoding | None = None) -> ReferenceResult:
    """Fast Downward ``astar(lmcut())`` (optimal) through unified-planning."""
    from unified_planning.engines import PlanGenerationResultStatus
    from unified_planning.io import PDDLReader
    from unified_planning.shortcuts import OneshotPlanner, get_environment

    get_environment().credits_stream = None
    encoding = encoding or get("blocksworld")
    with tempfile.TemporaryDirectory(prefix="planbench-fd-") as folder:
        domain, instance = _write(problem, encoding, Path(folder))
        up_problem = PDDLReader().parse_problem(str(domain), str(instance))
        start = time.perf_counter()
        with contextlib.chdir(folder), OneshotPlanner(name="fast-downward-opt") as planner:
            result = planner.solve(up_problem, timeout=timeout)  # its output.sas lands in the temporary folder
        seconds = time.perf_counter() - start
    solved = {PlanGenerationResultStatus.SOLVED_OPTIMALLY, PlanGenerationResultStatus.SOLVED_SATISFICING}
    if result.status not in solved or result.plan is None:
        return ReferenceResult("fast-downward astar(lmcut())", None, seconds)
    plan = tuple(
        _canonical(encoding, a.action.name, [str(p) for p in a.actual_parameters]) for a in result.plan.actions
    )
    return ReferenceResult("fast-downward astar(lmcut())", plan, seconds)


def fast_downward_as_planbench(problem: Problem, encoding: Encoding | None = None, timeout: float = 300.0,
                               domain: str | None = None, problem_text: str | None = None) -> ReferenceResult:
    """Fast Downward ``astar(lmcut())`` run as PlanBench ran it: its driver
    (``fast-downward.py``, the copy up-fast-downward ships) on our PDDL files, the plan read
    from ``sas_plan``. Among equally short plans it picks PlanBench's: it reproduces every
    gold plan bundled with PlanBench's sets (Blocksworld 602/602, Mystery and Randomized
    101/101 on the 3-block set), where :func:`fast_downward` (through unified-planning,
    which rewrites the PDDL) picks another on 121 of the 602. ``domain``/``problem_text``
    replace the files written from ``problem`` (to try other atom orders)."""
    import subprocess
    import sys

    import up_fast_downward

    driver = Path(up_fast_downward.__file__).parent / "downward" / "fast-downward.py"
    encoding = encoding or get("blocksworld")
    with tempfile.TemporaryDirectory(prefix="planbench-fd-") as folder:
        path = Path(folder)
        (path / "domain.pddl").write_text(domain or encoding.domain_pddl)
        (path / "problem.pddl").write_text(problem_text or to_pddl(problem, encoding))
        start = time.perf_counter()
        try:
            subprocess.run([sys.executable, str(driver), "domain.pddl", "problem.pddl", "--search", "astar(lmcut())"],
                           cwd=folder, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return ReferenceResult("fast-downward driver astar(lmcut())", None, time.perf_counter() - start)
        seconds = time.perf_counter() - start
        found = path / "sas_plan"
        if not found.exists():
            return ReferenceResult("fast-downward driver astar(lmcut())", None, seconds)
        steps = [line for line in found.read_text().splitlines() if line.strip() and not line.startswith(";")]
    plan = tuple(_canonical(encoding, *_split(line)) for line in steps)
    return ReferenceResult("fast-downward driver astar(lmcut())", plan, seconds)


def pyperplan(problem: Problem, search: str = "astar", heuristic: str = "lmcut",
              encoding: Encoding | None = None) -> ReferenceResult:
    """pyperplan's search (A*/LM-cut by default: optimal). Needs ``pip install '.[pyperplan]'``."""
    import logging

    from pyperplan import planner

    logging.getLogger().setLevel(logging.WARNING)
    encoding = encoding or get("blocksworld")
    with tempfile.TemporaryDirectory(prefix="planbench-pyperplan-") as folder:
        domain, instance = _write(problem, encoding, Path(folder))
        start = time.perf_counter()
        operators = planner.search_plan(str(domain), str(instance), planner.SEARCHES[search], planner.HEURISTICS[heuristic])
        seconds = time.perf_counter() - start
    if operators is None:
        return ReferenceResult(f"pyperplan {search}/{heuristic}", None, seconds)
    plan = tuple(_canonical(encoding, *_split(op.name)) for op in operators)
    return ReferenceResult(f"pyperplan {search}/{heuristic}", plan, seconds)


def _split(name: str) -> tuple[str, list[str]]:
    words = name.strip("()").split()
    return words[0], words[1:]
