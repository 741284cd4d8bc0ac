"""What the plan tasks of PlanBench (t4 reuse, t5 generalization, t6 replanning, t8 goal
reformulation) share: a truth that names the problem an answer is judged against, and the
judging of a plan answer both ways against it.

Each of these tasks asks for a plan, but not always for the instance's own problem: t4
asks to reach the state after a prefix, t6 to plan from the state after an event, t8_3 to
reach the full final state. So every prompt's ``truth`` says which problem the prompt
states (``init``, ``goal``) and, where PlanBench's evaluator checked another goal than the
prompt states (t4: only the facts the prefix added; t8_3: the original partial goal),
that goal too (``planbench_goal``). The default reading judges against what the prompt
states, exactly; the planbench reading against what PlanBench checked, quirks included.

Atoms and actions are stored in canonical names as PDDL-like strings (``"(on a b)"``,
``"(stack a b)"``) so the truth is JSON and reads the same in every encoding.
"""

from __future__ import annotations

from typing import Iterable

from planbench.errors import InputError
from planbench.prompts.statements import domain_intro, state_text
from planbench.sets.instances import Instance, format_action, parse_action
from planbench.tasks.base import Task, TaskPrompt, steps
from planbench.tasks.draws import Draws, draw_mode
from planbench.tasks.judging import check_extractor, judge_plan
from planbench.world.encodings import Encoding
from planbench.world.problem import Problem
from planbench.world.validate import trace

Atom = tuple
Action = tuple


def to_strings(items: Iterable[tuple]) -> list[str]:
    """Canonical atoms or actions as ``"(on a b)"`` strings, in the given order."""
    return [format_action(item) for item in items]


def from_strings(items: Iterable[str]) -> tuple[tuple, ...]:
    return tuple(parse_action(item) for item in items)


def truth(init: Iterable[Atom], goal: Iterable[Atom], plan: Iterable[Action], planbench_goal: Iterable[Atom] | None = None,
          **more) -> dict:
    """A plan task's truth: the problem the prompt states, the gold plan (its length is the
    optimal length: every gold is an optimal plan), and PlanBench's goal where it differs."""
    plan = list(plan)
    out = {"init": to_strings(init), "goal": to_strings(goal), "plan": to_strings(plan), "optimal_length": len(plan)}
    if planbench_goal is not None:
        out["planbench_goal"] = to_strings(planbench_goal)
    out.update(more)
    return out


def judged_problem(prompt: TaskPrompt, extractor: str) -> Problem:
    """The problem an answer is judged against in a reading (see the module's docstring)."""
    facts = prompt.truth
    goal = facts.get("planbench_goal", facts["goal"]) if extractor == "planbench" else facts["goal"]
    problem = prompt.instance.problem
    return Problem(problem.name, problem.blocks, from_strings(facts["init"]), from_strings(goal))


def state_after(problem: Problem, plan: Iterable[Action]) -> list[Atom]:
    """The atoms that hold after a plan (every step of a gold plan applies), in bit order."""
    plan = tuple(plan)
    states = trace(problem, plan)
    if len(states) != len(plan) + 1:
        raise AssertionError(f"internal error: a gold plan fails at step {len(states)}")
    return problem.world.atoms(states[-1])


def state_statement(init: str, goal: str, plan: str) -> str:
    """A [STATEMENT] in S's words, as tasks 4 and 6 write it: no blank line before "My plan"
    (unlike ``fill_template``), no "-" or "ontable" rewriting. ``plan`` follows [PLAN]."""
    return (f"\n[STATEMENT]\nAs initial conditions I have that, {init}.\nMy goal is to have that {goal}."
            f"\nMy plan is as follows:\n\n[PLAN]{plan}")


def intro(encoding: Encoding, instance: Instance) -> str:
    return domain_intro(encoding, instance.part)


def solvable_with_plan(instance: Instance, task: str, needs: int = 1) -> None:
    """A task that shows or cuts the instance's plan refuses one whose plan is too short
    (or missing: a problem with no plan, or a set file that gives none), in one line naming
    the instance and why. Every task 2-8 needs it: asked with an empty gold plan, t2 took 0
    steps for optimal and t3 showed the empty plan as its valid example."""
    if not instance.solvable:
        raise InputError(f"instance {instance.key}", 0, f"{task} needs a solvable problem; this one has no plan")
    if not instance.plan:  # sets never hold a problem whose goal already holds (PlanBench drops those)
        raise InputError(f"instance {instance.key}", 0, f"has no gold plan in its set, which {task} needs")
    if instance.length < needs:
        raise InputError(f"instance {instance.key}", 0,
                         f"{task} needs a plan of at least {needs} step(s); its optimal plan has {instance.length}")


class DrawStreams:
    """One :class:`Draws` per set part, as PlanBench drew each prompt file in one stream."""

    def __init__(self, task: str, encoding: Encoding, seed: int):
        self.task, self.encoding, self.seed = task, encoding, seed
        self.streams: dict[str, Draws] = {}

    def for_query(self, instance: Instance) -> Draws:
        """The stream of the instance's part, told that this query begins."""
        draws = self.streams.get(instance.part)
        if draws is None:
            draws = self.streams[instance.part] = Draws(draw_mode(instance, self.encoding), self.task, self.seed)
        draws.query(instance)
        return draws


class PlanTask(Task):
    """A task whose answer is a plan, judged against the problem its truth names."""

    answer = "plan"

    def judge(self, text: str, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> dict:
        check_extractor(extractor)
        problem = judged_problem(prompt, extractor)
        return judge_plan(text, problem, encoding, extractor, prompt.truth.get("optimal_length"))

    def judged_problem(self, prompt: TaskPrompt, extractor: str = "default") -> Problem | None:
        return judged_problem(prompt, extractor)

    def judged_against(self, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> list[tuple[str, str]]:
        """The problem the prompt states (initial state, goal), the goal PlanBench's
        evaluator checked where it is another (t4, t8_3), and an optimal plan."""
        facts = prompt.truth
        lines = [("initial state", state_text(from_strings(facts["init"]), encoding)),
                 ("goal the prompt states", state_text(from_strings(facts["goal"]), encoding))]
        if "planbench_goal" in facts:
            lines.append(("goal PlanBench's evaluator checks (the planbench reading)",
                          state_text(from_strings(facts["planbench_goal"]), encoding)))
        return lines + [optimal_plan_line(from_strings(facts["plan"]), encoding)]


def optimal_plan_line(plan: tuple[Action, ...], encoding: Encoding) -> tuple[str, str]:
    """("an optimal plan (N steps)", its steps in the encoding's words), or the empty plan's
    line where the goal already holds (t6 after some events)."""
    if not plan:
        return "an optimal plan", "the empty plan: the goal already holds"
    return f"an optimal plan ({steps(len(plan))})", "; ".join(encoding.action_to_text(a) for a in plan)
