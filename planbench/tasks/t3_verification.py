"""t3, plan verification: is this plan valid, and if not, what fails first?

Each prompt (FACTS-tasks.md §4) shows three examples, one plan of each type in a drawn
order, each followed by its [VERIFICATION], then asks about a fourth plan. The types, from
an optimal plan of L steps:

- ``1``: the plan itself ("The above plan is valid.");
- ``0``: a plan that runs but misses the goal. In the prompts models answered (the default
  wording, ``current``) the plan without its last action; in PlanBench's released files
  (``wording="head"``) a random prefix of 0 to L-2 actions;
- ``-1``: a plan with one inner action removed and the rest shuffled, which usually fails on
  a precondition (or else on the goal).

Draws, in PlanBench's order per query i: three example ids with replacement from the part's
other instances, a shuffle of the three types, each example's own draws, the query's type,
then the query's draws. ``current`` replays mode R in every encoding (the answered Mystery
prompts too, with Mystery's older introduction); ``head`` replays mode H (seed 42, reseeded
with 10 at each Executor). Messages are PlanBench's VAL-derived wording built from our
validator's verdict on the shown plan, so the truth is computed, not copied.

Judging: ``correct`` is the binary verdict, ``correct_type`` adds the kind of failure,
``correct_explanation`` the failing step's action and unmet preconditions or the unmet
goals. The default reading asks for exactly the truth (the same action at the same step,
the same set of atoms); PlanBench's reading accepts any one right atom, as it did.
"""

from __future__ import annotations

import json

from planbench.answers.verdicts import planbench_judgement, planbench_verdict, read_verdict
from planbench.errors import InputError
from planbench.prompts.statements import domain_intro, plan_block, state_text, validation_message
from planbench.sets.instances import Instance, InstanceSet, format_action, parse_action
from planbench.tasks import register
from planbench.tasks.base import Task, TaskOptions, TaskPrompt, check_wording, steps
from planbench.tasks.draws import Draws, draw_mode
from planbench.tasks.judging import check_extractor
from planbench.tasks.plan_task import solvable_with_plan
from planbench.world.encodings import Encoding
from planbench.world.validate import validate

Action = tuple

WORDINGS = ("current", "head")
TYPES = (-1, 0, 1)  # inexecutable, unmet goal, valid
COLUMNS = ("outcome", "correct", "correct_type", "correct_explanation", "reason", "extracted_verdict")


def shown_plan(plan: tuple[Action, ...], kind: int, draws: Draws, head: bool) -> tuple[Action, ...]:
    """``task_utils.plan_verification``: the plan of one type, with its draws."""
    plan = list(plan)
    if kind == -1:
        removed = draws.choice(range(1, len(plan) - 1)) if len(plan) > 2 else 1
        plan = plan[:removed] + plan[removed + 1:]
        draws.shuffle(plan)
    elif kind == 0:
        plan = plan[:draws.choice(range(0, len(plan) - 1))] if head else plan[:-1]
    return tuple(plan)


def statement(instance: Instance, plan: tuple[Action, ...], encoding: Encoding, message: str | None,
              fix_quirks: bool = False) -> str:
    """One [STATEMENT] with its plan; ``message`` None ends at [VERIFICATION] (the query).
    Quirks (``fix_quirks`` repairs them): the goal's period is followed by a space, an
    invalid message has no final newline, one unmet precondition reads "invalid.The"."""
    problem = instance.problem
    goal_end = ".\n" if fix_quirks else ". \n"
    text = (f"\n[STATEMENT]\nAs initial conditions I have that, {state_text(problem.init, encoding)}."
            f"\nMy goal is to have that {state_text(problem.goal, encoding)}{goal_end}My plan is as follows:\n\n[PLAN]"
            + plan_block(plan, encoding) + "\n[VERIFICATION]")
    if message is None:
        return text
    if fix_quirks:
        message = message.replace("invalid.The", "invalid. The").rstrip("\n") + "\n"
    return text + "\n" + message


def truth_of(instance: Instance, plan: tuple[Action, ...], kind: int, encoding: Encoding) -> dict:
    """What the query's verification should say, from our validator (canonical names)."""
    result = validate(instance.problem, plan)
    failure = result.failure
    message = validation_message(failure, encoding)
    if message is None:
        raise InputError(f"instance {instance.key}", 0, f"its type {kind} plan cannot be described as VAL would")
    truth = {"type": kind, "valid": result.valid, "message": message, "plan": [format_action(a) for a in plan],
             "kind": None, "step": None, "action": None, "unmet": []}
    if failure is not None:
        truth.update(kind="unmet_goal" if failure.kind == "goal_not_reached" else "unmet_precondition",
                     step=failure.step, action=format_action(failure.action) if failure.action else None,
                     unmet=sorted(format_action(a) for a in failure.unmet))
    return truth


class Verification(Task):
    name = "t3"
    title = "plan verification"
    words = ("verification",)
    planbench_file = "task_3_plan_verification"
    answer = "verdict"

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        check_wording(self.name, options, WORDINGS)
        head = options.wording == "head"
        out = []
        for part in dict.fromkeys(i.part for i in instance_set.instances):
            queries = sorted((i for i in instance_set.scored() if i.part == part), key=lambda i: i.id)
            out.extend(self._part(queries, encoding, options, head))
        return out

    def _part(self, queries: list[Instance], encoding: Encoding, options: TaskOptions, head: bool) -> list[TaskPrompt]:
        """One prompt file: PlanBench drew the examples of every query of a part from the
        part's other instances, in one stream of draws."""
        for instance in queries:
            if not instance.solvable:
                raise InputError(f"instance {instance.key}", 0, "t3 verifies plans, and this problem has none")
            solvable_with_plan(instance, f"{self.name} ({self.title})")
        if len(queries) < 2:
            raise InputError(f"set part {queries[0].part}" if queries else "set", 0,
                             "t3 needs at least two instances in a part: its examples are other instances")
        draws = Draws(draw_mode(queries[0], encoding, recorded=not head), self.name, options.seed)
        intro = domain_intro(encoding, queries[0].part, "plain" if head else "pre-27b0c44")
        out = []
        for query in queries:
            draws.query(query)
            examples = draws.choices([i for i in queries if i.id != query.id], k=3)
            kinds = list(TYPES)
            draws.shuffle(kinds)
            text = intro
            for example, kind in zip(examples, kinds):
                draws.executor()
                plan = shown_plan(example.gold(encoding.name), kind, draws, head)
                text += statement(example, plan, encoding, validation_message(
                    validate(example.problem, plan).failure, encoding), options.fix_quirks)
            kind = draws.choice(list(TYPES))
            draws.executor()
            plan = shown_plan(query.gold(encoding.name), kind, draws, head)
            text += statement(query, plan, encoding, None, options.fix_quirks)
            out.append(TaskPrompt(query, text, truth_of(query, plan, kind, encoding), tuple(e.id for e in examples)))
        return out

    def judge(self, text: str, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> dict:
        """``correct`` (valid or not, rightly), ``correct_type`` and ``correct_explanation``."""
        check_extractor(extractor)
        truth = prompt.truth
        row = dict.fromkeys(COLUMNS)
        if extractor == "planbench":
            said = planbench_verdict(text or "", encoding)
            flags = planbench_judgement(said, planbench_verdict(truth["message"], encoding))
            row["extracted_verdict"] = json.dumps(said, sort_keys=True)
            if "valid" not in said:
                row.update(outcome="unparseable", correct=False, correct_type=False, correct_explanation=False,
                           reason="no 'plan is valid' or 'plan is invalid' line (PlanBench's reader found no verdict)")
                return row
        else:
            verdict = read_verdict(text, encoding, prompt.instance.blocks)
            row["extracted_verdict"] = json.dumps(verdict.to_dict(encoding), sort_keys=True)
            if verdict.valid is None:
                row.update(outcome="unparseable", correct=False, correct_type=False, correct_explanation=False,
                           reason="the answer says neither that the plan is valid nor that it is invalid"
                           + (" (empty)" if verdict.failure == "empty" else ""))
                return row
            flags = exact_flags(verdict, truth)
        row.update(correct=flags[0], correct_type=flags[1], correct_explanation=flags[2],
                   outcome="correct" if flags[0] else "incorrect", reason=_reason(flags, truth, encoding))
        return row

    def judged_against(self, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> list[tuple[str, str]]:
        """The plan the prompt shows and the right answer, in the words the examples use."""
        plan = [encoding.action_to_text(parse_action(a)) for a in prompt.truth["plan"]]
        return [(f"the plan shown ({steps(len(plan))})", "; ".join(plan) or "(no action)"),
                ("the right answer", prompt.truth["message"])]


def exact_flags(verdict, truth: dict) -> tuple[bool, bool, bool]:
    """The default judgement: the verdict, then the kind of failure, then exactly the
    failing step (its action, at the stated step when one is stated; or its number alone)
    and exactly the unmet atoms."""
    if verdict.valid != truth["valid"]:
        return False, False, False
    if verdict.valid:
        return True, True, True
    if verdict.kind != truth["kind"]:
        return True, False, False
    unmet = {format_action(a) for a in verdict.unmet}
    if verdict.kind == "unmet_goal":
        return True, True, unmet == set(truth["unmet"])
    if verdict.action is None:  # "the 2nd step fails": the step names the plan's action
        action_ok = verdict.step is not None and verdict.step == truth["step"]
    else:
        action_ok = format_action(verdict.action) == truth["action"] and verdict.step in (None, truth["step"])
    return True, True, action_ok and unmet == set(truth["unmet"])


def _reason(flags: tuple[bool, bool, bool], truth: dict, encoding: Encoding) -> str:
    """What was wrong, with the truth in the encoding's PDDL names."""
    unmet = " ".join(encoding.atom_to_pddl(parse_action(a)) for a in truth["unmet"])
    if not truth["valid"]:
        if truth["kind"] == "unmet_goal":
            expected = "invalid: unmet goal " + unmet
        else:
            action = encoding.action_to_pddl(parse_action(truth["action"]))
            expected = f"invalid: step {truth['step']} {action} has unmet precondition(s) {unmet}"
    else:
        expected = "valid"
    if not flags[0]:
        return f"wrong verdict; the plan is {expected}"
    if not flags[1]:
        return f"right verdict, wrong kind of failure; the plan is {expected}"
    if not flags[2]:
        return f"right verdict and kind, wrong explanation; the plan is {expected}"
    return f"right: the plan is {expected}"


register(Verification())
