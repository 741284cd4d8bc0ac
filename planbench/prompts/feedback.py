"""The messages that follow an answer: PlanBench's validator critique, and a request to revise.

Back-prompting (PlanBench's LLM-Modulo loop, FACTS.md §3.7 and §5.7) answers an invalid plan
with the first error VAL finds, in the words of PlanBench's ``get_validation_message``: the
failing step's action and its unmet preconditions, or the unmet goal conditions. The text is
byte-identical to PlanBench's for PDDL prompts (checked against every feedback message of its
recorded logs, ``tests/test_strategies.py``), and in the encoding's natural language, as
PlanBench wrote it for natural-language prompts, for those.

Two quirks are kept: several unmet conditions put two spaces after "invalid." (PlanBench
prefixed that critique with a space and joined the two parts with another), and the PDDL
form lists preconditions in VAL's order (the domain's) while the natural-language form sorts
them as PlanBench's ``get_state_translation`` did.
"""

from __future__ import annotations

from planbench.world.encodings import Encoding
from planbench.prompts.statements import INVALID, unmet_message
from planbench.world.validate import ValidationResult

PDDL_REQUEST = ("Provide your revised plan as a sequence of actions in PDDL format. An action ACTION which acts on two "
                "objects OBJ1 and OBJ2 would be written (ACTION OBJ1 OBJ2). Do not provide anything else in your answer."
                "\n\n[PLAN]")
TEXT_REQUEST = " Please provide the plan between [PLAN] and [PLAN END] tags."
# Epoch AI's revision baseline: the model checks its own answer, told nothing about it.
REVISION_REQUEST = ("Check your plan above step by step against the rules and the goal. If it is correct, give the "
                    "same plan again; if not, give a corrected plan. Give only the actions of the plan.")


# --critique-unparseable: what back-prompting says to an answer with no plan in it. PlanBench's
# loop stops there (it had nothing to validate); this goes on, saying so in its critique's words.
NO_PLAN = "No plan could be read from the answer."


def unreadable_critique(pddl: bool = True) -> str:
    """The critique of an answer from which no plan could be read, asking for one in the
    prompt's format as PlanBench's critiques do."""
    query = INVALID + " " + NO_PLAN
    return query + "\n" + PDDL_REQUEST if pddl else query + TEXT_REQUEST


def critique(result: ValidationResult, encoding: Encoding, pddl: bool = True) -> str | None:
    """PlanBench's back-prompt for an invalid plan (None for a valid one): in the encoding's
    PDDL names for PDDL prompts, in its natural language otherwise."""
    failure = result.failure
    if failure is None:
        return None
    body = unmet_message(failure, encoding, pddl)
    if body is None:  # VAL could not run such a plan (PlanBench stopped there); we say why and go on
        body = " " + result.message(encoding, "pddl" if pddl else "text").removeprefix(INVALID).strip()
    query = INVALID + " " + body
    if pddl:
        return query.strip() + "\n" + PDDL_REQUEST
    return query.strip() + TEXT_REQUEST

