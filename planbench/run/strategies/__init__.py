"""Strategies: how a conversation with a model goes on after its first answer.

A strategy is a small piece that, given the conversation so far, decides the next user
message or stops (None). The runner does the rest for every turn (scheduling, retries,
caching, cost, appending each answer to ``responses.jsonl``) and knows nothing of plans;
a strategy knows nothing of HTTP.

- ``single``: one answer per prompt (and sample);
- ``vote``: K independent answers (``--samples K``); the answer is their most common plan
  (chosen when the run is scored);
- ``revise``: the model is asked to check and revise its own answer, ``--rounds`` times,
  told nothing about it (Epoch AI's revision baseline);
- ``backprompt``: PlanBench's LLM-Modulo loop: an invalid plan is answered with the
  validator's critique, until a plan is valid or ``--rounds`` are spent.
"""

from __future__ import annotations

from planbench.run.strategies.base import Conversation, Strategy, Turn
from planbench.run.strategies.backprompt import Backprompt
from planbench.run.strategies.revise import Revise
from planbench.run.strategies.single import Single

STRATEGIES = {"single": Single, "vote": Single, "revise": Revise, "backprompt": Backprompt}
DEFAULT_ROUNDS = {"single": 0, "vote": 0, "revise": 4, "backprompt": 14}  # backprompt: PlanBench's 15 answers


def make_strategy(name: str, rounds: int | None = None, critique_unparseable: bool = False) -> Strategy:
    """The strategy of that name, with at most ``rounds`` follow-up messages
    (``critique_unparseable``: back-prompting answers an answer with no plan too)."""
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}; choose one of: {', '.join(STRATEGIES)}")
    rounds = DEFAULT_ROUNDS[name] if rounds is None else rounds
    if name == "backprompt":
        return Backprompt(rounds, critique_unparseable)
    return STRATEGIES[name](rounds)


__all__ = ["Conversation", "Strategy", "Turn", "Single", "STRATEGIES", "DEFAULT_ROUNDS", "make_strategy"]
