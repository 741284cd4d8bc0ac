"""Simulate a plan and say why it fails, in canonical, PDDL and natural-language form.

Semantics follow VAL as PlanBench runs it (``validate domain problem plan``, no flags):
steps run in order from the initial state, each must be applicable, and the goal must
hold in the final state. Actions after the goal is reached are fine if applicable; an
inapplicable one is a failure. Where VAL is lenient we report instead (see
``DIFFERENCES_FROM_VAL``), because a harness must not pass a plan a model did not write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from planbench.world import blocks as world
from planbench.world.encodings import Encoding
from planbench.world.pddl import PlanStep
from planbench.world.problem import Problem

Atom = tuple
Action = tuple

DIFFERENCES_FROM_VAL = {
    "extra arguments": "VAL ignores them ((put-down b extra) passes); we report wrong_arity.",
    "missing arguments": "VAL fails to parse; we report wrong_arity for that step.",
    "non-action lines": "VAL skips free text and ``` fences in a plan file; `planbench validate` rejects the file "
    "(exit 2) naming the line. Extracting a plan from free text is the parser's job, not the validator's.",
    "numbered steps": "VAL rejects '1. (a b)' as a bad plan description; so do we (exit 2).",
    "unknown names": "VAL says 'Bad operator' or fails; we report unknown_action / unknown_object with the name.",
}

KINDS = ("unknown_action", "wrong_arity", "unknown_object", "unmet_precondition", "goal_not_reached")
# A step read as written may name the table where the action takes a block ("unstack the red
# block from the table"): an unknown object, explained by what the action does instead.
TABLE_AS_BLOCK = {"unstack": "unstack takes a block from on top of another block; a block on the table is picked up",
                  "stack": "stack puts a block on top of another block; a block goes on the table by put-down"}


@dataclass(frozen=True)
class Failure:
    """Why a plan is invalid. ``step`` is 1-based; None for a goal failure."""

    kind: str
    step: int | None = None
    action: Action | None = None  # canonical, when the step could be read
    written: str = ""  # the step as written, for errors about names
    unmet: tuple[Atom, ...] = ()  # unmet preconditions, or unmet goal atoms
    name: str = ""  # the unknown name, or the action with the wrong arity
    expected: int = 0  # arity expected, for wrong_arity


@dataclass(frozen=True)
class ValidationResult:
    valid: bool
    length: int  # number of steps in the plan
    failure: Failure | None = None
    goal_reached_at: int | None = None  # shortest prefix after which the goal held (None: never)
    executed: int = 0  # steps applied before the failure (all of them for a valid plan)
    plan: tuple[Action, ...] = field(default=(), repr=False)  # canonical steps that could be read

    def message(self, encoding: Encoding, form: str = "pddl") -> str:
        """The explanation in ``canonical``, ``pddl`` (encoding names) or ``text`` form."""
        return explain(self, encoding, form)

    def to_dict(self, encoding: Encoding) -> dict:
        failure = self.failure
        out: dict = {
            "valid": self.valid,
            "length": self.length,
            "executed": self.executed,
            "goal_reached_at": self.goal_reached_at,
            "encoding": encoding.name,
            "plan": [encoding.action_to_pddl(a) for a in self.plan],
            "plan_canonical": [_canonical_action(a) for a in self.plan],
            "failure": None,
        }
        if failure is not None:
            out["failure"] = {
                "kind": failure.kind,
                "step": failure.step,
                "action": _canonical_action(failure.action) if failure.action else None,
                "action_pddl": encoding.action_to_pddl(failure.action) if failure.action else None,
                "written": failure.written or None,
                "unmet": [_canonical_atom(a) for a in failure.unmet],
                "unmet_pddl": [encoding.atom_to_pddl(a) for a in failure.unmet],
                "unmet_text": [encoding.atom_to_text(a) for a in failure.unmet],
                "name": failure.name or None,
            }
        out["message"] = {form: self.message(encoding, form) for form in ("canonical", "pddl", "text")}
        return out


def _canonical_action(action: Action) -> str:
    return "(" + " ".join(action) + ")"


_canonical_atom = _canonical_action


def validate(problem: Problem, plan: Sequence[Action]) -> ValidationResult:
    """Validate a plan of canonical ground actions (``("stack", "a", "b")``).

    Unknown action names, wrong arity and unknown blocks are reported as such.
    """
    w = problem.world
    state = problem.init_state
    goal = problem.goal_mask
    reached = 0 if state & goal == goal else None
    masks = w._masks
    for number, action in enumerate(plan, 1):
        cached = masks.get(action)
        if cached is None:
            failure = _unreadable(w, action, number)
            if failure is not None:
                return ValidationResult(False, len(plan), failure, reached, number - 1, tuple(plan[: number - 1]))
            cached = w.masks(action)
        pre, add, delete = cached
        if state & pre != pre:
            failure = Failure("unmet_precondition", number, action, unmet=tuple(w.unmet(state, action)))
            return ValidationResult(False, len(plan), failure, reached, number - 1, tuple(plan[: number - 1]))
        state = (state & ~delete) | add
        if reached is None and state & goal == goal:
            reached = number
    if state & goal != goal:
        missing = tuple(a for a in problem.goal if not state & w.bit(a))
        failure = Failure("goal_not_reached", None, unmet=missing)
        return ValidationResult(False, len(plan), failure, reached, len(plan), tuple(plan))
    return ValidationResult(True, len(plan), None, reached, len(plan), tuple(plan))


def trace(problem: Problem, plan: Sequence[Action]) -> list[int]:
    """The states a plan passes through: the initial state, then the state after each
    step that could be applied (a failing step ends the list). The validator's verdict on
    the same plan says why it stopped; this says where the blocks were on the way."""
    w = problem.world
    states = [problem.init_state]
    for action in plan:
        if _unreadable(w, action, 0) is not None:
            break
        following = w.apply(states[-1], action)
        if following is None:
            break
        states.append(following)
    return states


def _unreadable(w: world.World, action: Action, number: int) -> Failure | None:
    """The failure for a step that is not a ground action of this world, else None."""
    if not action or action[0] not in world.ACTION_ARITY:
        name = action[0] if action else ""
        return Failure("unknown_action", number, None, _canonical_action(action), name=name)
    expected = world.ACTION_ARITY[action[0]]
    if len(action) - 1 != expected:
        return Failure("wrong_arity", number, None, _canonical_action(action), name=action[0], expected=expected)
    for block in action[1:]:
        if block not in w.index:
            return Failure("unknown_object", number, None, _canonical_action(action), name=block)
    return None


def canonical_steps(steps: Sequence[PlanStep], encoding: Encoding) -> list[Action]:
    """Surface plan steps to canonical actions. Names the encoding does not know are kept
    marked (``?name``) so that :func:`validate` reports them with the name as written."""
    out = []
    for step in steps:
        name = encoding.action_from_pddl(step.name)
        out.append((name if name is not None else "?" + step.name, *(encoding.object_from_pddl(a) for a in step.args)))
    return out


def validate_steps(problem: Problem, steps: Sequence[PlanStep], encoding: Encoding) -> ValidationResult:
    """Validate a plan read from a file in ``encoding``; unknown names are reported as written."""
    result = validate(problem, canonical_steps(steps, encoding))
    failure = result.failure
    if failure is not None and failure.step is not None and failure.kind != "unmet_precondition":
        written = steps[failure.step - 1]
        name = failure.name
        if failure.kind == "unknown_action":
            name = written.name
        elif failure.kind == "wrong_arity":
            name = written.name
        elif failure.kind == "unknown_object":
            name = next((a for a in written.args if encoding.object_from_pddl(a) == failure.name), failure.name)
        fixed = Failure(failure.kind, failure.step, None, written.pddl(), name=name, expected=failure.expected)
        result = ValidationResult(False, result.length, fixed, result.goal_reached_at, result.executed, result.plan)
    return result


# ---------------------------------------------------------------- explanations


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def explain(result: ValidationResult, encoding: Encoding, form: str = "pddl") -> str:
    """One explanation of a result, in one of three forms.

    ``canonical``: Blocksworld names; ``pddl``: the encoding's PDDL names, in the shape of
    PlanBench's back-prompting feedback; ``text``: the encoding's natural language, so the
    message can be fed back to a model that saw a natural-language prompt.
    """
    if form not in ("canonical", "pddl", "text"):
        raise ValueError(f"unknown form {form!r}: canonical, pddl or text")
    if form == "canonical":
        act, atom = _canonical_action, _canonical_atom
    elif form == "pddl":
        act, atom = encoding.action_to_pddl, encoding.atom_to_pddl
    else:
        act, atom = encoding.action_to_text, encoding.atom_to_text
    failure = result.failure
    if failure is None:
        extra = ""
        if result.goal_reached_at is not None and result.goal_reached_at < result.length:
            extra = f" (the goal already holds after step {result.goal_reached_at})"
        return f"The plan is valid: {result.length} step(s){extra}."
    if failure.kind == "goal_not_reached":
        unmet = [atom(a) for a in failure.unmet]
        if form == "text":
            return f"The plan is invalid. After all {result.length} step(s) the goal is not reached: these do not hold: {_join(unmet)}."
        return f"The plan is invalid. After all {result.length} step(s) these goal atoms are not satisfied: {' '.join(unmet)}"
    if failure.kind == "unmet_precondition":
        unmet = [atom(a) for a in failure.unmet]
        if form == "text":
            return (
                f"The plan is invalid. Step {failure.step}, \"{act(failure.action)}\", cannot be done, "
                f"because {'this does' if len(unmet) == 1 else 'these do'} not hold: {_join(unmet)}."
            )
        return (
            f"The plan is invalid. The action at step {failure.step}, {act(failure.action)}, has "
            f"{'an unmet precondition' if len(unmet) == 1 else 'unmet preconditions'}: {' '.join(unmet)}"
        )
    written = failure.written
    if failure.kind == "unknown_action":
        known = ", ".join(encoding.actions.values()) if form != "canonical" else ", ".join(world.ACTIONS)
        return f"The plan is invalid. Step {failure.step}, {written}, uses the unknown action {failure.name!r} (the actions are {known})."
    if failure.kind == "wrong_arity":
        return (
            f"The plan is invalid. Step {failure.step}, {written}: {failure.name} takes "
            f"{failure.expected} object(s), not {len(written.split()) - 1}."
        )
    action = written.strip("()").split()[0] if written.strip("()") else ""
    if failure.name == "table" and action in TABLE_AS_BLOCK:
        return f"The plan is invalid. Step {failure.step}, {written}, treats the table as a block: {TABLE_AS_BLOCK[action]}."
    return f"The plan is invalid. Step {failure.step}, {written}, names the unknown object {failure.name!r}."
