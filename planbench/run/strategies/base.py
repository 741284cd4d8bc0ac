"""What a strategy sees: the prompt and the turns so far."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Turn:
    """One answer of a conversation: its text and how it ended (the runner's record)."""

    text: str | None
    finish_reason: str | None = None
    error: str | None = None


@dataclass
class Conversation:
    """A prompt record (as in prompts.jsonl: set, part, id, encoding, style, messages) and
    the answers so far."""

    prompt: dict
    sample: int = 0
    turns: list[Turn] = field(default_factory=list)

    @property
    def round(self) -> int:
        """The round of the next answer: 0 for the first."""
        return len(self.turns)


class Strategy:
    """Decides the message after each answer; ``rounds`` caps the follow-ups."""

    name = "single"

    def __init__(self, rounds: int = 0):
        self.rounds = rounds

    def next_message(self, conversation: Conversation) -> str | None:
        """The next user message, or None: the conversation is over."""
        if conversation.round > self.rounds or not conversation.turns:
            return None
        last = conversation.turns[-1]
        if last.error or not (last.text or "").strip():
            return None  # nothing to answer: the runner sends this turn again on resume
        return self.follow_up(conversation)

    def follow_up(self, conversation: Conversation) -> str | None:
        return None
