"""Where each conversation of a run stands: the turns on disk and the one to send next.

Read from ``responses.jsonl`` alone, so a live run, a batch run and a resumed run agree on
what is done and what is missing, and build the next request (messages and request key)
the same way: the key is what makes an answer found in the cache or a batch output land
on the right turn.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from planbench.run.cache import cache_key
from planbench.run.models import Parameters
from planbench.run.strategies import Conversation, Strategy, Turn
from planbench.runs import Run, read_responses


def done_turns(folder: Path) -> dict[tuple, dict[int, dict]]:
    """Turns already on disk, by (part, id, sample) and round: a resumed conversation goes
    on from its last answer without sending any turn again. Errors are missing work: a
    turn that failed is sent again (the line after it, if any, counts)."""
    turns: dict[tuple, dict[int, dict]] = {}
    for item in read_responses(Run(folder, {}), report=lambda line: None):
        rounds = turns.setdefault((item.get("part"), item["id"], item.get("sample", 0)), {})
        round_ = int(item.get("round") or 0)
        if not item.get("error"):
            rounds[round_] = item
        elif round_ in rounds and rounds[round_].get("error"):
            rounds[round_] = item
    for key, rounds in turns.items():  # a conversation goes on from its last unbroken round
        kept, round_ = {}, 0
        while round_ in rounds:
            kept[round_] = rounds[round_]
            round_ += 1
        turns[key] = kept
    return turns


def finished(prompt: dict, sample: int, turns: dict[int, dict], strategy: Strategy) -> bool:
    """Is this conversation over: answered, and its strategy has nothing more to say?"""
    if not turns:
        return False
    conversation = Conversation(prompt, sample, [Turn(t.get("text"), t.get("finish_reason"), t.get("error"))
                                                 for _, t in sorted(turns.items())])
    return not conversation.turns[-1].error and strategy.next_message(conversation) is None


@dataclass(frozen=True)
class NextTurn:
    """The request that goes on a conversation: what to send and where its answer belongs."""

    prompt: dict  # the prompt record (prompts.jsonl), with this turn's messages
    sample: int
    round: int
    key: str  # request key: custom_id in a batch, the cache's key, ``request`` in responses.jsonl
    user_message: str | None  # the follow-up this turn answers (None in round 0)


def next_turn(prompt: dict, sample: int, first_key: str, turns: dict[int, dict], strategy: Strategy, model: str,
              endpoint: str | None, parameters: Parameters) -> NextTurn | None:
    """The turn to send next in this conversation, or None when it is over. The messages
    are the prompt, then each answer and the follow-up to it, as the live runner builds
    them, so the request key is the one a live run would use for the same turn."""
    messages = list(prompt["messages"])
    conversation = Conversation(prompt, sample)
    for round_ in range(len(turns)):
        line = turns[round_]
        if round_ > 0:
            messages += [{"role": "assistant", "content": conversation.turns[-1].text or ""},
                         {"role": "user", "content": line.get("user_message") or ""}]
        conversation.turns.append(Turn(line.get("text"), line.get("finish_reason"), line.get("error")))
    if not turns:
        return NextTurn({**prompt, "messages": messages}, sample, 0, first_key, None)
    user_message = strategy.next_message(conversation)
    if user_message is None:
        return None
    messages += [{"role": "assistant", "content": conversation.turns[-1].text or ""},
                 {"role": "user", "content": user_message}]
    key = cache_key(model, endpoint, messages, parameters, sample)
    return NextTurn({**prompt, "messages": messages}, sample, len(turns), key, user_message)
