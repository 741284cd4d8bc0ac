"""PlanBench's back-prompting: the validator's critique of an invalid plan, until valid.

The plan is read as PlanBench read it in its loop: PDDL prompts with its PDDL-line rule
(``save_gpt3_response``), natural-language prompts with the default extractor; a valid plan
(or an answer with no plan at all, as PlanBench stopped when it could extract none) ends the
conversation.
"""

from __future__ import annotations

from functools import lru_cache

from planbench.world import encodings
from planbench.answers import extract, planbench_pddl
from planbench.sets.instances import load_set
from planbench.prompts.feedback import critique, unreadable_critique
from planbench.run.strategies.base import Conversation, Strategy
from planbench.world.validate import validate


@lru_cache(maxsize=8)
def _set(name: str):
    return load_set(name)


class Backprompt(Strategy):
    name = "backprompt"

    def __init__(self, rounds: int = 0, critique_unparseable: bool = False):
        super().__init__(rounds)
        self.critique_unparseable = critique_unparseable  # else an answer with no plan ends it, as in PlanBench

    def follow_up(self, conversation: Conversation) -> str | None:
        prompt = conversation.prompt
        instance = _set(prompt.get("set_source") or prompt["set"]).find(prompt["part"], int(prompt["id"]))
        encoding = encodings.get(prompt["encoding"]).for_part(prompt["part"])
        text = conversation.turns[-1].text or ""
        pddl = "pddl" in prompt["style"]
        plan = planbench_pddl(text, encoding) if pddl else extract(text, encoding, instance.problem.name_span).plan
        if not instance.solvable:  # one answer, whatever it says: see README (back-prompting)
            return None
        if not plan:
            return unreadable_critique(pddl) if self.critique_unparseable else None
        return critique(validate(instance.problem, plan), encoding, pddl)
