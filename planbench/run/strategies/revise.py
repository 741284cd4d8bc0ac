"""Self-revision without a validator (Epoch AI's baseline): "check and revise", N times."""

from __future__ import annotations

from planbench.prompts.feedback import REVISION_REQUEST
from planbench.run.strategies.base import Conversation, Strategy


class Revise(Strategy):
    name = "revise"

    def follow_up(self, conversation: Conversation) -> str | None:
        return REVISION_REQUEST
