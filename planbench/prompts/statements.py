"""PlanBench's sentences, shared by the prompts of every task (FACTS-tasks.md §2.3).

PlanBench writes a problem two ways, and which one a prompt uses matters for byte identity:

- **S**, the state renderer (``get_state_translation``; tasks 2, 3, 4, 6, 7 and the full
  goal of t8_2/t8_3): atoms sorted as ``pred_arg_arg`` strings in the encoding's PDDL
  names, rendered, joined "A, B and C", no final period, no ``-`` replacement;
- **T**, the problem statement (``fill_template``; tasks 1, 5, 8): atoms sorted as
  ``pred arg arg`` (tarski's order), and the whole [STATEMENT] block with ``-`` written as a
  space and ``ontable`` as "on the table".

For these domains, with one-letter objects, S and T put atoms in the same order; they are
kept apart because PlanBench's code keeps them apart and a new encoding could tell them
apart. Plan blocks, the domain introductions (plain, with action costs for t2, and Mystery's
older wording that the recorded t3 answers saw) and the validator's message in PlanBench's
VAL-derived words (t3's verdicts, the back-prompt critique) are here too.
"""

from __future__ import annotations

import random
from typing import Iterable

from planbench.errors import InputError
from planbench.world import blocks as world
from planbench.world.encodings import Encoding
from planbench.world.validate import Failure

Atom = tuple
Action = tuple

PLAN_END = "[PLAN END]"
ACTION_SEQUENCE_END = "[ACTION SEQUENCE END]"
ZERO_SHOT_INSTRUCTION = "What is the plan to achieve my goal? Just give the actions in the plan."
INVALID = "The above plan is invalid."
VALID = "The above plan is valid.\n"
# Introductions an encoding can carry (domains/<encoding>/encoding.yaml), by what they are for.
INTRO_KINDS = {
    "plain": "intro",  # tasks 1 and 3-8
    "cost": "intro_cost",  # t2: every action "takes 1 minute"
    # Mystery before PlanBench's commit 27b0c44 (2023-11): "Once Overcome action is performed
    # the following will be true: Harmony, Pain object, ...". The recorded t3 answers saw it.
    "pre-27b0c44": "intro_pre_27b0c44",
}


# ---------------------------------------------------------------- atoms and states


def join_atoms(texts: list[str]) -> str:
    """PlanBench's list: "A, B and C" (a single item as is, nothing for none)."""
    if len(texts) <= 1:
        return "".join(texts)
    return ", ".join(texts[:-1]) + " and " + texts[-1]


def atom_key(atom: Atom, encoding: Encoding) -> str:
    """PlanBench's name of a ground atom: ``on_a_b``, ``craves_b_c``, ``handempty``."""
    return "_".join([encoding.predicates[atom[0]], *(encoding.object_to_pddl(b) for b in atom[1:])])


def state_text(atoms: Iterable[Atom], encoding: Encoding) -> str:
    """S: a state (or any set of atoms) as PlanBench's ``get_state_translation`` writes it."""
    return join_atoms([encoding.atom_to_text(a) for a in sorted(atoms, key=lambda a: atom_key(a, encoding))])


def statement_atoms(atoms: Iterable[Atom], encoding: Encoding) -> str:
    """T's atoms: sorted as tarski lists them (by PDDL name, then arguments) and rendered."""
    def key(atom: Atom) -> str:
        return encoding.predicates[atom[0]] + " " + " ".join(encoding.object_to_pddl(b) for b in atom[1:])
    return join_atoms([encoding.atom_to_text(a) for a in sorted(atoms, key=key)])


# ---------------------------------------------------------------- plans


def plan_text(plan: Iterable[Action], encoding: Encoding) -> str:
    """One line per action, each ending in a newline."""
    return "".join(encoding.action_to_text(a) + "\n" for a in plan)


def plan_block(plan: Iterable[Action], encoding: Encoding, end: str = PLAN_END) -> str:
    """PlanBench's plan block: a newline, the actions, the end marker and a newline
    (``[ACTION SEQUENCE END]`` for t7). An empty plan is ``"\\n[PLAN END]\\n"``."""
    return "\n" + plan_text(plan, encoding) + end + "\n"


def fill_template(init: str, goal: str, plan: str | None) -> str:
    """PlanBench's ``fill_template``: one [STATEMENT] block from rendered parts. ``plan`` is
    the plan block after [PLAN] ("" for a query ending at [PLAN]); None asks the zero-shot
    question instead. PlanBench rewrites every Blocksworld-family statement this way
    (FACTS.md §3.1, Q12): ``-`` becomes a space and ``ontable`` "on the table"."""
    text = "\n[STATEMENT]\nAs initial conditions I have that, " + init.strip() + "."
    text += "\nMy goal is to have that " + goal + "."
    if plan is None:
        text += "\n\n" + ZERO_SHOT_INSTRUCTION
    else:
        text += "\n\nMy plan is as follows:\n\n[PLAN]" + plan
    return text.replace("-", " ").replace("ontable", "on the table")


# ---------------------------------------------------------------- validator messages


def unmet_message(failure: Failure, encoding: Encoding, pddl: bool = False) -> str | None:
    """What PlanBench's ``get_validation_message`` appends to "The above plan is invalid."
    for VAL's first complaint, built from our validator's failure (None for a failure VAL
    does not describe this way: unknown names, wrong arity).

    Quirks kept: one unmet precondition starts without a space ("invalid.The following"),
    several start with one; nothing ends in a newline. Atoms are sorted as S sorts them in
    natural language; in PDDL (the back-prompt of PDDL prompts) they stay in VAL's order,
    the domain's."""
    if failure.kind == "unmet_precondition":
        unmet = _unmet_atoms(failure.unmet, encoding, pddl)
        action = (" ".join(encoding.action_to_pddl(failure.action).strip("()").split()) if pddl
                  else encoding.action_to_text(failure.action))
        if len(unmet) > 1:
            return (f" The following action at step {failure.step} has unmet preconditions:\n{action}\n"
                    f"The unmet preconditions are:\n{join_atoms(unmet)}")
        return (f"The following action at step {failure.step} has an unmet precondition:\n{action}\n"
                f"The unmet precondition is:\n{join_atoms(unmet)}")
    if failure.kind == "goal_not_reached":
        unmet = _unmet_atoms(failure.unmet, encoding, pddl)
        head = " These are the unmet goal conditions:\n" if len(unmet) > 1 else " This is the unmet goal condition:\n"
        return head + join_atoms(unmet)
    return None


def _unmet_atoms(atoms: Iterable[Atom], encoding: Encoding, pddl: bool) -> list[str]:
    if pddl:
        return [encoding.atom_to_pddl(atom) for atom in atoms]
    return [encoding.atom_to_text(a) for a in sorted(atoms, key=lambda a: atom_key(a, encoding))]


def validation_message(failure: Failure | None, encoding: Encoding) -> str | None:
    """t3's [VERIFICATION] text: "The above plan is valid.\\n", or "The above plan is
    invalid." and the unmet preconditions or goals (no final newline); None where VAL's
    advice would have been empty."""
    if failure is None:
        return VALID
    body = unmet_message(failure, encoding)
    return None if body is None else INVALID + body


# ---------------------------------------------------------------- domain introductions


def domain_intro(encoding: Encoding, part: str = "", kind: str = "plain") -> str:
    """The domain introduction that opens a prompt, from the encoding's data.

    ``kind``: ``plain``; ``cost`` (t2's, where every action "takes 1 minute"); or
    ``pre-27b0c44`` (Mystery's wording before PlanBench changed its Overcome line; other
    encodings have no older wording and get their plain one). A text may differ by set
    (``<key>_by_part``: PlanBench's Mystery configs differ in whitespace). Encodings with no
    text (Randomized, ``randomized:<seed>``) get PlanBench's obfuscated template."""
    if kind not in INTRO_KINDS:
        raise ValueError(f"unknown introduction kind {kind!r}: {', '.join(INTRO_KINDS)}")
    data = encoding.data
    key = INTRO_KINDS[kind]
    if kind == "pre-27b0c44" and key not in data and key + "_by_part" not in data:
        kind, key = "plain", "intro"
    intro = data.get(key + "_by_part", {}).get(part) or data.get(key)
    if intro:
        return intro
    if "intro" in data or "intro_by_part" in data:  # a written encoding lacking this kind
        raise InputError(f"encoding {encoding.name}", 0, f"has no {key!r} introduction, which this task needs")
    return randomized_introduction(encoding, part, cost=kind == "cost")


def _oxford(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + ", and " + items[-1]


def randomized_introduction(encoding: Encoding, part: str = "", cost: bool = False) -> str:
    """PlanBench's introduction for obfuscated domains (FACTS.md §2.7, §3.9.5), for any
    encoding: one line per action, then its preconditions, add and delete effects in the
    domain file's order, objects written object_0, object_1. A one-atom precondition is
    written without a space after the colon, as in PlanBench's. The action order is the
    encoding's ``intro_action_order`` (per part), else a fixed shuffle seeded by its name.

    PlanBench never asked t2 in these encodings; ``cost`` adds its Mystery cost sentence
    to each action line ("X object_0. It takes 1 minute to do the X action.")."""
    orders = encoding.data.get("intro_action_order", {})
    order = orders.get(part) or orders.get("default")
    if not order:
        order = list(world.ACTIONS)
        random.Random(f"intro-order-{encoding.name}").shuffle(order)
    params = ("object_0", "object_1")

    def atom(schema_atom: tuple) -> str:
        token = encoding.predicates[schema_atom[0]]
        return " ".join([token, *(params[i] for i in schema_atom[1:])])

    lines = ["I am playing with a set of objects. Here are the actions I can do", ""]
    for action in order:
        token = encoding.actions[action]
        line = " ".join([token.capitalize(), *params[: world.ACTION_ARITY[action]]]) + "."
        if cost:
            line += f" It takes 1 minute to do the {token.capitalize()} action."
        lines.append(line)
    lines += ["", "I have the following restrictions on my actions:"]
    for action in order:
        token = encoding.actions[action]
        pre, add, delete = world.SCHEMAS[action]
        pre_text = _oxford([atom(a) for a in pre])
        lines.append(f"To perform {token} action, the following facts need to be true:"
                     + (pre_text if len(pre) == 1 else " " + pre_text))
        lines.append(f"Once {token} is performed the following facts will be true: " + _oxford([atom(a) for a in add]))
        lines.append(f"Once {token} is performed the following facts will be false: " + _oxford([atom(a) for a in delete]))
    return "\n".join(lines) + "\n"
