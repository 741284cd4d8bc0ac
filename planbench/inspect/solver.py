"""The solver: send planbench's prompt, then whatever planbench's strategy says after each answer.

``single`` asks once. ``backprompt`` is PlanBench's LLM-Modulo loop: an invalid plan is
answered with the validator's critique (:func:`planbench.prompts.feedback.critique`, byte for
byte PlanBench's), until a plan is valid or the rounds are spent; ``revise`` asks the model to
check its own plan. The follow-ups come from the very strategy objects ``planbench run
--strategy`` uses, so a conversation here is the conversation there.
"""

from __future__ import annotations

from inspect_ai.model import ChatMessageUser
from inspect_ai.solver import Generate, TaskState, solver

from planbench.inspect.answers import FINISH_REASONS, model_name
from planbench.run.models import is_reasoning_model
from planbench.run.strategies import Conversation, Turn, make_strategy

SOLVER_STRATEGIES = ("single", "backprompt", "revise")  # vote: Inspect's epochs with the planbench/vote reducer


@solver
def planbench_solver(strategy: str = "single", rounds: int | None = None):
    """Ask the question; follow up as ``strategy`` says, at most ``rounds`` times."""
    follow = make_strategy(strategy, rounds)

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if state.metadata.get("system_default") and is_reasoning_model(model_name(str(state.model))):
            # as planbench run does: no system message to a reasoning model unless one was asked for
            state.messages = [m for m in state.messages if m.role != "system"]
        conversation = Conversation(dict(state.metadata), state.epoch - 1)
        while True:
            state = await generate(state)
            output = state.output
            stop = output.choices[0].stop_reason if output.choices else "unknown"
            conversation.turns.append(Turn(output.completion, FINISH_REASONS.get(stop, stop), output.error))
            message = follow.next_message(conversation)
            if message is None:
                return state
            state.messages.append(ChatMessageUser(content=message))

    return solve
