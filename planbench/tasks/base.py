"""The seam every PlanBench task goes through: what it asks, what it expects, how it judges.

A task (t1 plan generation ... t8_3 partial-to-full goal) is a small object over the world:

- :meth:`Task.prompts` builds the prompts PlanBench would send for a set and encoding,
  byte for byte where PlanBench had them (its random draws replayed in its order), each
  with the ``truth`` it is judged against, computed by our solver, simulator and
  validator (never copied from PlanBench's files);
- :meth:`Task.judge` reads one answer and says whether it is right, with the columns the
  task adds to ``scores.csv``. Two readings, as for task 1: ``extractor="default"`` reads
  the answer as our default extractor does and judges it exactly against what the prompt
  asks; ``extractor="planbench"`` is PlanBench's own evaluator for the task, quirks
  included, so its recorded verdicts are reproduced.

Inspect AI's Task (dataset + solver + scorer) is the model: one short module per task,
registered by name in :mod:`planbench.tasks`; the run stage sends whatever messages a task
built, the results stage aggregates rows by ``task``. Adding a task is adding a file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from planbench.errors import InputError
from planbench.sets.instances import Instance, InstanceSet
from planbench.world.encodings import Encoding
from planbench.world.problem import Problem


@dataclass(frozen=True)
class TaskOptions:
    """How prompts are built. The defaults reproduce PlanBench's recorded prompts."""

    fix_quirks: bool = False  # repair PlanBench's prompt quirks (whitespace, repeated examples...)
    wording: str = "current"  # "current": the prompts models answered; t3 also "head" (the released HEAD files)
    seed: int = 0  # draws for sets that are not PlanBench's own: seeded by (seed, task, instance)
    style: str | None = None  # t1 only: its prompt style (tasks 2-8 are one-shot, as PlanBench's)


@dataclass(frozen=True)
class TaskPrompt:
    """One question of a task: the user message and everything its answer is judged by."""

    instance: Instance  # the query instance: part, id, blocks and optimal length come from it
    text: str  # the user message, byte for byte
    truth: dict = field(default_factory=dict)  # JSON-able: gold plan / verdict / state, goal to reach...
    example_ids: tuple[int, ...] = ()  # instances shown as examples


class Task:
    """One PlanBench task. Subclasses set the class attributes and the two methods."""

    name: ClassVar[str]  # "t3"
    title: ClassVar[str]  # "plan verification"
    words: ClassVar[tuple[str, ...]]  # names a user may type: ("verification",)
    planbench_file: ClassVar[str]  # PlanBench's file stem: "task_3_plan_verification"
    answer: ClassVar[str] = "plan"  # what an answer holds: "plan", "verdict" or "state"
    extractors: ClassVar[tuple[str, ...]] = ("default", "planbench")  # the readings judge() knows

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        """Every prompt of the task on this set and encoding, in PlanBench's order."""
        raise NotImplementedError

    def judge(self, text: str, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> dict:
        """One answer's verdict as ``scores.csv`` columns.

        Always ``outcome`` (plan tasks: valid / invalid / unparseable; verdict and state
        tasks: correct / incorrect / unparseable), ``correct`` (the task's headline
        verdict) and ``reason`` (why, in one line); plus the task's own columns."""
        raise NotImplementedError

    def judged_against(self, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> list[tuple[str, str]]:
        """What an answer to this prompt is judged against, for a person, as (label, text)
        lines in the encoding's words: ``planbench show`` prints them and the report's
        answer view shows them, so a wrong answer can be checked by eye. A task without
        words of its own shows its truth as stored."""
        import json

        return [(key, json.dumps(value, ensure_ascii=False)) for key, value in prompt.truth.items()]

    def judged_problem(self, prompt: TaskPrompt, extractor: str = "default") -> Problem | None:
        """The problem a plan answer is walked through in this reading (the validator's walk
        of ``show`` and the report); None where the answer is not a plan."""
        return None

    def judge_response(self, response: dict, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default",
                       translation: str | None = None) -> dict:
        """One recorded answer (``responses.jsonl``'s text, finish_reason, error) judged.

        What the infrastructure did comes first and is never the model's fault: an answer
        cut at the token limit is ``truncated``, none at all ``no_response`` (DESIGN.md's
        outcomes); only a complete answer reaches :meth:`judge`. ``translation`` serves
        task 1's GPT-4o-translation readings; other tasks have none."""
        text = response.get("text")
        if response.get("finish_reason") == "length" and not response.get("error"):
            return {"outcome": "truncated", "correct": False, "reason": "the answer hit the token limit"}
        if not text or not str(text).strip():
            return {"outcome": "no_response", "correct": False, "reason": response.get("error") or "empty answer"}
        return self.judge(str(text), prompt, encoding, extractor)


def steps(count: int) -> str:
    """``1 step``, ``4 steps``."""
    return f"{count} step" + ("" if count == 1 else "s")


def check_wording(task: str, options: TaskOptions, wordings: tuple[str, ...]) -> None:
    """One line for a wording the task does not have (only t3 has two generations of prompts)."""
    if options.wording not in wordings:
        raise InputError("--wording", 0, f"{task} has the wording(s) {', '.join(wordings)}, not {options.wording!r}")
