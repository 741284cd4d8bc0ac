"""Judging an answer that is a plan, both ways, against a given initial state and goal.

Tasks 2, 4, 5, 6 and 8 ask for a plan; each judges it against a problem of its own (t4: the
goal the prompt states, or the facts the prefix added; t6: the state after the event), so
the problem is an argument here, not the instance's.

- ``extractor="default"``: our default extractor finds the plan the answer means
  (:func:`planbench.answers.extract`) and our validator judges it exactly. An answer with
  no plan is ``unparseable``, with the reason.
- ``extractor="planbench"``: PlanBench's ``evaluate_plan`` (FACTS-tasks.md §2.5-2.6): the
  2023 rule parser (no cut at [PLAN END], no ``*`` stripped, every line read) and VAL's
  verdict on what it read. As in VAL, an empty plan is valid when the goal already holds
  (t6's "empty plan wins"); otherwise an empty reading is ``unparseable``.

t2 adds optimality: correct iff valid and exactly ``optimal_length`` steps (PlanBench
compares the number of plan lines with Fast Downward's cost; the model's stated time is
ignored).
"""

from __future__ import annotations

from planbench.answers.extract import extract
from planbench.answers.rules import planbench_rule, readable_plan  # noqa: F401 (kept importable here)
from planbench.world.encodings import Encoding
from planbench.world.problem import Problem
from planbench.world.validate import validate

Action = tuple

EXTRACTORS = ("default", "planbench")
PLAN_COLUMNS = ("outcome", "correct", "valid", "optimal", "excess_steps", "plan_length", "failing_step",
                "failure_kind", "reason", "extracted_plan")
RULE_GENERATION = "2023"  # the parser of every recorded t2-t8 verdict (FACTS-tasks.md §0.1 item 4)
PLANBENCH_OBJECTS = 12  # PlanBench's configs name 12 objects; bigger problems get all of theirs


def check_extractor(extractor: str) -> None:
    if extractor not in EXTRACTORS:
        raise ValueError(f"unknown extractor {extractor!r} for a task answer: {', '.join(EXTRACTORS)}")


def read_plan(text: str, encoding: Encoding, blocks: int, extractor: str = "default") -> tuple[tuple[Action, ...], str | None]:
    """(plan, why none could be read or None) in one of the two readings."""
    check_extractor(extractor)
    if extractor == "default":
        reading = extract(text, encoding, blocks)
        return reading.plan, reading.failure
    plan = tuple(planbench_rule(text or "", encoding, max(PLANBENCH_OBJECTS, blocks), RULE_GENERATION))
    return plan, None if plan else "no_actions"


def judge_plan(text: str, problem: Problem, encoding: Encoding, extractor: str = "default",
               optimal_length: int | None = None, require_optimal: bool = False) -> dict:
    """One plan answer's verdict as ``scores.csv`` columns (:data:`PLAN_COLUMNS`).

    ``optimal_length`` fills ``optimal`` and ``excess_steps``; ``require_optimal`` (t2) makes
    ``correct`` need them."""
    row: dict = dict.fromkeys(PLAN_COLUMNS)
    row.update(correct=False, valid=False, optimal=False)
    plan, failure = read_plan(text, encoding, problem.name_span, extractor)
    row["extracted_plan"] = " ".join(encoding.action_to_pddl(a) for a in plan) or None
    result = validate(problem, plan)
    if not plan and not (extractor == "planbench" and result.valid):
        reason = "PlanBench's parser read no action" if extractor == "planbench" else f"no plan could be read ({failure})"
        row.update(outcome="unparseable", failure_kind=failure, reason=reason)
        return row
    row["plan_length"] = len(plan)
    if not result.valid:
        row.update(outcome="invalid", failing_step=result.failure.step, failure_kind=result.failure.kind,
                   reason=result.message(encoding, "pddl"))
        return row
    row.update(outcome="valid", valid=True)
    if optimal_length is not None:
        row.update(optimal=len(plan) == optimal_length, excess_steps=len(plan) - optimal_length)
    row["correct"] = bool(row["optimal"]) if require_optimal else True
    if require_optimal and not row["optimal"]:
        row["reason"] = f"valid, but {len(plan)} steps where {optimal_length} suffice"
    return row
