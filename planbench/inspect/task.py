"""The ``planbench/planbench`` Inspect task: planbench's questions, solver and scorer.

    inspect eval planbench/planbench --model openai/gpt-4o-mini \
        -T set=planbench-3 -T encoding=mystery -T style=zero-shot

``-T`` options are ``planbench run``'s: ``set``, ``encoding`` (default: the set's own),
``style`` (task 1), ``task`` (t1 ... t8_3, or PlanBench's words; tasks 2-8 as their modules
register), ``extractor``, ``system`` (true, false or a text; default: as planbench sends it),
``fix_quirks``, ``wording``, ``seed``, ``strategy`` (single, backprompt, revise) and
``rounds``. Inspect's ``--epochs K`` asks each question K times; the answers are reduced by
planbench's vote (``planbench/vote``) unless ``--epochs-reducer`` says otherwise.
"""

from __future__ import annotations

from dataclasses import asdict

from inspect_ai import Epochs, Task, task
from inspect_ai.dataset import MemoryDataset

from planbench import __version__
from planbench.errors import InputError
from planbench.inspect.answers import check_extractor
from planbench.inspect.questions import SETTINGS_KEY, Settings, records, to_sample
from planbench.inspect.scorer import planbench_scorer, vote
from planbench.inspect.solver import SOLVER_STRATEGIES, planbench_solver


@task
def planbench(set: str = "planbench-3", encoding: str | None = None, style: str | None = "zero-shot",
              task: str = "t1", extractor: str = "default", system: bool | str | None = None,
              fix_quirks: bool = False, wording: str = "current", seed: int = 0, strategy: str = "single",
              rounds: int | None = None) -> Task:
    """PlanBench, as planbench asks and judges it."""
    settings = Settings.make(set, encoding, style, task, system, fix_quirks, wording, seed)
    check_extractor(settings.task, str(extractor))
    if strategy not in SOLVER_STRATEGIES:
        hint = "; for a vote use --epochs K (reduced by planbench's vote)" if strategy == "vote" else ""
        raise InputError("-T strategy", 0, f"unknown strategy {strategy!r}; choose one of: "
                         f"{', '.join(SOLVER_STRATEGIES)}{hint}")
    if strategy != "single" and settings.task != "t1":
        raise InputError("-T strategy", 0, f"{strategy} follows up on a plan; task {settings.task} is asked once")
    if rounds is not None and (isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0):
        raise InputError("-T rounds", 0, f"rounds must be a whole number from 0, not {rounds!r}")
    samples = [to_sample(record) for record in records(settings)]
    name = "-".join(str(part) for part in (settings.task, settings.set, settings.encoding, settings.style) if part)
    recorded = {**asdict(settings), "extractor": extractor, "strategy": strategy, "rounds": rounds,
                "planbench_version": __version__}
    return Task(dataset=MemoryDataset(samples, name=name), solver=planbench_solver(strategy, rounds),
                scorer=planbench_scorer(str(extractor)), epochs=Epochs(1, vote()),
                metadata={SETTINGS_KEY: recorded})
