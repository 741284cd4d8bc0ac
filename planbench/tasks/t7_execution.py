"""t7, reasoning about plan execution: the state after a sequence of actions.

The prompt (FACTS-tasks.md §8) shows an example (instance i-1 on PlanBench's sets): its
initial state, a prefix of its optimal plan as an [ACTION SEQUENCE] and the [RESULTING
STATE]; then the query's initial state and prefix, ending at [RESULTING STATE]. Each prefix
is PlanBench's ``random_prefix_execution`` (1 to L-1 actions), drawn for the example and
then the query, mode R in Blocksworld and mode H in Mystery. Quirks kept: the sentence
starts with a space ("\\n I have executed", which ``fix_quirks`` drops) and the shown state
has no final period. The true state is our simulator's (``truth["state"]``, canonical
names; ``truth["planbench_state"]``, PlanBench's ``pred_arg`` names in the encoding).

Judging: the default reading (:func:`planbench.answers.states.read_state`) must give
exactly the true state, as a set. PlanBench's reading splits the answer on commas only (the
parser of its recorded verdicts: "the red block is clear and on the table" is one piece,
read as one atom) and compares sorted lists.
"""

from __future__ import annotations

from planbench.answers.states import planbench_state, read_state
from planbench.errors import InputError
from planbench.prompts.statements import ACTION_SEQUENCE_END, atom_key, domain_intro, plan_block, state_text
from planbench.prompts.styles import queries_and_examples
from planbench.sets.instances import Instance, InstanceSet, format_action, parse_action
from planbench.tasks import register
from planbench.tasks.base import Task, TaskOptions, TaskPrompt, check_wording
from planbench.tasks.draws import Draws, draw_mode, random_prefix_execution
from planbench.tasks.judging import check_extractor
from planbench.tasks.plan_task import solvable_with_plan
from planbench.world.encodings import Encoding
from planbench.world.validate import trace

Action = tuple
Atom = tuple

COLUMNS = ("outcome", "correct", "reason", "predicted_state", "true_state")


def statement(instance: Instance, prefix: tuple[Action, ...], encoding: Encoding, state: list[Atom] | None,
              fix_quirks: bool = False) -> str:
    """``task_utils.plan_execution``: the example with its resulting ``state``, or (None)
    the query ending at [RESULTING STATE]."""
    executed = "\nI have executed" if fix_quirks else "\n I have executed"
    text = (f"\n[STATEMENT]\nAs initial conditions I have that, {state_text(instance.problem.init, encoding)}."
            f"{executed} the following action sequence:\n\n[ACTION SEQUENCE]"
            + plan_block(prefix, encoding, ACTION_SEQUENCE_END) + "[RESULTING STATE]\n")
    return text if state is None else text + state_text(state, encoding) + "\n"


def executed(instance: Instance, encoding: Encoding, draws: Draws) -> tuple[tuple[Action, ...], list[Atom]]:
    """A drawn prefix of the instance's plan and the state it leaves (our simulator)."""
    plan = instance.gold(encoding.name)
    draws.executor()
    prefix = plan[:random_prefix_execution(draws, len(plan))]
    problem = instance.problem
    states = trace(problem, prefix)
    if len(states) != len(prefix) + 1:
        raise InputError(f"instance {instance.key}", 0, "its gold plan does not run from its initial state")
    return prefix, problem.world.atoms(states[-1])


class Execution(Task):
    name = "t7"
    title = "reasoning about plan execution"
    words = ("execution",)
    planbench_file = "task_7_plan_execution"
    answer = "state"

    def prompts(self, instance_set: InstanceSet, encoding: Encoding, options: TaskOptions) -> list[TaskPrompt]:
        check_wording(self.name, options, ("current",))
        out = []
        streams: dict[str, Draws] = {}  # one per part: PlanBench drew a file's prefixes in one stream
        for query, example in queries_and_examples(instance_set, "one-shot", options.seed):
            if not query.solvable:
                raise InputError(f"instance {query.key}", 0, "t7 executes a prefix of a plan, and this problem has none")
            solvable_with_plan(query, f"{self.name} ({self.title})")
            draws = streams.get(query.part)
            if draws is None:
                draws = streams[query.part] = Draws(draw_mode(query, encoding), self.name, options.seed)
            draws.query(query)
            shown, shown_state = executed(example, encoding, draws)
            prefix, state = executed(query, encoding, draws)
            text = (domain_intro(encoding, query.part) + statement(example, shown, encoding, shown_state, options.fix_quirks)
                    + statement(query, prefix, encoding, None, options.fix_quirks))
            truth = {"prefix": [format_action(a) for a in prefix], "state": sorted(format_action(a) for a in state),
                     "planbench_state": sorted(atom_key(a, encoding) for a in state)}
            out.append(TaskPrompt(query, text, truth, (example.id,)))
        return out

    def judge(self, text: str, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> dict:
        """Correct when the state read is the true state; ``reason`` lists what differs."""
        check_extractor(extractor)
        truth = prompt.truth
        row = dict.fromkeys(COLUMNS)
        if extractor == "planbench":
            gold = truth["planbench_state"]
            said = planbench_state(text or "", encoding)
            row.update(true_state=" ".join(gold), predicted_state=" ".join(sorted(said)) or None)
            if not said:
                row.update(outcome="unparseable", correct=False, reason="PlanBench's reader found no atom")
                return row
            right = sorted(said) == sorted(gold)
            missing, extra = sorted(set(gold) - set(said)), sorted(set(said) - set(gold))
        else:
            gold = sorted(_in_pddl(parse_action(a), encoding) for a in truth["state"])
            reading = read_state(text, encoding, prompt.instance.blocks)
            said = sorted(_in_pddl(a, encoding) for a in reading.atoms)
            row.update(true_state=" ".join(gold), predicted_state=" ".join(said) or None)
            if reading.failure:
                row.update(outcome="unparseable", correct=False,
                           reason="no state could be read" + (" (empty answer)" if reading.failure == "empty" else ""))
                return row
            right = set(said) == set(gold)
            missing, extra = sorted(set(gold) - set(said)), sorted(set(said) - set(gold))
        row.update(correct=right, outcome="correct" if right else "incorrect")
        if right:
            row["reason"] = "the state is right"
        else:
            parts = ([f"missing {' '.join(missing)}"] if missing else []) + ([f"extra {' '.join(extra)}"] if extra else [])
            row["reason"] = "; ".join(parts) or "an atom is repeated (PlanBench compares lists)"
        return row

    def judged_against(self, prompt: TaskPrompt, encoding: Encoding, extractor: str = "default") -> list[tuple[str, str]]:
        """The actions executed and the state they leave (our simulator's)."""
        prefix = [encoding.action_to_text(parse_action(a)) for a in prompt.truth["prefix"]]
        return [(f"the actions executed ({len(prefix)})", "; ".join(prefix)),
                ("the state after them", state_text([parse_action(a) for a in prompt.truth["state"]], encoding))]


_PDDL: dict[tuple, str] = {}


def _in_pddl(atom: Atom, encoding: Encoding) -> str:
    """An atom in the encoding's PDDL names, memoised (every answer's columns show them)."""
    key = (encoding.name, atom)
    name = _PDDL.get(key)
    if name is None:
        if len(_PDDL) > 100_000:
            _PDDL.clear()
        name = _PDDL[key] = encoding.atom_to_pddl(atom)
    return name


register(Execution())
