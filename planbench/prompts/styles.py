"""PlanBench's task-1 prompts, byte for byte, for any instance, encoding and style.

PlanBench's own prompt code no longer runs (FACTS.md §0 item 13); this module rebuilds
its prompts from the facts (FACTS.md §3) and the texts in ``domains/<encoding>/``, and
the golden tests compare them with PlanBench's recorded prompts.

Styles:
  zero-shot       the statement and "What is the plan to achieve my goal? ..."
  one-shot        an example statement with its plan, then the query ending at [PLAN]
  state-tracking  one-shot, the example plan written state by state (PlanBench t1_cot)
  zero-shot-pddl  the 2024-25 PDDL wording (o1 runs, the hard set), quirks included
  one-shot-pddl   PDDL domain, an example problem and its plan, the query problem
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from planbench.world import blocks as world
from planbench.world.encodings import Encoding
from planbench.errors import InputError
from planbench.sets.instances import Instance, InstanceSet
from planbench.world.problem import to_pddl
# The sentences every task shares live in statements.py; these names stay importable from here.
from planbench.prompts.statements import (ZERO_SHOT_INSTRUCTION, domain_intro, fill_template, join_atoms,  # noqa: F401
                                          plan_block, plan_text, randomized_introduction, state_text, statement_atoms)

STYLES = ("zero-shot", "one-shot", "state-tracking", "zero-shot-pddl", "one-shot-pddl")
ONE_SHOT = ("one-shot", "state-tracking", "one-shot-pddl")

SYSTEM_MESSAGE = "You are the planner assistant who comes up with correct plans."
# PlanBench's 2023 chat code sent this system message; its 2024-25 zero-shot runs (o1,
# DeepSeek-R1: the leaderboard's numbers) sent none. Defaults follow the runs that
# produced each style's published numbers; every record says what was used.
SYSTEM_DEFAULT = {"zero-shot": False, "zero-shot-pddl": False, "one-shot": True, "state-tracking": True,
                  "one-shot-pddl": True}

PDDL_ZERO_SHOT_HEADER = (
    "The following is a PDDL specification of a planning problem. The first part, under the heading [DOMAIN], "
    "is the domain file. The second part, under the heading [QUERY PROBLEM], is the problem file. Using this "
    "information, which is correct, and no further assumptions, find a plan which, when run from the specified "
    "initial state, satisfies the specified goal. Provide your answer as a sequence of actions in PDDL format. An "
    "action ACTION which acts on two objects OBJ1 and OBJ2 would be written (ACTION OBJ1 OBJ2). Do not provide "
    "anything else in your answer."
)
PDDL_ZERO_SHOT_HEADER_2023 = (
    "Here is a pddl domain, a planning problem. Provide the plan for the query problem. Provide only the pddl "
    "syntax for the plan where each action is represented as (ACTION_NAME OBJECTS)."
)
WORDINGS = ("current", "2023")
# The 2023 GPT-4 files (FACTS.md §3.8, Q19): the Blocksworld introduction then had ten
# restrictions (one-shot) or a trailing space after the last (zero-shot), and prompts
# ended with a newline.
LAST_RESTRICTION = "Once you stack a block on top of a second block, the second block is no longer clear.\n"
PDDL_ONE_SHOT_HEADER = (
    "Here is a pddl domain, an example problem and it's corresponding plan. Provide the plan for the query "
    "problem. Provide only the pddl syntax for the plan."
)

Action = tuple
Atom = tuple


# ---------------------------------------------------------------- natural-language pieces


def statement(instance: Instance, encoding: Encoding, plan: tuple[Action, ...] | None) -> str:
    """PlanBench's ``fill_template`` for an instance: one [STATEMENT] block; ``plan`` None
    asks the question, an empty plan ends at [PLAN] (the query of a one-shot prompt)."""
    problem = instance.problem
    shown = None if plan is None else (plan_block(plan, encoding) if plan else "")
    return fill_template(statement_atoms(problem.init, encoding), statement_atoms(problem.goal, encoding), shown)


# ---------------------------------------------------------------- domain introductions


def introduction(encoding: Encoding, part: str, state_tracking: bool = False) -> str:
    """The domain introduction: from the encoding's data, or built from PlanBench's
    randomized template for encodings that have none (seeded ones)."""
    intro = domain_intro(encoding, part)
    if state_tracking:
        return intro + "\n" + STATE_TRACKING_PARAGRAPH + "\n"
    return intro


STATE_TRACKING_PARAGRAPH = (
    "The plan correctness is defined in terms of states resulting from executing the actions in the plan. An "
    "action is executable in a state when all its preconditions hold in that state. The state resulting from the "
    "action execution consists of everything in the previous state with the addition and deletion of add and "
    "delete effects of the action. Plan correctness is defined as follows: if the first action in the plan is "
    "applicable in the initial state, i.e., its preconditions are all present there; and the second action is "
    "applicable in the state resulting from applying the first action to the initial state, this process "
    "continues until the state resulting from the application of the last action in the last but one state gives "
    "rise to the final state where all the goals are satisfied."
)


# ---------------------------------------------------------------- state tracking


def state_tracking_statement(instance: Instance, encoding: Encoding, plan: tuple[Action, ...] | None) -> str:
    """The t1_cot block: no period after the initial state, no blank line before the plan;
    the example plan step by step with states, preconditions and the final state."""
    problem = instance.problem
    text = "\n[STATEMENT]\nAs initial conditions I have that, " + state_text(list(problem.init), encoding)
    text += "\nMy goal is to have that " + statement_atoms(problem.goal, encoding) + "."
    text += "\nMy plan is as follows:\n\n[PLAN]"
    if not plan:
        return text
    w = problem.world
    state = problem.init_state
    for number, action in enumerate(plan, 1):
        before = state_text(w.atoms(state), encoding)
        preconditions = world.ground(world.SCHEMAS[action[0]][0], action[1:])
        state = w.apply(state, action)
        if state is None:
            raise InputError(f"instance {instance.key}", 0, f"its gold plan fails at step {number}")
        text += (
            f"\n{number}. Current State: {before}\n"
            f"   Action: {encoding.action_to_text(action)}\n"
            f"   Reason: The above action is applicable in the current state because its preconditions; "
            f"{state_text(preconditions, encoding)}, are satisfied in the current state.\n"
            f"   Resulting State: {state_text(w.atoms(state), encoding)}\n"
        )
    text += (f"\nFinal State: {state_text(w.atoms(state), encoding)}\n"
             "The goal conditions are satisfied in the final state. Hence, the above plan is valid.\n[PLAN END]\n")
    return text


# ---------------------------------------------------------------- PDDL styles


def _domain_name_for(encoding: Encoding, instance: Instance) -> str | None:
    """PlanBench hid the randomized domain's name behind a fresh 6-character string per
    prompt (FACTS.md Q20); ours is seeded by the instance so prompts are reproducible."""
    if not encoding.data.get("hide_domain_name"):
        return None
    rng = random.Random(f"domain-name-{encoding.name}-{instance.key}")
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(6))


def _pddl_texts(instance: Instance, encoding: Encoding) -> tuple[str, str]:
    domain = encoding.domain_pddl
    problem = to_pddl(instance.problem, encoding, instance.layout, instance.id)
    hidden = _domain_name_for(encoding, instance)
    if hidden:
        name = encoding.domain_name
        domain = domain.replace(f"(domain {name})", f"(domain {hidden})", 1)
        problem = problem.replace(f"(:domain {name})", f"(:domain {hidden})", 1)
    return domain, problem


def zero_shot_pddl(instance: Instance, encoding: Encoding, fix_quirks: bool = False) -> str:
    domain, problem = _pddl_texts(instance, encoding)
    if fix_quirks:
        query = problem.strip()
    else:
        # FACTS.md §3.5, Q11: "(define" + text.split("(define")[1][:-1].strip() + "\n)" drops
        # the space after "(define" and, where the file ends with a newline (its generator's
        # files), adds one unbalanced ")"; where it ends with ")" (its unsolvable files) the
        # cut ")" is put back. The cut is of the file, not of the two newlines the layouts
        # end with for the prompts that show the file as it is.
        query = "(define" + problem.removesuffix("\n\n").split("(define")[1][:-1].strip() + "\n)"
    return PDDL_ZERO_SHOT_HEADER + "\n[DOMAIN]\n" + domain.strip() + "\n\n[QUERY PROBLEM]\n" + query + "\n\n[PLAN]"


def one_shot_pddl(instance: Instance, example: Instance, encoding: Encoding, fix_quirks: bool = False) -> str:
    domain, query = _pddl_texts(instance, encoding)
    _, shown = _pddl_texts(example, encoding)
    plan = "".join(encoding.action_to_pddl(a) + "\n" for a in example.gold(encoding.name))
    if not fix_quirks:  # PlanBench showed Fast Downward's sas_plan, cost line and all
        plan += f"; cost = {len(example.gold(encoding.name))} (unit cost)\n"
    return (PDDL_ONE_SHOT_HEADER + "\n[DOMAIN]\n" + domain.strip() + "\n\n[PROBLEM]\n" + shown.strip()
            + "\n\n[PLAN]\n" + plan.strip() + "\n[PLAN_END]\n\n[QUERY PROBLEM]\n" + query.strip() + "\n\n")


# ---------------------------------------------------------------- one prompt, a set of prompts


_EXAMPLE_BLOCKS: dict[tuple, str] = {}


def _example_block(style: str, example: Instance, encoding: Encoding) -> str:
    """The example's statement with its plan; the same example serves many queries."""
    key = (style, encoding.name, example.key, example.gold(encoding.name), example.problem)
    block = _EXAMPLE_BLOCKS.get(key)
    if block is None:
        if len(_EXAMPLE_BLOCKS) > 20_000:
            _EXAMPLE_BLOCKS.clear()
        plan = example.gold(encoding.name)
        block = (state_tracking_statement(example, encoding, plan) if style == "state-tracking"
                 else statement(example, encoding, plan))
        _EXAMPLE_BLOCKS[key] = block
    return block


def render(instance: Instance, encoding: Encoding, style: str, example: Instance | None = None,
           fix_quirks: bool = False, wording: str = "current") -> str:
    """The prompt text of one instance."""
    check_style(style)
    encoding = encoding.for_part(instance.part)
    if wording == "2023":
        return _render_2023(instance, encoding, style, example)
    if wording != "current":
        raise InputError(wording, 0, "unknown wording; choose one of: " + ", ".join(WORDINGS))
    if style in ONE_SHOT and example is None:
        raise InputError(f"instance {instance.key}", 0, f"the {style} style needs an example instance")
    if style == "zero-shot":
        return introduction(encoding, instance.part) + statement(instance, encoding, None)
    if style == "one-shot":
        return introduction(encoding, instance.part) + _example_block(style, example, encoding) + statement(
            instance, encoding, ())
    if style == "state-tracking":
        return (introduction(encoding, instance.part, state_tracking=True)
                + _example_block(style, example, encoding) + state_tracking_statement(instance, encoding, None))
    if style == "zero-shot-pddl":
        return zero_shot_pddl(instance, encoding, fix_quirks)
    return one_shot_pddl(instance, example, encoding, fix_quirks)


def _render_2023(instance: Instance, encoding: Encoding, style: str, example: Instance | None) -> str:
    """PlanBench's 2023 prompts, as in its GPT-4 result files (Blocksworld only)."""
    if encoding.name != "blocksworld" or style not in ("zero-shot", "one-shot", "zero-shot-pddl"):
        raise InputError("2023", 0, "the 2023 wording exists for the blocksworld encoding and the zero-shot, "
                         "one-shot and zero-shot-pddl styles only")
    intro = introduction(encoding, instance.part)
    if style == "zero-shot":
        intro = intro.replace(LAST_RESTRICTION, LAST_RESTRICTION[:-1] + " \n")
        return intro + statement(instance, encoding, None) + "\n"
    if style == "one-shot":
        intro = intro.replace(LAST_RESTRICTION, "")
        return intro + statement(example, encoding, example.gold(encoding.name)) + statement(instance, encoding, ()) + "\n"
    domain, problem = _pddl_texts(instance, encoding)
    return PDDL_ZERO_SHOT_HEADER_2023 + "\n[DOMAIN]\n" + domain.strip() + "\n\n[QUERY PROBLEM]\n" + problem.lstrip()


def check_style(style: str) -> None:
    if style not in STYLES:
        raise InputError(style, 0, "unknown prompt style; choose one of: " + ", ".join(STYLES))


def is_planbench_part(part: str) -> bool:
    return part.startswith("planbench-")


def queries_and_examples(instance_set: InstanceSet, style: str, seed: int = 0,
                         fix_quirks: bool = False) -> list[tuple[Instance, Instance | None]]:
    """Which instances are asked, and each one's example.

    PlanBench's sets: zero-shot asks ids 1..N; one-shot asks ids 2..N+1 with instance
    i-1 as the example (FACTS.md §0 item 7), so the kept extra instance (501, 101) is
    asked and id 1 is only an example. State tracking asks the same ids, but PlanBench's
    recorded prompts all show instance 1 as the example (while their records say i-1);
    we do the same unless ``fix_quirks``. Generated sets: every instance is asked; the
    example is another instance of the same set chosen by ``random.Random(f"{seed}-{id}")``.
    """
    check_style(style)
    if style not in ONE_SHOT:
        return [(i, None) for i in instance_set.scored()]
    pairs: list[tuple[Instance, Instance | None]] = []
    for instance in instance_set.instances:
        if is_planbench_part(instance.part):
            if instance.id == 1:
                continue
            shown = 1 if style == "state-tracking" and not fix_quirks else instance.id - 1
            example = instance_set.find(instance.part, shown)
            if example is None:
                raise InputError(f"instance {instance.key}", 0, f"its one-shot example {instance.part}/{shown} is missing")
        else:
            others = [i for i in instance_set.instances if i.part == instance.part and i.id != instance.id]
            if not others:
                raise InputError(f"instance {instance.key}", 0, "a one-shot prompt needs another instance in the set as its example")
            example = random.Random(f"{seed}-{instance.id}").choice(others)
        if not example.plan:
            raise InputError(f"instance {example.key}", 0, "has no gold plan, which a one-shot example needs")
        pairs.append((instance, example))
    return pairs


@dataclass(frozen=True)
class PromptOptions:
    system: bool | str | None = None  # None: the style's default; True: PlanBench's; a str: that text
    fix_quirks: bool = False
    seed: int = 0  # example choice for generated sets
    wording: str = "current"


def prompt_records(instance_set: InstanceSet, encoding: Encoding, style: str,
                   options: PromptOptions = PromptOptions()) -> list[dict]:
    """One record per asked instance: ids, the prompt, the chat messages, the gold plan."""
    system = options.system
    if system is None:
        system = SYSTEM_DEFAULT[style]
    system_text = SYSTEM_MESSAGE if system is True else (system or None)
    records = []
    for instance, example in queries_and_examples(instance_set, style, options.seed, options.fix_quirks):
        text = render(instance, encoding, style, example, options.fix_quirks, options.wording)
        messages = ([{"role": "system", "content": system_text}] if system_text else []) + [
            {"role": "user", "content": text}]
        gold = instance.gold(encoding.name)
        surface = encoding.for_part(instance.part)
        records.append({
            "set": instance_set.name,
            "part": instance.part,
            "id": instance.id,
            "encoding": encoding.name,
            "style": style,
            "example_id": example.id if example else None,
            "blocks": instance.blocks,
            "optimal_length": instance.length,
            "solvable": instance.solvable,
            "system_message": system_text,
            "fix_quirks": options.fix_quirks,
            "wording": options.wording,
            "prompt": text,
            "messages": messages,
            "gold_plan_pddl": [surface.action_to_pddl(a) for a in gold],
            "gold_plan_text": [encoding.action_to_text(a) for a in gold],
        })
    return records
