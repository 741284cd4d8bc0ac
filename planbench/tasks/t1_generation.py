"""Task 1, plan generation: the problem is stated, the model gives a plan.

The prompts are :mod:`planbench.prompts.styles`' (every style, byte for byte PlanBench's);
the judging is the one ``scores.csv`` has always had, moved here from the results stage so
that task 1 is a :class:`~planbench.tasks.base.Task` like the others and nothing about it
changed: the plan is read with the named extractor (the default extractor, PlanBench's
rule parsers of each generation, its PDDL-line rule, or its GPT-4o translation) and
judged exactly by our validator against the instance's own problem. On a problem with no
plan the right answer is a refusal.
"""

from __future__ import annotations

from planbench.answers import Extraction, extract, planbench_pddl, planbench_rule
from planbench.answers.translate import postprocess
from planbench.errors import InputError
from planbench.redact import redact
from planbench.prompts.styles import check_style, queries_and_examples, render
from planbench.sets.instances import InstanceSet
from planbench.tasks import register
from planbench.tasks.base import Task, TaskOptions, TaskPrompt
from planbench.world.encodings import Encoding
from planbench.world.validate import validate

EXTRACTORS = ("default", "default-lenient", "planbench-rule", "planbench-rule-2024", "planbench-rule-2023",
              "planbench-pddl", "planbench-llm", "planbench-llm-parens")
LLM_EXTRACTORS = ("planbench-llm", "planbench-llm-parens")
NO_PLAN_MARK = "no plan possible"


def read_plan(text: str, encoding, extractor: str, translation: str | None = None,
              blocks: int = 26) -> tuple[tuple, str | None]:
    """(plan, failure kind or None) with the named extractor."""
    plan, failure, _ = read_answer(text, encoding, extractor, translation, blocks)
    return plan, failure


def read_answer(text: str, encoding, extractor: str, translation: str | None = None,
                blocks: int = 26) -> tuple[tuple, str | None, Extraction | None]:
    """(plan, failure kind or None, the default extractor's full reading or None)."""
    if extractor in LLM_EXTRACTORS:
        if translation is None:
            return (), "no_translation", None
        if NO_PLAN_MARK in translation.lower():  # the translator's refusal, as PlanBench tests it
            return (), "no_plan_claimed", None
        plan = tuple(postprocess(translation, encoding, parens_only=extractor == "planbench-llm-parens"))
        return plan, (None if plan else "no_actions"), None
    if extractor in ("default", "default-lenient"):  # lenient: repairs the default does not make (answers.steps)
        result = extract(text, encoding, blocks, lenient=extractor == "default-lenient")
        return result.plan, result.failure, result
    if NO_PLAN_MARK in text.lower():  # PlanBench's own refusal test (validate_plan_unsolvable)
        return (), "no_plan_claimed", None
    if extractor.startswith("planbench-rule"):
        generation = extractor.rsplit("-", 1)[1] if extractor.count("-") == 2 else "2025"
        plan = tuple(planbench_rule(text, encoding, 12, generation))
    elif extractor == "planbench-pddl":
        plan = tuple(planbench_pddl(text, encoding))
    else:
        raise InputError(extractor, 0, "unknown extractor; choose one of: " + ", ".join(EXTRACTORS))
    return plan, (None if plan else "no_actions"), None


def judge(response: dict, instance, encoding, extractor: str, translation: str | None = None) -> dict:
    """One row of scores.csv for one answer. On a problem with no plan the right answer is
    a refusal (``refused``); any plan is a ``false_plan``. On a solvable problem a refusal
    is a ``false_refusal``. ``correct`` is a valid plan, or a refusal where none exists."""
    row = _judge(response, instance, encoding, extractor, translation)
    row["solvable"] = instance.solvable
    if not instance.solvable:
        if row["outcome"] in ("valid", "invalid"):
            row.update(outcome="false_plan", valid=False, optimal=False, excess_steps=None,
                       reason="a plan for a problem that has none" + (f" ({row['reason']})" if row["reason"] else ""))
        elif row["failure_kind"] == "no_plan_claimed":
            row.update(outcome="refused", reason="said no plan exists, rightly")
    elif row["failure_kind"] == "no_plan_claimed":
        row.update(outcome="false_refusal", reason="said no plan exists, but one does")
    row["correct"] = row["outcome"] in ("valid", "refused")
    return row


def _judge(response: dict, instance, encoding, extractor: str, translation: str | None = None) -> dict:
    row = {"outcome": None, "plan_length": None, "valid": False, "optimal": False, "excess_steps": None,
           "failing_step": None, "failure_kind": None, "reason": None, "extracted_plan": None, "candidates": None,
           "ambiguous": None}
    text = response.get("text")
    if response.get("finish_reason") == "length" and not response.get("error"):
        row.update(outcome="truncated", reason="the answer hit the token limit")
        return row
    if not text or not str(text).strip():
        row.update(outcome="no_response", reason=redact(response.get("error")) or "empty answer")
        return row
    plan, failure, reading = read_answer(str(text), encoding, extractor, translation, instance.problem.name_span)
    if reading is not None:
        row.update(candidates=len(reading.candidates), ambiguous=reading.ambiguous)
    row["extracted_plan"] = " ".join(pddl_step(encoding, a) for a in plan) or None
    if not plan:
        row.update(outcome="unparseable", failure_kind=failure, reason=f"no plan could be read ({failure})")
        return row
    result = validate(instance.problem, plan)
    row["plan_length"] = len(plan)
    if result.valid and instance.solvable:
        row.update(outcome="valid", valid=True, optimal=len(plan) == instance.length,
                   excess_steps=len(plan) - instance.length)
    else:
        row.update(outcome="invalid", failing_step=result.failure.step, failure_kind=result.failure.kind,
                   reason=result.message(encoding, "pddl"))
    return row


def pddl_step(encoding, action: tuple) -> str:
    """A step in the encoding's PDDL names; a step the extractor could not name (an
    unknown action from a translation) as written."""
    try:
        return encoding.action_to_pddl(action)
    except KeyError:
        return "(" + " ".join(str(part).lstrip("?") for part in action) + ")"


class PlanGeneration(Task):
    """PlanBench's task 1 in every prompt style. Its ``planbench`` reading is PlanBench's
    current rule parser (``planbench-rule``); the older generations, the PDDL-line rule
    and the GPT-4o translation are readings of their own, as before."""

    name = "t1"
    title = "plan generation"
    words = ("plan-generation",)
    planbench_file = "task_1_plan_generation"
    answer = "plan"
    extractors = EXTRACTORS + ("planbench",)

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        if options.style is None:
            raise InputError("--style", 0, "task 1 (plan generation) needs a prompt style")
        check_style(options.style)
        return [TaskPrompt(instance, render(instance, encoding, options.style, example, options.fix_quirks,
                                            options.wording),
                           truth={"optimal_length": instance.length, "solvable": instance.solvable},
                           example_ids=(example.id,) if example else ())
                for instance, example in queries_and_examples(instance_set, options.style, options.seed,
                                                              options.fix_quirks)]

    def judge(self, text: str, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> dict:
        return self.judge_response({"text": text}, prompt, encoding, extractor)

    def judge_response(self, response: dict, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default",
                       translation: str | None = None) -> dict:
        return judge(response, prompt.instance, encoding, rule_reading(extractor), translation)


def rule_reading(extractor: str) -> str:
    """Task 1's extractor for a reading's name: ``planbench``, the name every task's
    PlanBench reading has, is PlanBench's current rule parser."""
    return "planbench-rule" if extractor == "planbench" else extractor


TASK = register(PlanGeneration())
