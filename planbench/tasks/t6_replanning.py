"""Task 6, replanning: a plan was being executed when something unexpected happened; plan again.

PlanBench's ``task_6_replanning`` (FACTS-tasks.md §7). Query i with instance i-1 as the
example; for the example and then the query, PlanBench's Blocksworld event:

1. execute a random prefix of the plan (``random_prefix_execution``, 1 .. L-1 actions),
   drawn again until the hand holds a block;
2. choose a clear block among the sorted clear ones (one draw);
3. the held block lands on it: ``on X Y``, ``handempty``, ``clear X`` become true,
   ``holding X`` and ``clear Y`` false;
4. plan again from that state to the original goal. PlanBench ran Fast Downward; its plan
   is ours where our solver's optimal plan is the same, and is bundled with the instance
   (``Instance.replan``) where Fast Downward broke a tie differently
   (``scripts/bundle_fd_replans.py``). The event may achieve the goal: the replan is empty.

The prompt says the event happened "at step k" (k = the prefix length, counted from 1)
and keeps PlanBench's wording ("the following facts unexpectedly became true" then "The
following facts became unexpectedly false") and its single newline before the last [PLAN].

Readings: both judge the answer from the state after the event to the original goal.
``planbench`` is PlanBench's evaluator: where the event achieved the goal, an answer with
no action it can read is correct. ``default`` accepts no action there only when the
answer says so: an empty plan block, or words that no action is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

from planbench.errors import InputError
from planbench.prompts.statements import plan_block, state_text
from planbench.prompts.styles import queries_and_examples
from planbench.sets.instances import Instance, InstanceSet
from planbench.tasks import register
from planbench.tasks.base import TaskOptions, TaskPrompt, check_wording
from planbench.tasks.draws import Draws, random_prefix_execution
from planbench.tasks.judging import check_extractor, judge_plan
from planbench.tasks.plan_task import (DrawStreams, PlanTask, intro, judged_problem, solvable_with_plan, state_after,
                                       state_statement, truth)
from planbench.world.encodings import Encoding
from planbench.world.problem import Problem
from planbench.world.solve import solve

Atom = tuple
Action = tuple

REPLANNED = "\nAfter re-planning from the new state, the plan is as follows:\n[PLAN]"
# An answer that says no action is left to do (the event achieved the goal): an empty plan
# block, or words to that effect.
NOTHING_TO_DO = re.compile(
    r"^\s*(\[PLAN\]\s*)?\[PLAN END\]\s*$"
    r"|\bno (further |more |additional |other )?(actions?|steps?|moves?|re-?planning)\b[^.\n]*\b(needed|required|necessary)\b"
    r"|\b(nothing|no action) (more |else )?(needs|has|is needed|is required|to (do|be done))\b"
    r"|\bgoal (state |condition )?(is|has been|was) (already )?(unexpectedly )?(achieved|satisfied|reached|met)\b"
    r"|\bempty plan\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class Event:
    """What happened: after ``step`` actions the held block fell onto ``onto``."""

    step: int
    held: str
    onto: str
    added: tuple[Atom, ...]
    deleted: tuple[Atom, ...]
    state: tuple[Atom, ...]  # the state after the event: the replan's initial state


def draw_event(draws: Draws, instance: Instance, plan: tuple[Action, ...], encoding: Encoding) -> Event:
    """PlanBench's Blocksworld event on a plan, with its draws in its order (module doc)."""
    problem = instance.problem
    if not any(a[0] in ("pick-up", "unstack") for a in plan[: len(plan) - 1]):
        raise InputError(f"instance {instance.key}", 0, "t6 (replanning) needs a plan that holds a block before its "
                         "last step; no event is possible on this one")
    while True:
        step = random_prefix_execution(draws, len(plan))
        state = state_after(problem, plan[:step])
        held = next((atom[1] for atom in state if atom[0] == "holding"), None)
        if held is not None:
            break
    clear = sorted((atom[1] for atom in state if atom[0] == "clear"), key=encoding.object_to_pddl)
    onto = draws.choice(clear)
    added = (("on", held, onto), ("handempty",), ("clear", held))
    deleted = (("holding", held), ("clear", onto))
    after = tuple(a for a in state if a not in deleted) + added
    return Event(step, held, onto, added, deleted, after)


def replan(instance: Instance, state: tuple[Atom, ...], encoding: Encoding) -> tuple[Action, ...]:
    """The plan from the state after the event to the goal that PlanBench's Fast Downward
    found: bundled where it differs from our solver's, our solver's otherwise."""
    bundled = instance.replan(encoding.name, state)
    if bundled is not None:
        return bundled
    problem = instance.problem
    return solve(Problem(problem.name, problem.blocks, state, problem.goal), source=f"instance {instance.key}").plan


def event_text(plan: tuple[Action, ...], event: Event, encoding: Encoding) -> str:
    return ("During execution, an unexpected event has occurred.\n"
            f"After executing the action \"{encoding.action_to_text(plan[event.step - 1])}\" at step {event.step} "
            f"in the plan, the following facts unexpectedly became true: {state_text(event.added, encoding)}\n"
            f"The following facts became unexpectedly false: {state_text(event.deleted, encoding)}")


def events(instance_set: InstanceSet, encoding: Encoding, seed: int = 0) -> Iterator[tuple[Instance, Event, Instance, Event]]:
    """(example, its event, query, its event) for every query, drawn in PlanBench's order:
    per query, the example's draws then the query's, each after PlanBench built an Executor
    for it (mode H reseeds there)."""
    for instance in instance_set.instances:  # every one may be asked or shown: refuse before drawing
        solvable_with_plan(instance, "t6 (replanning)", needs=2)
    streams = DrawStreams("t6", encoding, seed)
    for query, example in queries_and_examples(instance_set, "one-shot", seed):
        draws = streams.for_query(query)
        drawn = []
        for instance in (example, query):
            draws.executor()
            drawn.append(draw_event(draws, instance, instance.gold(encoding.name), encoding))
        yield example, drawn[0], query, drawn[1]


def case(instance: Instance, event: Event, encoding: Encoding) -> str:
    """One instance's statement, plan and event, up to the [PLAN] of its replan."""
    plan = instance.gold(encoding.name)
    problem = instance.problem
    return (state_statement(state_text(problem.init, encoding), state_text(problem.goal, encoding),
                            plan_block(plan, encoding))
            + "\n" + event_text(plan, event, encoding) + REPLANNED)


class Replanning(PlanTask):
    name = "t6"
    title = "replanning"
    words = ("replanning",)
    planbench_file = "task_6_replanning"

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        check_wording(self.name, options, ("current",))
        out = []
        for example, shown, query, event in events(instance_set, encoding, options.seed):
            text = (intro(encoding, query) + case(example, shown, encoding)
                    + plan_block(replan(example, shown.state, encoding), encoding) + case(query, event, encoding))
            gold = replan(query, event.state, encoding)
            out.append(TaskPrompt(query, text, truth(event.state, query.problem.goal, gold, event_step=event.step),
                                  (example.id,)))
        return out

    def judge(self, text: str, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> dict:
        check_extractor(extractor)
        problem = judged_problem(prompt, extractor)
        row = judge_plan(text, problem, encoding, extractor, prompt.truth.get("optimal_length"))
        if (extractor == "default" and row["outcome"] == "unparseable" and not prompt.truth["plan"]
                and NOTHING_TO_DO.search(text or "")):
            row.update(outcome="valid", correct=True, valid=True, optimal=True, excess_steps=0, plan_length=0,
                       failure_kind=None, reason="the event achieved the goal; the answer says no action is needed")
        return row


TASK = register(Replanning())
